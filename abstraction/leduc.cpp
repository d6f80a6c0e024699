#include "abstraction/leduc.h"

namespace bp::abstraction {

namespace {
LimitRules LeducRules() {
  LimitRules rules;
  rules.rounds = 2;
  rules.ante = 1;
  rules.bet_size = {2, 4};
  rules.max_raises = 2;
  rules.letters = {'f', 'c', 'c', 'r', 'r'};
  return rules;
}
}  // namespace

LeducHoldem::LeducHoldem() : LimitGame<2>(LeducRules()) {
  for (std::uint8_t c0 = 0; c0 < 6; ++c0) {
    for (std::uint8_t c1 = 0; c1 < 6; ++c1) {
      for (std::uint8_t board = 0; board < 6; ++board) {
        if (c0 == c1 || board == c0 || board == c1) continue;
        Deal deal{};
        deal.cards = {c0, c1, board};
        deal.showdown = static_cast<std::int8_t>(CompareHands(c0, c1, board));
        deal.bucket[0] = {c0, static_cast<std::uint8_t>(RoundOneBucket(c0, board))};
        deal.bucket[1] = {c1, static_cast<std::uint8_t>(RoundOneBucket(c1, board))};
        deals_.push_back(deal);
      }
    }
  }
}

std::string LeducHoldem::CardName(int card) {
  return std::string{"JQK"[Rank(card)], "sh"[card % 2]};
}

int LeducHoldem::CompareHands(int a, int b, int board) {
  const bool pair_a = Rank(a) == Rank(board);
  const bool pair_b = Rank(b) == Rank(board);
  if (pair_a != pair_b) return pair_a ? 1 : -1;
  if (Rank(a) != Rank(b)) return Rank(a) > Rank(b) ? 1 : -1;
  return 0;
}

std::string LeducHoldem::InfosetName(std::uint32_t node, std::uint32_t bucket) const {
  if (Street(node) == 0) return CardName(static_cast<int>(bucket)) + ":" + History(node);
  const int card = static_cast<int>(bucket / 5);
  const int index = static_cast<int>(bucket % 5);
  const int board = index < card ? index : index + 1;
  return CardName(card) + " " + CardName(board) + ":" + History(node);
}

}  // namespace bp::abstraction
