// ExactEvaluator: exact best response, expected values, NashConv and
// exploitability of a TabularPolicy, by walking the public tree once with a
// vector of weights over every deal (games small enough to enumerate).
//
// The best responder's infoset at a node is (node, its bucket on that street);
// this is exact for games with perfect recall where the bucket is the
// player's whole private information (Kuhn, Leduc, lossless preflop games).
// NashConv = sum over players of (best-response value - policy value);
// exploitability = NashConv / number of players.
//
// Measuring is separate from solving: the evaluator only reads a policy.
// Immutable after construction; thread-compatible.
#pragma once

#include <cstdint>
#include <vector>

#include "solver/game.h"
#include "solver/policy.h"
#include "solver/table_layout.h"

namespace bp::solver {

template <EnumerableGame G>
class ExactEvaluator {
 public:
  ExactEvaluator(const G& game, const TableLayout& layout);

  // Value for `player` of its best response against `policy` of the others.
  double BestResponseValue(const TabularPolicy& policy, int player) const;
  // Value for each player when everyone follows `policy`.
  std::vector<double> ExpectedValues(const TabularPolicy& policy) const;
  double NashConv(const TabularPolicy& policy) const;
  double Exploitability(const TabularPolicy& policy) const { return NashConv(policy) / game_.NumPlayers(); }

 private:
  using Vec = std::vector<double>;
  std::uint32_t BucketOf(std::size_t deal, int player, int street) const {
    return buckets_[(deal * game_.NumPlayers() + player) * game_.NumStreets() + street];
  }
  // Returns per-deal values for `player`, weighted by `reach` (chance times the
  // reach of every player other than the best responder). If br_player < 0,
  // every player follows the policy.
  Vec Walk(NodeId node, const TabularPolicy& policy, int player, int br_player, const Vec& reach) const;

  const G& game_;
  const TableLayout& layout_;
  std::vector<typename G::Deal> deals_;
  Vec chance_;
  std::vector<std::uint32_t> buckets_;
};

template <EnumerableGame G>
ExactEvaluator<G>::ExactEvaluator(const G& game, const TableLayout& layout) : game_(game), layout_(layout) {
  const std::size_t n = game.NumDeals();
  deals_.reserve(n);
  chance_.reserve(n);
  buckets_.reserve(n * game.NumPlayers() * game.NumStreets());
  for (std::size_t d = 0; d < n; ++d) {
    deals_.push_back(game.DealAt(d));
    chance_.push_back(game.DealProbability(d));
    for (int p = 0; p < game.NumPlayers(); ++p) {
      for (int s = 0; s < game.NumStreets(); ++s) buckets_.push_back(game.Bucket(deals_.back(), p, s));
    }
  }
}

template <EnumerableGame G>
typename ExactEvaluator<G>::Vec ExactEvaluator<G>::Walk(NodeId node, const TabularPolicy& policy, int player,
                                                        int br_player, const Vec& reach) const {
  const std::size_t deals = deals_.size();
  Vec out(deals, 0.0);
  if (game_.IsTerminal(node)) {
    for (std::size_t d = 0; d < deals; ++d) {
      if (reach[d] != 0.0) out[d] = reach[d] * game_.Utility(deals_[d], node, player);
    }
    return out;
  }
  const int actor = game_.Player(node);
  const int street = game_.Street(node);
  const int n = game_.NumActions(node);

  if (actor != br_player) {
    Vec child_reach(deals);
    for (int a = 0; a < n; ++a) {
      for (std::size_t d = 0; d < deals; ++d) {
        child_reach[d] = reach[d] * policy.At(node, BucketOf(d, actor, street))[a];
      }
      const Vec child = Walk(game_.Child(node, a), policy, player, br_player, child_reach);
      for (std::size_t d = 0; d < deals; ++d) out[d] += child[d];
    }
    return out;
  }

  // Best responder: per bucket, the action with the highest summed value.
  std::vector<Vec> children;
  children.reserve(n);
  for (int a = 0; a < n; ++a) children.push_back(Walk(game_.Child(node, a), policy, player, br_player, reach));
  const std::uint32_t buckets = game_.NumBuckets(street);
  std::vector<double> totals(static_cast<std::size_t>(buckets) * n, 0.0);
  for (std::size_t d = 0; d < deals; ++d) {
    const std::uint32_t b = BucketOf(d, actor, street);
    for (int a = 0; a < n; ++a) totals[b * n + a] += children[a][d];
  }
  std::vector<int> best(buckets, 0);
  for (std::uint32_t b = 0; b < buckets; ++b) {
    for (int a = 1; a < n; ++a) {
      if (totals[b * n + a] > totals[b * n + best[b]]) best[b] = a;
    }
  }
  for (std::size_t d = 0; d < deals; ++d) out[d] = children[best[BucketOf(d, actor, street)]][d];
  return out;
}

template <EnumerableGame G>
double ExactEvaluator<G>::BestResponseValue(const TabularPolicy& policy, int player) const {
  const Vec values = Walk(game_.Root(), policy, player, player, chance_);
  double total = 0.0;
  for (double v : values) total += v;
  return total;
}

template <EnumerableGame G>
std::vector<double> ExactEvaluator<G>::ExpectedValues(const TabularPolicy& policy) const {
  std::vector<double> result;
  for (int p = 0; p < game_.NumPlayers(); ++p) {
    const Vec values = Walk(game_.Root(), policy, p, -1, chance_);
    double total = 0.0;
    for (double v : values) total += v;
    result.push_back(total);
  }
  return result;
}

template <EnumerableGame G>
double ExactEvaluator<G>::NashConv(const TabularPolicy& policy) const {
  const std::vector<double> on_policy = ExpectedValues(policy);
  double total = 0.0;
  for (int p = 0; p < game_.NumPlayers(); ++p) total += BestResponseValue(policy, p) - on_policy[p];
  return total;
}

}  // namespace bp::solver
