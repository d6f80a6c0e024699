// SamplingOptions: the MCCFR-P settings of an external-sampling solver
// (solver/external_sampling.h), with Pluribus' values (Brown & Sandholm,
// Science 2019) as the defaults. The trainer's config takes its defaults
// from here, so each is written once.
#pragma once

#include <cstdint>

namespace bp::solver {

struct SamplingOptions {
  int average_streets = 1 << 30;      // strategy sums on streets below this; default all
  double prune_threshold = -3.0e6;    // in utility units (Pluribus: -300,000,000 chips, bb = 100)
  double prune_probability = 0.95;
  // 0: expected strategy-sum updates, unbiased only for two players; k:
  // sampled ones (Pluribus) after every iteration whose index is a multiple of k.
  std::uint64_t sampled_average_interval = 0;
};

}  // namespace bp::solver
