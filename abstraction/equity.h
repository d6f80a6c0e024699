// Hand strength against one uniformly random opponent hand, by exact
// enumeration: the building block of the card abstraction's features.
//
// On a complete (5-card) board, the expected hand strength of hole cards h is
//     EHS(h) = (wins + ties / 2) / C(45, 2)
// over the 990 opponent hands that share no card with h or the board. All
// 1,081 hole pairs of one board are ranked at once: sorted by strength, each
// pair's wins are the pairs ranked below it minus those that share one of its
// cards, kept per card as the sort is walked. Stateless functions;
// thread-safe; no allocation.
#pragma once

#include <array>
#include <cstdint>

#include "abstraction/card.h"
#include "abstraction/hand_evaluator.h"

namespace bp::abstraction {

inline constexpr int kNumHolePairs = 1326;

// Dense index of the hole pair {a, b}, a != b, in [0, 1326).
constexpr int HolePairIndex(Card a, Card b) {
  if (a > b) {
    const Card t = a;
    a = b;
    b = t;
  }
  // Pairs (x, y), x < y, ordered by x then y: x's pairs start after
  // 51 + 50 + ... + (52 - x).
  return a * (103 - a) / 2 + (b - a - 1);
}

// The cards of hole pair `index`.
std::array<Card, 2> HolePairCards(int index);

// EHS of every hole pair on `board` (5 distinct cards), written to
// ehs[HolePairIndex(a, b)]; pairs that use a board card are left untouched.
void RiverEhs(const HandEvaluator& evaluator, const Card* board, float* ehs);

}  // namespace bp::abstraction
