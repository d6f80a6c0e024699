#include "trainer/run_schedule.h"

#include "trainer/shared_state.h"

namespace bp::trainer {

std::uint32_t RunSchedule::PhaseFlags(std::uint64_t first_iteration, double elapsed_s) const {
  const auto& s = config_.solver;
  std::uint32_t flags = 0;
  if (!s.prune_start->off() && Reached(*s.prune_start, elapsed_s, first_iteration)) flags |= kBatchPrune;
  if (Reached(s.average_start, elapsed_s, first_iteration)) flags |= kBatchAverage;
  return flags;
}

std::optional<const char*> RunSchedule::StopReason(bool signal, double session_s, std::uint64_t next_iteration,
                                                   bool reissues_pending) const {
  const auto& run = config_.run;
  if (signal) return "signal";
  if (run.time_budget_s > 0 && session_s >= run.time_budget_s) return "time budget";
  if (run.iterations > 0 && next_iteration >= run.iterations && !reissues_pending) return "iteration target";
  return std::nullopt;
}

std::uint64_t RunSchedule::DiscountsDue(std::uint64_t applied, double elapsed_s, std::uint64_t iterations) const {
  const Interval& every = *config_.solver.discount_interval;
  if (every.off()) return applied;
  const double last = config_.solver.discount_stop->value / every.value;
  const double progress = Progress(every, elapsed_s, iterations);
  std::uint64_t k = applied;
  while (static_cast<double>(k) + 1 <= last && progress >= static_cast<double>(k + 1) * every.value) ++k;
  return k;
}

}  // namespace bp::trainer
