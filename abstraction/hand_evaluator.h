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
//   otherwise: rank sum -> row displacement perfect hash -> strength
// Tables hold a 16-bit strength: the position of the hand's HandRank among
// all 7,462 distinct five-card ranks (1 = 7-5-4-3-2 high card, 7,462 = royal
// flush), so higher wins and equal ties exactly as with HandRank; a table of
// 7,462 HandRanks turns a strength back into a rank and its category.
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

  using Strength = std::uint16_t;
  static constexpr int kNumStrengths = 7462;

  // Requires: seven distinct cards. Compare strengths for showdowns and
  // equities: the fastest path.
  Strength Strength7(const Card* cards) const {
    // Summed as a tree: three dependent additions instead of seven.
    const std::uint64_t key = ((card_key_[cards[0]] + card_key_[cards[1]]) + (card_key_[cards[2]] + card_key_[cards[3]])) +
                              ((card_key_[cards[4]] + card_key_[cards[5]]) + (card_key_[cards[6]] + kSuitBias));
    const auto flush = static_cast<std::uint32_t>(key >> 32) & 0x8888u;
    if (flush != 0) [[unlikely]] return FlushStrength(cards, flush);
    const auto sum = static_cast<std::uint32_t>(key);
    return strength_table_[offset_[sum >> kRowBits] + (sum & kRowMask)];
  }
  // Requires: seven distinct cards.
  HandRank Evaluate7(const Card* cards) const { return rank_of_strength_[Strength7(cards)]; }

  // Incremental use, for enumerations that share cards across hands: the
  // key of a hand is the sum of its cards' keys; StrengthOfKey takes the
  // sum of seven cards' keys and, for the rare flush, the cards themselves.
  std::uint64_t CardKey(Card c) const { return card_key_[c]; }
  Strength StrengthOfKey(std::uint64_t seven_card_key, const Card* cards) const {
    const std::uint64_t key = seven_card_key + kSuitBias;
    const auto flush = static_cast<std::uint32_t>(key >> 32) & 0x8888u;
    if (flush != 0) [[unlikely]] return FlushStrength(cards, flush);
    const auto sum = static_cast<std::uint32_t>(key);
    return strength_table_[offset_[sum >> kRowBits] + (sum & kRowMask)];
  }
  // Requires: 1 <= strength <= kNumStrengths.
  HandRank RankOfStrength(Strength strength) const { return rank_of_strength_[strength]; }
  // Requires: 5 to 7 cards.
  HandRank Evaluate(CardMask hand) const;

  // Bytes of lookup tables (card keys, flush table, offsets, rank table).
  std::size_t table_bytes() const;

 private:
  static constexpr std::uint64_t kSuitBias = 0x3333ULL << 32;
  static constexpr int kRowBits = 11;
  static constexpr std::uint32_t kRowMask = (1u << kRowBits) - 1;

  Strength FlushStrength(const Card* cards, std::uint32_t flush) const;

  std::array<std::uint64_t, kNumCards> card_key_{};
  std::vector<Strength> flush_table_;       // 13-bit rank mask -> strength
  std::vector<std::uint32_t> offset_;       // rank sum >> kRowBits -> displacement
  std::vector<Strength> strength_table_;    // displaced rank sums -> strength
  std::vector<HandRank> rank_of_strength_;  // strength -> HandRank; [0] unused
};

}  // namespace bp::abstraction
