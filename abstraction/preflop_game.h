// PreflopGame: heads-up no-limit hold'em decided preflop, for the solver's
// game concepts (solver/game.h), with exact expected values: the push/fold
// test game and its relatives.
//
// The betting tree comes from a BettingAbstraction whose flop, turn and river
// allow no bets (max_raises 0): every hand that is not folded preflop checks
// down to a showdown, whose value is the exact all-in equity of the two hands
// (PreflopEquity) times the pot. So a deal is just the two players' hole
// cards: 1326 x 1225 ordered pairs, enumerable for an exact best response.
// Buckets: the 169 lossless preflop classes (suit isomorphism); one bucket
// on later streets, where the only action is a check.
// Utilities are in big blinds. Immutable; thread-safe; the hot-path members
// are inline and allocate nothing.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "abstraction/betting_tree.h"
#include "abstraction/equity.h"
#include "abstraction/hand_indexer.h"
#include "abstraction/limit_game.h"  // UniformIndex
#include "abstraction/preflop_equity.h"

namespace bp::abstraction {

class PreflopGame {
 public:
  struct Deal {
    std::array<std::uint16_t, 2> pair;   // HolePairIndex of each player's cards
    std::array<std::uint8_t, 2> bucket;  // preflop class of each
  };

  // Requires: table.players == 2, no bets after the preflop; throws
  // std::invalid_argument naming what is wrong otherwise.
  PreflopGame(const TableConfig& table, const BettingAbstraction& betting, const PreflopEquity& equity);

  int NumPlayers() const { return 2; }
  int NumStreets() const { return static_cast<int>(kNumStreets); }
  std::uint32_t NumBuckets(int street) const { return street == 0 ? 169 : 1; }
  std::uint32_t NumNodes() const { return tree_.num_nodes(); }
  std::uint32_t Root() const { return BettingTree::kRoot; }
  bool IsTerminal(std::uint32_t node) const { return tree_.IsTerminal(node); }
  int Player(std::uint32_t node) const { return tree_.Player(node); }
  int Street(std::uint32_t node) const { return tree_.StreetOf(node); }
  int NumActions(std::uint32_t node) const { return tree_.NumActions(node); }
  std::uint32_t Child(std::uint32_t node, int action) const { return tree_.Child(node, action); }

  template <std::uniform_random_bit_generator R>
  Deal SampleDeal(R& rng) const {
    const std::uint32_t a = UniformIndex(rng, kNumHolePairs);
    return MakeDeal(a, disjoint_[a * kOpponentPairs + UniformIndex(rng, kOpponentPairs)]);
  }
  std::uint32_t Bucket(const Deal& deal, int player, int street) const {
    return street == 0 ? deal.bucket[static_cast<std::size_t>(player)] : 0;
  }
  double Utility(const Deal& deal, std::uint32_t node, int player) const {
    if (tree_.IsFoldTerminal(node)) return tree_.Payoffs(node, {})[static_cast<std::size_t>(player)] / big_blind_;
    // Showdown: each player stakes the smaller contribution (any excess is
    // uncalled and comes back), and wins both stakes with its equity.
    const auto c = tree_.Contributions(node);
    const double stake = std::min(c[0], c[1]);
    const double eq = equity_.Equity(deal.pair[static_cast<std::size_t>(player)], deal.pair[static_cast<std::size_t>(1 - player)]);
    return (2.0 * eq - 1.0) * stake / big_blind_;
  }
  std::string InfosetName(std::uint32_t node, std::uint32_t bucket) const;
  std::string ActionName(std::uint32_t node, int action) const { return abstraction::ActionName(tree_.Action(node, action)); }

  // Every ordered pair of disjoint hole pairs, equally likely.
  std::size_t NumDeals() const { return static_cast<std::size_t>(kNumHolePairs) * kOpponentPairs; }
  Deal DealAt(std::size_t i) const {
    const auto a = static_cast<std::uint32_t>(i / kOpponentPairs);
    return MakeDeal(a, disjoint_[i]);
  }
  double DealProbability(std::size_t) const { return 1.0 / static_cast<double>(NumDeals()); }

  const BettingTree& tree() const { return tree_; }
  // The preflop class (0..168) of a hole pair, and a name such as "AKs".
  std::uint32_t ClassOf(int pair) const { return class_of_[static_cast<std::size_t>(pair)]; }
  static std::string ClassName(const HoldemIndexer& indexer, std::uint32_t preflop_class);

 private:
  static constexpr std::uint32_t kOpponentPairs = 1225;  // C(50, 2)
  Deal MakeDeal(std::uint32_t a, std::uint32_t b) const {
    return {{static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b)},
            {static_cast<std::uint8_t>(class_of_[a]), static_cast<std::uint8_t>(class_of_[b])}};
  }

  BettingTree tree_;
  const PreflopEquity& equity_;
  double big_blind_;
  std::vector<std::uint16_t> disjoint_;  // per pair, the 1225 pairs sharing no card with it
  std::vector<std::uint8_t> class_of_;   // pair -> preflop class
  std::vector<std::string> class_names_;
};

}  // namespace bp::abstraction
