// Features of every canonical hand of each street (suit isomorphism with the
// board as one set), computed by full enumeration, for the card abstraction:
//   river    EHS against one uniformly random opponent hand (exact)
//   turn     histogram of the river EHS over the 46 possible river cards,
//            and its mean
//   flop     histogram of the river EHS over all 1,081 turn-and-river
//            runouts (the sum of the 47 turn histograms), and its mean
//   preflop  the same over all flops (sum of the 19,600 flop histograms);
//            its mean is the all-in equity against one random hand
// Histogram bin of an EHS e: min(bins - 1, floor(e * bins)).
// Each function fills the entries of one range of indices, so callers can
// split a street across threads; reads of the previous street's arrays are
// shared and read-only. No allocation beyond a few small buffers.
#pragma once

#include <cstdint>

#include "abstraction/hand_evaluator.h"
#include "abstraction/hand_indexer.h"

namespace bp::abstraction {

inline int EhsBin(float ehs, int bins) {
  const int b = static_cast<int>(ehs * static_cast<float>(bins));
  return b < 0 ? 0 : (b >= bins ? bins - 1 : b);
}

// river_ehs[river index] for every hand on the canonical boards [first, last)
// of `boards` (a HandIndexer over one round of 5 cards). Every river class
// has its board in exactly one board class, so the ranges of different
// calls never write the same entry.
void ComputeRiverEhs(const HandEvaluator& evaluator, const HoldemIndexer& indexer, const HandIndexer& boards,
                     std::uint64_t first, std::uint64_t last, float* river_ehs);

// Turn classes [first, last): hist[i * bins + b] (counts, at most 46) and mean[i].
void ComputeTurnFeatures(const HoldemIndexer& indexer, const float* river_ehs, int bins, std::uint64_t first,
                         std::uint64_t last, std::uint8_t* hist, float* mean);

// Flop classes [first, last): hist[i * bins + b] (counts, at most 2,162:
// every runout twice, as turn-then-river and river-then-turn) and mean[i].
void ComputeFlopFeatures(const HoldemIndexer& indexer, const std::uint8_t* turn_hist, const float* turn_mean,
                         int bins, std::uint64_t first, std::uint64_t last, std::uint16_t* hist, float* mean);

// Preflop classes [first, last): hist[i * bins + b] and mean[i] (double: the
// equity figures are quoted to three decimals).
void ComputePreflopFeatures(const HoldemIndexer& indexer, const std::uint16_t* flop_hist, const float* flop_mean,
                            int bins, std::uint64_t first, std::uint64_t last, std::uint64_t* hist, double* mean);

}  // namespace bp::abstraction
