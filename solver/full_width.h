// Full-width CFR: counterfactual regret minimisation without sampling, for
// games small enough to enumerate every deal (EnumerableGame: Kuhn, Leduc).
//
// One iteration is one pass for each player in turn (alternating updates, as
// CFR+ does). A pass for player p first computes the current strategy
// (regret matching) of every infoset once, then walks the tree for every
// deal, weighted by its probability, following every action of every
// player, and accumulates p's counterfactual regrets and its
// reach-weighted strategy sums privately; at the end of the pass they are
// added to the tables through the Access, one row per touched infoset. The
// next player's pass sees them: a pass reads the tables through the same
// Access it writes (a worker's DeltaAccess overlays its own deltas).
//
// Per pass, for a deal of probability c and a history h:
//   regret(I, a)  += w_r(t) * c * pi_-p(h) * (v(h a) - v(h))
//   strategy(I, a) += w_s(t) * c * pi_p(h) * sigma(I, a)
// where pi_p is p's own reach and pi_-p the other players'. A subtree that
// both reaches leave at zero is skipped (it changes neither sum); one that
// only p reaches is walked for the strategy sums alone, so that every
// infoset's average keeps the same chance weight in every iteration.
//
// w_r and w_s weigh iteration t (SamplingOptions' weight powers). Regrets
// are raised to SamplingOptions::regret_floor after every pass, in place
// and within a worker's batch alike. With the floor at 0 and w_s = t this
// is CFR+ (Tammelin 2014; Tammelin, Burch, Johanson,
// Bowling 2015); with w_r = w_s = t it is Linear CFR (Brown & Sandholm 2019).
//
// The interface is ExternalSampling's (SetPhase, Iterate, Seek, rng,
// access), so that the trainer's workers run either; SetPhase's pruning is
// ignored (pruning is for sampled traversals; the trainer refuses it here),
// and the generator is never drawn from: the result depends on the tables
// and the iteration numbers alone.
//
// Thread-safety: one solver per thread. Allocation-free once constructed.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <unordered_set>
#include <utility>
#include <vector>

#include "solver/flat_tree.h"
#include "solver/game.h"
#include "solver/regret_matching.h"
#include "solver/rng.h"
#include "solver/sampling_options.h"
#include "solver/table_access.h"
#include "solver/table_layout.h"
#include "solver/tables.h"

namespace bp::solver {

template <EnumerableGame G, class Access = DirectAccess>
class FullWidthCfr {
 public:
  using Deal = typename G::Deal;

  FullWidthCfr(const G& game, const TableLayout& layout, Access access, std::uint64_t seed,
               SamplingOptions options = {})
      : game_(game), access_(std::move(access)), rng_(seed), options_(options),
        tree_(game, layout, options.average_streets), sigma_(layout.num_entries()),
        regret_delta_(layout.num_entries()), strategy_delta_(layout.num_entries()) {
    const std::size_t deals = game.NumDeals();
    deals_.reserve(deals);
    chance_.reserve(deals);
    for (std::size_t d = 0; d < deals; ++d) {
      deals_.push_back(game.DealAt(d));
      chance_.push_back(game.DealProbability(d));
    }
    // Every infoset once (a game's tree may share subtrees), by player.
    std::unordered_set<std::uint64_t> seen;
    infosets_.resize(static_cast<std::size_t>(game.NumPlayers()));
    for (std::size_t i = 0; i < tree_.size(); ++i) {
      const FlatTree::Node& node = tree_.node(static_cast<std::uint32_t>(i));
      if (node.n == 0) continue;
      for (std::uint32_t b = 0; b < game.NumBuckets(node.street); ++b) {
        const std::uint64_t base = node.entry + static_cast<std::uint64_t>(b) * node.n;
        if (seen.insert(base).second) {
          infosets_[node.player].push_back({base, node.n, node.averaged != 0});
        }
      }
    }
  }
  // In place, on tables this thread owns.
  template <class R>
  FullWidthCfr(const G& game, const TableLayout& layout, BasicTableView<R> tables, std::uint64_t seed,
               SamplingOptions options = {})
    requires std::same_as<Access, BasicDirectAccess<R>>
      : FullWidthCfr(game, layout, BasicDirectAccess<R>(tables, options.regret_floor), seed, options) {}

  // Strategy-sum updates on or off from the next iteration; pruning is not
  // a full-width option and is ignored.
  void SetPhase(bool /*prune*/, bool average) { average_ = average; }

  // Runs `count` iterations (one pass per player each), numbered on from iterations().
  void Iterate(std::uint64_t count) {
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t t = iterations_ + 1;
      const double regret_weight = IterationWeight(t, options_.regret_weight_power);
      const double average_weight = IterationWeight(t, options_.average_weight_power);
      for (int p = 0; p < game_.NumPlayers(); ++p) Pass(p, regret_weight, average_weight);
      ++iterations_;
    }
  }

