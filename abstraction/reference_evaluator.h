// ReferenceEvaluator: a plain, obviously correct poker hand evaluator for 5
// to 7 cards, written for clarity rather than speed. It is the oracle that
// faster evaluators are checked against, and serves the engine's showdown
// until one lands.
//
// HandRank: higher wins, equal ties. Layout: category << 20 | five 4-bit
// ranks (the hand's deciding ranks, most significant first), so values of
// one category order by their kickers. Among all 5-card hands there are
// exactly 7,462 distinct values. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "abstraction/card.h"

namespace bp::abstraction {

using HandRank = std::uint32_t;

enum class HandCategory : std::uint8_t {
  kHighCard = 0,
  kOnePair,
  kTwoPair,
  kThreeOfAKind,
  kStraight,
  kFlush,
  kFullHouse,
  kFourOfAKind,
  kStraightFlush,
};
inline constexpr int kNumCategories = 9;

constexpr HandCategory CategoryOf(HandRank r) { return static_cast<HandCategory>(r >> 20); }
const char* CategoryName(HandCategory c);

// The best 5-card hand among the cards of `hand`. Requires: 5 <= cards <= 7.
HandRank ReferenceEvaluate(CardMask hand);

}  // namespace bp::abstraction
