#include "abstraction/reference_evaluator.h"

#include <bit>

namespace bp::abstraction {

namespace {

// Highest rank of a 5-long run in a 13-bit rank mask (the wheel A-2-3-4-5
// counts with rank 3, the five), or -1.
int StraightHigh(std::uint32_t ranks) {
  for (int high = 12; high >= 4; --high) {
    const std::uint32_t run = 0x1fu << (high - 4);
    if ((ranks & run) == run) return high;
  }
  constexpr std::uint32_t kWheel = (1u << 12) | 0xfu;
  return (ranks & kWheel) == kWheel ? 3 : -1;
}

HandRank Make(HandCategory category, std::initializer_list<int> ranks) {
  HandRank r = static_cast<HandRank>(category) << 20;
  int shift = 16;
  for (int rank : ranks) {
    r |= static_cast<HandRank>(rank) << shift;
    shift -= 4;
  }
  return r;
}

// The `n` highest ranks in `mask`, written into out[]; returns how many.
int TopRanks(std::uint32_t mask, int n, int* out) {
  int k = 0;
  for (int rank = 12; rank >= 0 && k < n; --rank) {
    if (mask & (1u << rank)) out[k++] = rank;
  }
  return k;
}

}  // namespace

const char* CategoryName(HandCategory c) {
  static const char* const kNames[] = {"high card", "one pair",   "two pair",       "three of a kind", "straight",
                                       "flush",     "full house", "four of a kind", "straight flush"};
  return kNames[static_cast<int>(c)];
}

HandRank ReferenceEvaluate(CardMask hand) {
  std::uint32_t suit_ranks[4] = {0, 0, 0, 0};
  int count[13] = {};
  for (CardMask m = hand; m; m &= m - 1) {
    const Card c = static_cast<Card>(std::countr_zero(m));
    suit_ranks[SuitOf(c)] |= 1u << RankOf(c);
    ++count[RankOf(c)];
  }
  // Flushes (at most one suit can hold five of seven cards).
  for (std::uint32_t ranks : suit_ranks) {
    if (std::popcount(ranks) < 5) continue;
    const int high = StraightHigh(ranks);
    if (high >= 0) return Make(HandCategory::kStraightFlush, {high});
    int top[5];
    TopRanks(ranks, 5, top);
    return Make(HandCategory::kFlush, {top[0], top[1], top[2], top[3], top[4]});
  }
  std::uint32_t any = 0, pairs = 0, trips = 0, quads = 0;
  for (int rank = 0; rank < 13; ++rank) {
    if (count[rank] >= 1) any |= 1u << rank;
    if (count[rank] == 2) pairs |= 1u << rank;
    if (count[rank] == 3) trips |= 1u << rank;
    if (count[rank] == 4) quads |= 1u << rank;
  }
  int r[5] = {};
  if (quads) {
    TopRanks(quads, 1, r);
    TopRanks(any & ~(1u << r[0]), 1, r + 1);
    return Make(HandCategory::kFourOfAKind, {r[0], r[1]});
  }
  if (trips) {
    TopRanks(trips, 1, r);
    // The pair of a full house: another set of three, or the highest pair.
    const std::uint32_t rest = (trips & ~(1u << r[0])) | pairs;
    if (rest) {
      TopRanks(rest, 1, r + 1);
      return Make(HandCategory::kFullHouse, {r[0], r[1]});
    }
  }
  const int straight = StraightHigh(any);
  if (straight >= 0) return Make(HandCategory::kStraight, {straight});
  if (trips) {
    TopRanks(any & ~(1u << r[0]), 2, r + 1);
    return Make(HandCategory::kThreeOfAKind, {r[0], r[1], r[2]});
  }
  if (std::popcount(pairs) >= 2) {
    TopRanks(pairs, 2, r);
    TopRanks(any & ~(1u << r[0]) & ~(1u << r[1]), 1, r + 2);
    return Make(HandCategory::kTwoPair, {r[0], r[1], r[2]});
  }
  if (pairs) {
    TopRanks(pairs, 1, r);
    TopRanks(any & ~(1u << r[0]), 3, r + 1);
    return Make(HandCategory::kOnePair, {r[0], r[1], r[2], r[3]});
  }
  TopRanks(any, 5, r);
  return Make(HandCategory::kHighCard, {r[0], r[1], r[2], r[3], r[4]});
}

}  // namespace bp::abstraction
