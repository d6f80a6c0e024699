// SamplingOptions: the MCCFR-P settings of an external-sampling solver
// (solver/external_sampling.h), and the choice of full-width CFR with its
// iteration weights (solver/full_width.h), with Pluribus' values (Brown & Sandholm,
// Science 2019) as the defaults. The trainer's config takes its defaults
// from here, so each is written once.
#pragma once

#include <cstdint>
#include <limits>

namespace bp::solver {

struct SamplingOptions {
  int average_streets = 1 << 30;      // strategy sums on streets below this; default all
  double prune_threshold = -3.0e6;    // in utility units (Pluribus: -300,000,000 chips, bb = 100)
  double prune_probability = 0.95;
  // 0: expected strategy-sum updates, unbiased only for two players; k:
  // sampled ones (Pluribus) after every iteration whose index is a multiple of k.
  std::uint64_t sampled_average_interval = 0;
  // The weight of iteration t (1, 2, ...) in the regret and strategy-sum
  // updates: t to this power (0: every iteration alike; 1: linear, as in
  // Linear CFR and CFR+'s average; 2: quadratic, as DCFR's average).
  // Full-width CFR only (solver/full_width.h).
  int regret_weight_power = 0;
  int average_weight_power = 0;
  // Full-width CFR (solver/full_width.h) instead of external sampling: the
  // trainer's solver.sampling: full.
  bool full_width = false;
  // Full width: regrets are kept at or above this after every pass, also
  // within a worker's batch (0: CFR+). External sampling takes its floor
  // from its Access, where deltas are applied.
  double regret_floor = -std::numeric_limits<double>::infinity();
};

// The weight of 1-based iteration t under a weight power (SamplingOptions).
inline double IterationWeight(std::uint64_t t, int power) {
  const double x = static_cast<double>(t);
  return power == 0 ? 1.0 : power == 1 ? x : x * x;
}

}  // namespace bp::solver
