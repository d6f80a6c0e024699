// RunSchedule: what a config's points and intervals mean at a moment of the
// run: when it stops, which phase a batch runs in (pruning, averaging), how
// many discounts are due, and when periodic work (metrics, exploitability,
// checkpoints, snapshots) falls due. Pure logic: the caller passes the
// training time (seconds, those before a resume included) and the applied
// iterations, so it is tested without a clock. Points and intervals come in
// iterations or seconds (Interval); 0 of either is off.
// Thread-compatible; the coordinator thread owns its instances.
#pragma once

#include <cstdint>
#include <optional>

#include "trainer/config.h"

namespace bp::trainer {

class RunSchedule {
 public:
  explicit RunSchedule(const Config& config) : config_(config) {}

  // How far the run is in the unit of `point`.
  static double Progress(const Interval& point, double elapsed_s, std::uint64_t iterations) {
    return point.unit == Interval::Unit::kIterations ? static_cast<double>(iterations) : elapsed_s;
  }
  // Whether the run is at or past `point` (off is reached from the start).
  static bool Reached(const Interval& point, double elapsed_s, std::uint64_t iterations) {
    return Progress(point, elapsed_s, iterations) >= point.value;
  }

  // kBatchPrune and kBatchAverage for a batch that starts at `first_iteration`
  // when issued at `elapsed_s`.
  std::uint32_t PhaseFlags(std::uint64_t first_iteration, double elapsed_s) const;

  // Why the run stops now, if it does: "signal"; "time budget" once
  // `session_s` seconds of this session reach run.time_budget; "iteration
  // target" once every iteration up to run.iterations has been issued and
  // none is to be issued again.
  std::optional<const char*> StopReason(bool signal, double session_s, std::uint64_t next_iteration,
                                        bool reissues_pending) const;

  // The number of discounts due by now, from `applied` on: one at the end of
  // every solver.discount_interval until solver.discount_stop. The k-th
  // multiplies regrets and strategy sums by DiscountFactor(k).
  std::uint64_t DiscountsDue(std::uint64_t applied, double elapsed_s, std::uint64_t iterations) const;
  static double DiscountFactor(std::uint64_t k) {
    return static_cast<double>(k) / static_cast<double>(k + 1);
  }

 private:
  const Config& config_;
};

// Periodic: work due every `interval` since it last ran (Mark).
class Periodic {
 public:
  Periodic(Interval interval, double t, std::uint64_t iterations)
      : interval_(interval), last_t_(t), last_iterations_(iterations) {}

  bool Due(double t, std::uint64_t iterations) const {
    if (interval_.off()) return false;
    if (interval_.unit == Interval::Unit::kSeconds) return t - last_t_ >= interval_.value;
    return static_cast<double>(iterations - last_iterations_) >= interval_.value;
  }
  void Mark(double t, std::uint64_t iterations) {
    last_t_ = t;
    last_iterations_ = iterations;
  }
  double last_t() const { return last_t_; }

 private:
  Interval interval_;
  double last_t_;
  std::uint64_t last_iterations_;
};

}  // namespace bp::trainer
