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

template <Game G>
std::uint64_t MaxDeltaBytesPerIteration(const G& game) {
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
      if (game.IsTerminal(node)) {
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
      std::uint64_t below = 0;
      for (int a = 0; a < n; ++a) {
        const std::uint64_t w = memo[game.Child(node, a)];
        below = game.Player(node) == p ? below + w : std::max(below, w);
      }
      memo[node] = sizeof(std::uint64_t) + static_cast<std::uint64_t>(n) * sizeof(DeltaPair) + below;
      done[node] = 1;
    }
    total += memo[game.Root()];
  }
  return total;
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
  std::uint64_t total = 0;
  std::vector<std::uint64_t> memo(game.NumNodes());
  std::vector<char> done(game.NumNodes());
  for (int p = 0; p < game.NumPlayers(); ++p) {
    std::fill(done.begin(), done.end(), 0);
    std::vector<std::pair<NodeId, bool>> stack{{game.Root(), false}};
    while (!stack.empty()) {
      const auto [node, expanded] = stack.back();
      stack.pop_back();
      if (done[node]) continue;
      if (game.IsTerminal(node) || game.Street(node) >= average_streets) {
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
      std::uint64_t below = 0;
      for (int a = 0; a < n; ++a) {
        const std::uint64_t w = memo[game.Child(node, a)];
        below = game.Player(node) == p ? std::max(below, w) : below + w;
      }
      memo[node] = (game.Player(node) == p ? sizeof(std::uint64_t) + static_cast<std::uint64_t>(n) * sizeof(DeltaPair)
                                           : 0) +
                   below;
      done[node] = 1;
    }
    total += memo[game.Root()];
  }
  return total;
}

}  // namespace bp::solver
