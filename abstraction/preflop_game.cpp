#include "abstraction/preflop_game.h"

#include <fmt/core.h>

namespace bp::abstraction {

PreflopGame::PreflopGame(const TableConfig& table, const BettingAbstraction& betting, const PreflopEquity& equity)
    : tree_([&] {
        if (table.players != 2) {
          throw std::invalid_argument(fmt::format("the preflop game is heads-up: game.players must be 2, found {}",
                                                  table.players));
        }
        for (int s = 1; s < static_cast<int>(kNumStreets); ++s) {
          if (betting.streets[static_cast<std::size_t>(s)].max_raises != 0) {
            throw std::invalid_argument(fmt::format(
                "the preflop game has no bets after the preflop: betting.{}.max_raises must be 0, found {}",
                s == 1 ? "flop" : s == 2 ? "turn" : "river", betting.streets[static_cast<std::size_t>(s)].max_raises));
          }
        }
        return BettingTree(table, betting, 1u << 20);
      }()),
      equity_(equity),
      big_blind_(table.big_blind) {
  disjoint_.reserve(static_cast<std::size_t>(kNumHolePairs) * kOpponentPairs);
  for (int a = 0; a < kNumHolePairs; ++a) {
    const auto ca = HolePairCards(a);
    const CardMask ma = MaskOf(ca[0]) | MaskOf(ca[1]);
    for (int b = 0; b < kNumHolePairs; ++b) {
      const auto cb = HolePairCards(b);
      if (!(ma & (MaskOf(cb[0]) | MaskOf(cb[1])))) disjoint_.push_back(static_cast<std::uint16_t>(b));
    }
  }
  const HoldemIndexer indexer(IsomorphismMode::kBoardAsSet);
  class_of_.resize(kNumHolePairs);
  for (int p = 0; p < kNumHolePairs; ++p) {
    const auto c = HolePairCards(p);
    class_of_[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(indexer.Index(0, c.data(), nullptr));
  }
  for (std::uint32_t c = 0; c < 169; ++c) class_names_.push_back(ClassName(indexer, c));
}

std::string PreflopGame::ClassName(const HoldemIndexer& indexer, std::uint32_t preflop_class) {
  Card hole[2];
  indexer.Unindex(0, preflop_class, hole, nullptr);
  int hi = RankOf(hole[0]), lo = RankOf(hole[1]);
  if (hi < lo) std::swap(hi, lo);
  std::string name{kRankChars[hi], kRankChars[lo]};
  if (hi != lo) name += SuitOf(hole[0]) == SuitOf(hole[1]) ? 's' : 'o';
  return name;
}

std::string PreflopGame::InfosetName(std::uint32_t node, std::uint32_t bucket) const {
  // "AKs:" then the actions that led to the node, e.g. "AKs:a1000".
  const std::string cards = Street(node) == 0 ? class_names_[bucket] : std::string("*");
  return cards + ":" + tree_.History(node);
}

}  // namespace bp::abstraction
