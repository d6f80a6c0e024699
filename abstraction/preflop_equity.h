// PreflopEquity: the exact all-in equity of every hole pair against every
// other disjoint hole pair, P(win) + P(tie) / 2 over all 1,712,304 boards of
// the 48 cards left. Computed once per matchup class under suit isomorphism
// (93,769 ordered classes; a class and its mirror image share the work), then
// cached as a file.
//
// File layout (little-endian): magic "BPEQTY01", u32 version (1), u32 pairs
// (1326), then 1326 x 1326 float32 (row = first pair, column = second; 0 on
// the diagonal and for pairs that share a card), then u64 FNV-1a 64 of all
// bytes before it. Thread-safe after construction.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "abstraction/equity.h"
#include "abstraction/hand_evaluator.h"
#include "abstraction/kmeans.h"

namespace bp::abstraction {

class PreflopEquity {
 public:
  // Computes every matchup: tasks of about 64 classes handed to `parallel`.
  static PreflopEquity Compute(const HandEvaluator& evaluator, const ParallelFor& parallel);
  // Reads a cached table; AssetError naming the file and the problem.
  static PreflopEquity Load(const std::string& path);
  // All zeros: for tools that need a PreflopGame's tree and names only.
  static PreflopEquity Empty();
  // Writes the table (temporary file, fsync, rename); AssetError on failure.
  void Save(const std::string& path) const;

  // Requires: pair indices (HolePairIndex) that share no card.
  float Equity(int pair_a, int pair_b) const {
    return table_[static_cast<std::size_t>(pair_a) * kNumHolePairs + static_cast<std::size_t>(pair_b)];
  }

 private:
  std::vector<float> table_;  // kNumHolePairs^2
};

}  // namespace bp::abstraction
