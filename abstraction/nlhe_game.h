// NlheGame: no-limit hold'em for 2 to 6 players as a game of the solver
// (solver/game.h): the betting tree of a BettingAbstraction, the card
// abstraction of a bucket file (imperfect recall: the bucket of the current
// street only), and showdowns by the 7-card evaluator.
//
// A deal draws every player's hole cards and the five board cards at once,
// and looks up each player's bucket on every street and hand strength then,
// so the traversal itself does table reads only. Infoset = (betting node,
// bucket of the current street). Utilities are in big blinds. Regrets are
// int32 in hundredths of a big blind, as in Pluribus (solver/tables.h).
// Immutable; thread-safe; shares the bucket file and the evaluator (both
// read-only) with whoever owns them.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "abstraction/betting_tree.h"
#include "abstraction/bucket_file.h"
#include "abstraction/hand_evaluator.h"
#include "abstraction/limit_game.h"  // UniformIndex

namespace bp::abstraction {

class NlheGame {
 public:
  struct Deal {
    std::array<std::array<std::uint16_t, kNumStreets>, kMaxPlayers> bucket;  // [player][street]
    std::array<HandRank, kMaxPlayers> rank;                        // showdown strength (higher wins)
  };
  using Regret = std::int32_t;  // solver::RegretOf<NlheGame>

  // Requires: the bucket file's buckets fit 16 bits (they do: at most 65536).
  NlheGame(const TableConfig& table, const BettingAbstraction& betting, const BucketFile& buckets,
           const HandEvaluator& evaluator);

  int NumPlayers() const { return players_; }
  int NumStreets() const { return static_cast<int>(kNumStreets); }
  std::uint32_t NumBuckets(int street) const { return buckets_.buckets(street); }
  std::uint32_t NumNodes() const { return tree_.num_nodes(); }
  std::uint32_t Root() const { return BettingTree::kRoot; }
  bool IsTerminal(std::uint32_t node) const { return tree_.IsTerminal(node); }
  int Player(std::uint32_t node) const { return tree_.Player(node); }
  int Street(std::uint32_t node) const { return tree_.StreetOf(node); }
  int NumActions(std::uint32_t node) const { return tree_.NumActions(node); }
  std::uint32_t Child(std::uint32_t node, int action) const { return tree_.Child(node, action); }

  template <std::uniform_random_bit_generator R>
  Deal SampleDeal(R& rng) const {
    // A partial Fisher-Yates shuffle: the first 2 * players + 5 cards.
    std::array<Card, kNumCards> deck;
    for (int c = 0; c < kNumCards; ++c) deck[static_cast<std::size_t>(c)] = static_cast<Card>(c);
    const int needed = 2 * players_ + 5;
    for (int i = 0; i < needed; ++i) {
      const auto j = static_cast<std::size_t>(i) + UniformIndex(rng, static_cast<std::uint32_t>(kNumCards - i));
      std::swap(deck[static_cast<std::size_t>(i)], deck[j]);
    }
    return MakeDeal(deck.data());
  }
  // cards: players' hole cards (2 each, seat order), then the 5 board cards.
  Deal MakeDeal(const Card* cards) const;

  std::uint32_t Bucket(const Deal& deal, int player, int street) const {
    return deal.bucket[static_cast<std::size_t>(player)][static_cast<std::size_t>(street)];
  }
  double Utility(const Deal& deal, std::uint32_t node, int player) const {
    return tree_.Payoffs(node, deal.rank)[static_cast<std::size_t>(player)] / big_blind_;
  }
  // "flop b17:c-k/r300" : street, bucket, then the actions so far.
  std::string InfosetName(std::uint32_t node, std::uint32_t bucket) const;
  std::string ActionName(std::uint32_t node, int action) const { return abstraction::ActionName(tree_.Action(node, action)); }

  const BettingTree& tree() const { return tree_; }
  const BucketFile& buckets() const { return buckets_; }

 private:
  BettingTree tree_;
  const BucketFile& buckets_;
  const HandEvaluator& evaluator_;
  int players_;
  double big_blind_;
};

}  // namespace bp::abstraction
