// PreflopEquity: the exact all-in equity of every hole pair against every
// other disjoint hole pair, P(win) + P(tie) / 2 over all 1,712,304 boards of
// the 48 cards left. Computed once per matchup class under suit isomorphism
// (93,769 ordered classes; a class and its mirror image share the work), then
// cached as a file.
//
// In the file frame (base/file_frame.h): magic "BPEQTY01", version 2. The
// body (little-endian): u32 pairs (1326), u32 zero, then 1326 x 1326 float32
// (row = first pair, column = second; 0 on the diagonal and for pairs that
// share a card). Version 1 (earlier builds, still read) had the frame without
// a length (FrameLayout::kNoLength, FNV-1a 64) with the pair count in its
// header word and the table as the body. Thread-safe after construction.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "abstraction/equity.h"
#include "abstraction/hand_evaluator.h"
#include "abstraction/kmeans.h"
#include "base/file_frame.h"

namespace bp::abstraction {

extern const base::FrameFormat kPreflopEquityFormat;

class PreflopEquity {
 public:
  // Computes every matchup: tasks of about 64 classes handed to `parallel`.
  static PreflopEquity Compute(const HandEvaluator& evaluator, const ParallelFor& parallel);
  // Reads a cached table; AssetError naming the file and the problem.
  static PreflopEquity Load(const std::string& path);
  // The same for a file's bytes in memory (`path` names it in messages).
  static PreflopEquity Decode(std::span<const char> file, const std::string& path);
  // All zeros: for tools that need a PreflopGame's tree and names only.
  static PreflopEquity Empty();
  // Writes the table atomically (base::AtomicWriteFile); AssetError on failure.
  void Save(const std::string& path) const;

  // Requires: pair indices (HolePairIndex) that share no card.
  float Equity(int pair_a, int pair_b) const {
    return table_[static_cast<std::size_t>(pair_a) * kNumHolePairs + static_cast<std::size_t>(pair_b)];
  }

 private:
  std::vector<float> table_;  // kNumHolePairs^2
};

}  // namespace bp::abstraction
