// HandEvaluator: fast 7-card hand evaluation by table lookup, returning the
// same HandRank as ReferenceEvaluate (higher wins, equal ties).
//
// Every card has a 64-bit key: the low 32 bits are its rank's multiplier, the
// bits from 32 hold one 4-bit counter per suit. A hand's key is the sum of
// its cards' keys plus 3 in every suit counter, so a suit holding five or more
// cards sets bit 3 of its counter (0x8888 << 32 tells a flush in one test).
// The multipliers make the rank sum distinct for every multiset of 7 ranks
// (at most 4 of each); found by a greedy search in which sums had to stay
// distinct among multisets of equal size at every prefix of ranks, the last
// one exceeding every prefix sum.
//   flush:     table of 8,192 entries indexed by the flush suit's rank mask
//   otherwise: rank sum -> row displacement perfect hash -> HandRank
// 5- and 6-card hands go to the reference evaluator.
// Built once by the constructor (tens of milliseconds); immutable and
// thread-safe afterwards; shared read-only by forked workers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "abstraction/card.h"
#include "abstraction/reference_evaluator.h"

namespace bp::abstraction {

class HandEvaluator {
 public:
  HandEvaluator();
  HandEvaluator(const HandEvaluator&) = delete;
  HandEvaluator& operator=(const HandEvaluator&) = delete;

  // Requires: seven distinct cards.
  HandRank Evaluate7(const Card* cards) const {
    // Summed as a tree: three dependent additions instead of seven.
    const std::uint64_t key = ((card_key_[cards[0]] + card_key_[cards[1]]) + (card_key_[cards[2]] + card_key_[cards[3]])) +
                              ((card_key_[cards[4]] + card_key_[cards[5]]) + (card_key_[cards[6]] + kSuitBias));
    const auto flush = static_cast<std::uint32_t>(key >> 32) & 0x8888u;
    if (flush != 0) [[unlikely]] return FlushRank(cards, flush);
    const auto sum = static_cast<std::uint32_t>(key);
    return rank_table_[offset_[sum >> kRowBits] + (sum & kRowMask)];
  }
  // Requires: 5 to 7 cards.
  HandRank Evaluate(CardMask hand) const;

  // Bytes of lookup tables (card keys, flush table, offsets, rank table).
  std::size_t table_bytes() const;

 private:
  static constexpr std::uint64_t kSuitBias = 0x3333ULL << 32;
  static constexpr int kRowBits = 11;
  static constexpr std::uint32_t kRowMask = (1u << kRowBits) - 1;

  HandRank FlushRank(const Card* cards, std::uint32_t flush) const;

  std::array<std::uint64_t, kNumCards> card_key_{};
  std::vector<HandRank> flush_table_;       // 13-bit rank mask -> rank
  std::vector<std::uint32_t> offset_;       // rank sum >> kRowBits -> displacement
  std::vector<HandRank> rank_table_;
};

}  // namespace bp::abstraction
