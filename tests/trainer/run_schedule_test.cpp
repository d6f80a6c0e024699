#include "trainer/run_schedule.h"

#include <doctest/doctest.h>

#include "trainer/shared_state.h"

using namespace bp::trainer;

namespace {
Config Parsed(const std::string& yaml) { return ParseConfig(yaml, "test.yaml", {}); }
}  // namespace

TEST_CASE("the run stops on a signal, at its time budget, or once every iteration is issued and none is lost") {
  const Config config = Parsed("run:\n  iterations: 1000\n  time_budget: 60s\n");
  const RunSchedule s(config);
  CHECK_FALSE(s.StopReason(false, 10, 500, false));
  CHECK(std::string(*s.StopReason(true, 10, 500, false)) == "signal");
  CHECK(std::string(*s.StopReason(false, 60, 500, false)) == "time budget");
  CHECK(std::string(*s.StopReason(false, 10, 1000, false)) == "iteration target");
  CHECK_FALSE(s.StopReason(false, 10, 1000, true));  // a lost batch is still to be issued
  const Config open = Parsed("run:\n  iterations: 0\n  time_budget: 0\n");
  CHECK_FALSE(RunSchedule(open).StopReason(false, 1e9, ~0ULL, false));
}

TEST_CASE("phase flags follow prune_start and average_start in their units") {
  const Config config = Parsed("solver:\n  prune_start: 5000\n  average_start: 30s\n");
  const RunSchedule s(config);
  CHECK(s.PhaseFlags(4999, 100) == kBatchAverage);
  CHECK(s.PhaseFlags(5000, 100) == (kBatchPrune | kBatchAverage));
  CHECK(s.PhaseFlags(5000, 29) == kBatchPrune);
  const Config never = Parsed("solver:\n  prune_start: off\n");
  CHECK(RunSchedule(never).PhaseFlags(~0ULL, 1e9) == kBatchAverage);
}

TEST_CASE("discounts: one per interval until the stop, factors k/(k+1)") {
  const Config config = Parsed("solver:\n  discount_interval: 100\n  discount_stop: 350\n");
  const RunSchedule s(config);
  CHECK(s.DiscountsDue(0, 0, 99) == 0);
  CHECK(s.DiscountsDue(0, 0, 100) == 1);
  CHECK(s.DiscountsDue(1, 0, 299) == 2);
  CHECK(s.DiscountsDue(2, 0, 10000) == 3);  // 350 / 100: three, then none
  CHECK(RunSchedule::DiscountFactor(1) == 0.5);
  CHECK(RunSchedule::DiscountFactor(3) == 0.75);
  const Config timed = Parsed("game:\n  name: nlhe\nabstraction:\n  buckets: b.bin\n");  // Pluribus: 10 of 400 minutes
  const RunSchedule t(timed);
  CHECK(t.DiscountsDue(0, 599, 1ULL << 40) == 0);
  CHECK(t.DiscountsDue(0, 600, 0) == 1);
  CHECK(t.DiscountsDue(0, 1e9, 0) == 40);
  const Config off = Parsed("");
  CHECK(RunSchedule(off).DiscountsDue(0, 1e9, ~0ULL) == 0);
}

TEST_CASE("periodic work: due once its interval has passed since it last ran; off never") {
  Periodic by_iterations({Interval::Unit::kIterations, 1000}, 0, 500);
  CHECK_FALSE(by_iterations.Due(1e9, 1499));
  CHECK(by_iterations.Due(0, 1500));
  by_iterations.Mark(3, 1500);
  CHECK_FALSE(by_iterations.Due(0, 2000));
  Periodic by_time({Interval::Unit::kSeconds, 2.5}, 10, 0);
  CHECK_FALSE(by_time.Due(12.4, ~0ULL));
  CHECK(by_time.Due(12.5, 0));
  Periodic off({Interval::Unit::kIterations, 0}, 0, 0);
  CHECK_FALSE(off.Due(1e300, ~0ULL));
  // An interval beyond 2^64 iterations: compared without converting it.
  Periodic huge({Interval::Unit::kIterations, 1e20}, 0, 0);
  CHECK_FALSE(huge.Due(0, ~0ULL));
  CHECK(Periodic({Interval::Unit::kIterations, 1.8e19}, 0, 0).Due(0, ~0ULL));
}
