// MaxDeltaBytesPerIteration: an upper bound on the bytes one external-
// sampling iteration can add to a worker's delta slab (solver/table_access.h
// wire format: an 8-byte header per touched infoset and 8 bytes per action).
//
// In one traversal for player p, every decision node of p below a visited
// node is visited, and at the other players' nodes one sampled child is
// followed; so the bound for p is, bottom-up,
//   W_p(terminal) = 0
//   W_p(node)     = 8 + 8 n + (sum over children if p acts, else max) W_p(child)
// and an iteration (one traversal per player) touches at most the sum over p
// of W_p(root). A batch of k iterations needs at most k times that, which for
// large trees is far below the whole-table bound MaxDeltaBytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "solver/game.h"
#include "solver/table_access.h"

namespace bp::solver {

// Sums over players p of a bottom-up value at the root:
//   V_p(node) = 0                                     if zero_at(node)
//   V_p(node) = own(node, p, n) + (follow_all(node, p) ? sum : max) of V_p(child)
// computed without recursion (trees can be deep), each node once per player.
template <Game G, class ZeroAt, class Own, class FollowAll>
std::uint64_t SumOverPlayersBottomUp(const G& game, ZeroAt zero_at, Own own, FollowAll follow_all) {
  std::uint64_t total = 0;
  std::vector<std::uint64_t> memo(game.NumNodes());
  std::vector<char> done(game.NumNodes());
  for (int p = 0; p < game.NumPlayers(); ++p) {
    std::fill(done.begin(), done.end(), 0);
    // Iterative post-order: a node is finished once its children are.
    std::vector<std::pair<NodeId, bool>> stack{{game.Root(), false}};
    while (!stack.empty()) {
      const auto [node, expanded] = stack.back();
      stack.pop_back();
      if (done[node]) continue;
      if (zero_at(node)) {
        memo[node] = 0;
        done[node] = 1;
        continue;
      }
      const int n = game.NumActions(node);
      if (!expanded) {
        stack.push_back({node, true});
        for (int a = 0; a < n; ++a) {
          const NodeId child = game.Child(node, a);
          if (!done[child]) stack.push_back({child, false});
        }
        continue;
      }
      const bool all = follow_all(node, p);
      std::uint64_t below = 0;
      for (int a = 0; a < n; ++a) {
        const std::uint64_t w = memo[game.Child(node, a)];
        below = all ? below + w : std::max(below, w);
      }
      memo[node] = own(node, p, n) + below;
      done[node] = 1;
    }
    total += memo[game.Root()];
  }
  return total;
}

// The bytes one touched infoset of n actions takes in a slab.
inline std::uint64_t RecordBytes(int n) {
  return sizeof(std::uint64_t) + static_cast<std::uint64_t>(n) * sizeof(DeltaPair);
}

template <Game G>
std::uint64_t MaxDeltaBytesPerIteration(const G& game) {
  return SumOverPlayersBottomUp(
      game, [&](NodeId node) { return game.IsTerminal(node); }, [](NodeId, int, int n) { return RecordBytes(n); },
      [&](NodeId node, int p) { return game.Player(node) == p; });
}

// An upper bound on the bytes one sampled strategy update (external_sampling.h:
// one UPDATE-STRATEGY traversal per player over the first `average_streets`
// streets) can add: for player p, bottom-up,
//   U_p(terminal or a later street) = 0
//   U_p(node of p)    = 8 + 8 n + max over children U_p(child)   (one action followed)
//   U_p(other player) = sum over children U_p(child)              (every action followed)
// summed over p.
template <Game G>
std::uint64_t MaxStrategyUpdateBytes(const G& game, int average_streets) {
  return SumOverPlayersBottomUp(
      game, [&](NodeId node) { return game.IsTerminal(node) || game.Street(node) >= average_streets; },
      [&](NodeId node, int p, int n) { return game.Player(node) == p ? RecordBytes(n) : 0; },
      [&](NodeId node, int p) { return game.Player(node) != p; });
}

// The bytes a batch of `iterations` can emit: the per-iteration bound each
// iteration, and, with sampled strategy updates every `update_interval`
// iterations (0: none), one update's bound for each multiple of the interval
// the batch can contain, ceil(iterations / interval).
inline std::uint64_t MaxDeltaBytesPerBatch(std::uint64_t iterations, std::uint64_t per_iteration,
                                           std::uint64_t per_update, std::uint64_t update_interval) {
  const std::uint64_t updates = update_interval > 0 ? (iterations + update_interval - 1) / update_interval : 0;
  return iterations * per_iteration + updates * per_update;
}

}  // namespace bp::solver
