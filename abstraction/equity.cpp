#include "abstraction/equity.h"

#include <algorithm>

namespace bp::abstraction {

std::array<Card, 2> HolePairCards(int index) {
  int a = 0;
  while (HolePairIndex(static_cast<Card>(a), 51) < index) ++a;
  const int b = index - HolePairIndex(static_cast<Card>(a), static_cast<Card>(a + 1)) + a + 1;
  return {static_cast<Card>(a), static_cast<Card>(b)};
}

void RiverEhs(const HandEvaluator& evaluator, const Card* board, float* ehs) {
  CardMask used = 0;
  for (int i = 0; i < 5; ++i) used |= MaskOf(board[i]);
  // (strength << 16 | a << 8 | b) for every pair of the 47 cards left.
  std::array<std::uint32_t, 1081> keys;
  int n = 0;
  std::array<Card, 7> cards;
  std::copy(board, board + 5, cards.begin() + 2);
  for (int a = 0; a < kNumCards; ++a) {
    if (used & MaskOf(static_cast<Card>(a))) continue;
    cards[0] = static_cast<Card>(a);
    for (int b = a + 1; b < kNumCards; ++b) {
      if (used & MaskOf(static_cast<Card>(b))) continue;
      cards[1] = static_cast<Card>(b);
      keys[static_cast<std::size_t>(n++)] =
          static_cast<std::uint32_t>(evaluator.Strength7(cards.data())) << 16 | static_cast<std::uint32_t>(a << 8 | b);
    }
  }
  std::sort(keys.begin(), keys.begin() + n);
  // Walk groups of equal strength, low to high.
  std::array<int, kNumCards> below_with{};  // pairs ranked below the group that hold the card
  std::array<int, kNumCards> group_with{};
  int below = 0;
  constexpr float kOpponents = 990.0f;
  for (int start = 0; start < n;) {
    const std::uint32_t strength = keys[static_cast<std::size_t>(start)] >> 16;
    int end = start;
    while (end < n && keys[static_cast<std::size_t>(end)] >> 16 == strength) {
      const std::uint32_t k = keys[static_cast<std::size_t>(end)];
      ++group_with[k >> 8 & 0xFF];
      ++group_with[k & 0xFF];
      ++end;
    }
    const int group = end - start;
    for (int i = start; i < end; ++i) {
      const std::uint32_t k = keys[static_cast<std::size_t>(i)];
      const int a = static_cast<int>(k >> 8 & 0xFF), b = static_cast<int>(k & 0xFF);
      // Disjoint from {a, b}: everything minus those holding a or b; the pair
      // {a, b} itself holds both and is counted once back (it is in the group).
      const int wins = below - below_with[static_cast<std::size_t>(a)] - below_with[static_cast<std::size_t>(b)];
      const int ties = group - group_with[static_cast<std::size_t>(a)] - group_with[static_cast<std::size_t>(b)] + 1;
      ehs[HolePairIndex(static_cast<Card>(a), static_cast<Card>(b))] =
          (static_cast<float>(wins) + 0.5f * static_cast<float>(ties)) / kOpponents;
    }
    for (int i = start; i < end; ++i) {
      const std::uint32_t k = keys[static_cast<std::size_t>(i)];
      const int a = static_cast<int>(k >> 8 & 0xFF), b = static_cast<int>(k & 0xFF);
      ++below_with[static_cast<std::size_t>(a)];
      ++below_with[static_cast<std::size_t>(b)];
      group_with[static_cast<std::size_t>(a)] = 0;
      group_with[static_cast<std::size_t>(b)] = 0;
    }
    below += group;
    start = end;
  }
}

}  // namespace bp::abstraction
