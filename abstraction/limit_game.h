// LimitGame: the shared machinery of small two-player limit poker games
// (Kuhn, Leduc): a public betting tree built from fixed-limit rules, and a
// table of every deal (all equally likely) with its showdown outcome and the
// players' buckets per street precomputed, so that the solver's hot-loop
// calls are table reads.
//
// Betting rules: each player antes `ante`; in every round player 0 acts first;
// a player facing a bet may fold, call, or raise (if fewer than `max_raises`
// bets/raises were made this round); a player not facing a bet may check or
// bet. A round ends on check-check or on a call; after the last round the hand
// goes to showdown. The fold is offered only when facing a bet.
//
// Tree layout: node 0 is the root; the children of a decision node are
// contiguous (Child(n, a) = first_child + a); nodes are numbered depth-first.
// Immutable after construction; thread-compatible; no allocation after it.
#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace bp::abstraction {

__extension__ using Uint128 = unsigned __int128;

// Uniform index in [0, n) from a 64-bit generator, by multiply-shift.
template <std::uniform_random_bit_generator R>
inline std::uint32_t UniformIndex(R& rng, std::uint32_t n) {
  static_assert(R::min() == 0 && R::max() == ~std::uint64_t{0}, "needs a full 64-bit generator");
  return static_cast<std::uint32_t>((static_cast<Uint128>(rng()) * n) >> 64);
}

struct LimitRules {
  int rounds = 1;
  int ante = 1;
  std::array<int, 2> bet_size{1, 1};  // per round
  int max_raises = 1;                 // bets + raises per round
  // Letters for history strings: fold, check, call, bet, raise.
  std::array<char, 5> letters{'f', 'c', 'c', 'r', 'r'};
};

enum class LimitAction : std::uint8_t { kFold, kCheck, kCall, kBet, kRaise };

template <int kStreets>
struct LimitDeal {
  std::array<std::uint8_t, 3> cards;  // player 0, player 1, board (if any)
  std::int8_t showdown;               // +1 player 0 wins, -1 player 1 wins, 0 split
  std::array<std::array<std::uint8_t, kStreets>, 2> bucket;
};

template <int kStreets>
class LimitGame {
 public:
  using Deal = LimitDeal<kStreets>;

  int NumPlayers() const { return 2; }
  int NumStreets() const { return kStreets; }
  std::uint32_t NumNodes() const { return static_cast<std::uint32_t>(nodes_.size()); }
  std::uint32_t Root() const { return 0; }
  bool IsTerminal(std::uint32_t n) const { return nodes_[n].num_actions == 0; }
  int Player(std::uint32_t n) const { return nodes_[n].player; }
  int Street(std::uint32_t n) const { return nodes_[n].street; }
  int NumActions(std::uint32_t n) const { return nodes_[n].num_actions; }
  std::uint32_t Child(std::uint32_t n, int a) const { return nodes_[n].first_child + a; }

  template <std::uniform_random_bit_generator R>
  Deal SampleDeal(R& rng) const {
    return deals_[UniformIndex(rng, static_cast<std::uint32_t>(deals_.size()))];
  }
  std::uint32_t Bucket(const Deal& deal, int player, int street) const { return deal.bucket[player][street]; }

  // One table read, no branch (the showdown's outcome is a coin flip).
  double Utility(const Deal& deal, std::uint32_t n, int player) const {
    return payoff_[n][static_cast<std::size_t>(3 * player + deal.showdown + 1)];
  }

  std::size_t NumDeals() const { return deals_.size(); }
  Deal DealAt(std::size_t i) const { return deals_[i]; }
  double DealProbability(std::size_t) const { return 1.0 / static_cast<double>(deals_.size()); }

  // The action that leads from `n` to its child `a`, and its one-letter name.
  LimitAction ActionAt(std::uint32_t n, int a) const { return action_[Child(n, a)]; }
  std::string ActionName(std::uint32_t n, int a) const {
    return std::string(1, rules_.letters[static_cast<int>(ActionAt(n, a))]);
  }
  // Public betting history of a node, rounds separated by '/', e.g. "rc/cr".
  const std::string& History(std::uint32_t n) const { return history_[n]; }
  // Chips each player has put in at node n (antes included).
  int Contribution(std::uint32_t n, int player) const { return nodes_[n].contribution[player]; }

 protected:
  explicit LimitGame(const LimitRules& rules);
  std::vector<Deal> deals_;

 private:
  struct Node {
    std::uint32_t first_child = 0;
    std::uint8_t num_actions = 0;  // 0 at terminals
    std::int8_t player = -1;       // acting player; -1 at terminals
    std::uint8_t street = 0;
    std::int8_t folder = -1;       // at terminals: who folded, -1 for a showdown
    std::array<std::int32_t, 2> contribution{};
  };
  struct BuildState {
    int round = 0;
    int player = 0;
    int raises = 0;
    int actions_in_round = 0;
    std::array<std::int32_t, 2> contribution{};
    std::string history;
  };
  void Build(std::uint32_t id, const BuildState& state);

  LimitRules rules_;
  std::vector<Node> nodes_;
  std::vector<LimitAction> action_;  // action leading to each node (root: kCheck, unused)
  std::vector<std::string> history_;
  // At terminals: the payoff to player p when player 0's showdown outcome is
  // s (-1, 0, +1), at 3 * p + s + 1 (a fold ignores s).
  std::vector<std::array<double, 6>> payoff_;
};

}  // namespace bp::abstraction