  void Seek(std::uint64_t iteration) { iterations_ = iteration; }
  std::uint64_t iterations() const { return iterations_; }
  Rng& rng() { return rng_; }  // the trainer seeds it per batch; never drawn from
  Access& access() { return access_; }

 private:
  struct Infoset {
    std::uint64_t base;  // first table entry
    int n;
    bool averaged;
  };
  using Step = FlatTree::Node;

  void Pass(int p, double regret_weight, double average_weight) {
    double regrets[kMaxActions];
    for (const auto& of_player : infosets_) {
      for (const Infoset& info : of_player) {
        access_.Regrets(info.base, info.n, regrets);
        RegretMatching(regrets, info.n, sigma_.data() + info.base);
      }
    }
    for (const Infoset& info : infosets_[p]) {
      std::fill_n(regret_delta_.data() + info.base, info.n, 0.0);
      std::fill_n(strategy_delta_.data() + info.base, info.n, 0.0);
    }
    for (std::size_t d = 0; d < deals_.size(); ++d) {
      chance_now_ = chance_[d];
      Walk(FlatTree::kRoot, p, deals_[d], 1.0, chance_[d]);
    }
    double row[kMaxActions];
    const double floor = options_.regret_floor;
    for (const Infoset& info : infosets_[p]) {
      const double* r = regret_delta_.data() + info.base;
      if (std::any_of(r, r + info.n, [](double x) { return x != 0.0; })) {
        for (int a = 0; a < info.n; ++a) row[a] = regret_weight * r[a];
        if (floor > kNoRegretFloor) {
          // The floor after every pass, also where the Access applies it only
          // when the batch's deltas are added (a worker's DeltaAccess).
          access_.Regrets(info.base, info.n, regrets);
          for (int a = 0; a < info.n; ++a) row[a] = std::max(row[a], floor - regrets[a]);
        }
        access_.AddRegrets(info.base, info.n, row);
      }
      if (!average_ || !info.averaged) continue;
      const double* s = strategy_delta_.data() + info.base;
      if (std::any_of(s, s + info.n, [](double x) { return x != 0.0; })) {
        for (int a = 0; a < info.n; ++a) row[a] = average_weight * s[a];
        access_.AddStrategy(info.base, info.n, row);
      }
    }
  }

  // The value of the subtree at `index` for p on `deal`; reach_p is p's own
  // reach, reach_others the other players' times the deal's probability.
  double Walk(std::uint32_t index, int p, const Deal& deal, double reach_p, double reach_others) {
    const Step& node = tree_.node(index);
    if (node.n == 0) return game_.Utility(deal, static_cast<NodeId>(node.entry), p);
    const int n = node.n;
    const std::uint64_t base = node.entry + static_cast<std::uint64_t>(game_.Bucket(deal, node.player, node.street)) * n;
    const double* sigma = sigma_.data() + base;
    if (node.player == p) {
      double values[kMaxActions];
      double expected = 0.0;
      for (int a = 0; a < n; ++a) {
        const double reach = reach_p * sigma[a];
        values[a] = reach > 0.0 || reach_others > 0.0 ? Walk(node.first + a, p, deal, reach, reach_others) : 0.0;
        expected += sigma[a] * values[a];
      }
      if (reach_others > 0.0) {
        double* r = regret_delta_.data() + base;
        for (int a = 0; a < n; ++a) r[a] += reach_others * (values[a] - expected);
      }
      if (average_ && node.averaged && reach_p > 0.0) {
        double* s = strategy_delta_.data() + base;
        const double weight = chance_now_ * reach_p;
        for (int a = 0; a < n; ++a) s[a] += weight * sigma[a];
      }
      return expected;
    }
    // Below an action of probability 0 only p's strategy sums can change.
    const bool for_sums = average_ && reach_p > 0.0;
    double expected = 0.0;
    for (int a = 0; a < n; ++a) {
      const double reach = reach_others * sigma[a];
      if (reach > 0.0 || for_sums) expected += sigma[a] * Walk(node.first + a, p, deal, reach_p, reach);
    }
    return expected;
  }

  const G& game_;
  Access access_;
  Rng rng_;
  SamplingOptions options_;
  FlatTree tree_;
  std::vector<Deal> deals_;
  std::vector<double> chance_;
  std::vector<std::vector<Infoset>> infosets_;  // by acting player
  std::vector<double> sigma_;           // the pass's current strategy, by table entry
  std::vector<double> regret_delta_;    // the pass's regrets of its player, by table entry
  std::vector<double> strategy_delta_;  // the pass's strategy sums of its player, by table entry
  double chance_now_ = 0.0;
  bool average_ = true;
  std::uint64_t iterations_ = 0;
};

template <EnumerableGame G, class R>
FullWidthCfr(const G&, const TableLayout&, BasicTableView<R>, std::uint64_t, SamplingOptions = {})
    -> FullWidthCfr<G, BasicDirectAccess<R>>;

}  // namespace bp::solver
