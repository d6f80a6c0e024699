// The game concepts that the solver is generic over.
//
// A game is seen as a public betting tree plus a deal. The tree is static and
// dense: nodes are numbered 0..NumNodes()-1, the children of a decision node are
// reached with Child(node, action). Everything hidden (private cards) and all
// chance (board cards) is drawn up front as one Deal per traversal, which is
// equivalent to sampling chance where it occurs for external sampling since
// chance is independent of the actions taken. An information set is
// (decision node, bucket of the acting player on that node's street); the game
// decides what a bucket is (a private card, a card-abstraction cluster, ...).
//
// The solver uses only these member functions; all are called in the
// traversal hot loop, so a game keeps them inline and allocation-free.
// Static dispatch only: no virtual calls per node.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "solver/rng.h"

namespace bp::solver {

using NodeId = std::uint32_t;

// Upper bound on actions at any decision node; checked when the table layout is built.
inline constexpr int kMaxActions = 16;

template <class G>
concept Game = requires(const G& g, NodeId node, int player, int street, int action,
                        std::uint32_t bucket, const typename G::Deal& deal, Rng& rng) {
  requires std::is_trivially_copyable_v<typename G::Deal>;
  { g.NumPlayers() } -> std::convertible_to<int>;
  { g.NumStreets() } -> std::convertible_to<int>;
  { g.NumBuckets(street) } -> std::convertible_to<std::uint32_t>;  // per street, same for all players
  { g.NumNodes() } -> std::convertible_to<NodeId>;
  { g.Root() } -> std::convertible_to<NodeId>;
  { g.IsTerminal(node) } -> std::convertible_to<bool>;
  { g.Player(node) } -> std::convertible_to<int>;      // decision nodes only
  { g.Street(node) } -> std::convertible_to<int>;
  { g.NumActions(node) } -> std::convertible_to<int>;  // 0 at terminals
  { g.Child(node, action) } -> std::convertible_to<NodeId>;
  { g.SampleDeal(rng) } -> std::same_as<typename G::Deal>;
  { g.Bucket(deal, player, street) } -> std::convertible_to<std::uint32_t>;
  { g.Utility(deal, node, player) } -> std::convertible_to<double>;  // terminals only
  { g.InfosetName(node, bucket) } -> std::convertible_to<std::string>;
  { g.ActionName(node, action) } -> std::convertible_to<std::string>;
};

// A game small enough to enumerate every deal: exact best response, exact
// expected values. DealProbability over all deals sums to 1.
template <class G>
concept EnumerableGame = Game<G> && requires(const G& g, std::size_t i) {
  { g.NumDeals() } -> std::convertible_to<std::size_t>;
  { g.DealAt(i) } -> std::same_as<typename G::Deal>;
  { g.DealProbability(i) } -> std::convertible_to<double>;
};

}  // namespace bp::solver
