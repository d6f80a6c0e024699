// External-sampling MCCFR (Lanctot, Waugh, Zinkevich, Bowling, "Monte Carlo
// Sampling for Regret Minimization in Extensive Games", NIPS 2009).
//
// One iteration is one traversal for each player in turn (alternating
// traversers). A traversal draws one deal (all chance), explores every action
// of the traverser, samples one action of every other player from its current
// (regret-matching) strategy, and adds the sampled counterfactual regrets to
// the traverser's infosets.
//
// Average strategy, two ways:
// - expected (the default): at every opponent infoset a traversal passes
//   through, the opponent's current strategy is added to its strategy sum.
//   In external sampling an opponent infoset is reached with probability
//   proportional to the opponent's own reach (chance and the traverser's
//   actions are the same for every iteration), so these unweighted additions
//   are an unbiased, correctly weighted estimate of the reach-weighted
//   average strategy. With more than two players this holds no longer: the
//   other opponents' actions are sampled too, so an infoset is reached in
//   proportion to their reach as well, and the estimate is biased (the
//   trainer refuses it for more than two players; use sampled).
// - sampled (Pluribus' UPDATE-STRATEGY): after every iteration whose index is
//   a multiple of `sampled_average_interval`, one more traversal per player p
//   on a fresh deal, over the averaged streets only: at p's infosets one
//   action is drawn from the current strategy, its count goes up by 1 and
//   only it is followed; every action of the other players is followed. An
//   infoset of p is then reached with probability proportional to p's own
//   reach, so the counts estimate the same average, at a fraction of the
//   cost when the interval is large. Iteration indices are global: a worker
//   sets them per batch with Seek.
//
// Options (Pluribus' MCCFR-P, Brown & Sandholm, Science 2019):
// - average strategy on the first `average_streets` streets only (Pluribus
//   keeps it for the preflop and uses current-strategy snapshots after it);
//   the strategy-sum table then is the prefix TableLayout::street_end of them;
// - negative-regret pruning: when SetPhase turns it on, each iteration with
//   probability `prune_probability` skips the traverser's actions whose regret
//   is below `prune_threshold`, except on the last street and for actions
//   that end the hand (a terminal child). Skipped actions get no regret update.
// SetPhase also switches the strategy-sum updates on and off (delayed
// averaging). A phase holds until changed; the trainer sets it per batch.
//
// Table reads and writes go through an Access policy (table_access.h):
// DirectAccess updates tables in place, DeltaAccess accumulates a batch's
// deltas privately over tables someone else owns.
//
// Thread-safety: one solver per thread; the tables it writes through its
// access are not protected. Deterministic: the same seed and tables give
// the same result bit for bit. Iterate() is allocation-free once warm (a
// DeltaAccess may grow its map during the first batches).
#pragma once

#include <concepts>
#include <cstdint>
#include <utility>

#include "solver/game.h"
#include "solver/regret_matching.h"
#include "solver/rng.h"
#include "solver/sampling_options.h"
#include "solver/table_layout.h"
#include "solver/table_access.h"
#include "solver/tables.h"

namespace bp::solver {

template <Game G, class Access = DirectAccess>
class ExternalSampling {
 public:
  using Deal = typename G::Deal;

  // Requires: the tables behind `access` hold layout.num_entries() regrets and
  // at least layout.street_end(average_streets - 1) strategy sums; game and
  // layout outlive the solver.
  ExternalSampling(const G& game, const TableLayout& layout, Access access, std::uint64_t seed,
                   SamplingOptions options = {})
      : game_(game), layout_(layout), access_(std::move(access)), rng_(seed), options_(options),
        last_street_(game.NumStreets() - 1) {}
  // In place, on tables this thread owns.
  template <class R>
  ExternalSampling(const G& game, const TableLayout& layout, BasicTableView<R> tables, std::uint64_t seed,
                   SamplingOptions options = {})
    requires std::same_as<Access, BasicDirectAccess<R>>
      : ExternalSampling(game, layout, BasicDirectAccess<R>(tables), seed, options) {}

  // Pruning on or off, strategy-sum updates on or off, from the next iteration.
  void SetPhase(bool prune, bool average) {
    prune_ = prune;
    average_ = average;
  }

  // Runs `count` iterations (one traversal per player each), numbered on
  // from iterations().
  void Iterate(std::uint64_t count) {
    const int players = game_.NumPlayers();
    const NodeId root = game_.Root();
    const std::uint64_t every = options_.sampled_average_interval;
    for (std::uint64_t i = 0; i < count; ++i) {
      prune_now_ = prune_ && rng_.UniformDouble() < options_.prune_probability;
      for (int p = 0; p < players; ++p) {
        const Deal deal = game_.SampleDeal(rng_);
        Value(root, p, deal);
      }
      if (every > 0 && average_ && iterations_ % every == 0) {
        for (int p = 0; p < players; ++p) {
          const Deal deal = game_.SampleDeal(rng_);
          UpdateStrategy(root, p, deal);
        }
      }
      ++iterations_;
    }
  }

  // The index of the next iteration (the trainer's global iteration count).
  void Seek(std::uint64_t iteration) { iterations_ = iteration; }
  std::uint64_t iterations() const { return iterations_; }
  Rng& rng() { return rng_; }
  Access& access() { return access_; }

 private:
  // Terminals are evaluated here, inline in the parent, so that the recursive
  // call (and its prologue) is paid only for decision nodes.
  double Value(NodeId node, int traverser, const Deal& deal) {
    return game_.IsTerminal(node) ? game_.Utility(deal, node, traverser) : Traverse(node, traverser, deal);
  }

  // The first entry of `player`'s infoset at `node` (n actions, on `street`),
  // its regrets and its current strategy (regret matching).
  std::uint64_t CurrentStrategy(NodeId node, int player, int n, int street, const Deal& deal, double* regrets,
                                double* sigma) {
    const std::uint64_t base =
        layout_.entry_offset(node) + static_cast<std::uint64_t>(game_.Bucket(deal, player, street)) * n;
    access_.Regrets(base, n, regrets);
    RegretMatching(regrets, n, sigma);
    return base;
  }

  // Requires: `node` is a decision node.
  double Traverse(NodeId node, int traverser, const Deal& deal) {
    const int player = game_.Player(node);
    const int n = game_.NumActions(node);
    const int street = game_.Street(node);
    double regrets[kMaxActions];
    double sigma[kMaxActions];
    const std::uint64_t base = CurrentStrategy(node, player, n, street, deal, regrets, sigma);

    if (player == traverser) {
      double values[kMaxActions];
      double expected = 0.0;
      if (prune_now_ && street != last_street_) {
        bool explored[kMaxActions];
        for (int a = 0; a < n; ++a) {
          const NodeId child = game_.Child(node, a);
          explored[a] = regrets[a] >= options_.prune_threshold || game_.IsTerminal(child);
          values[a] = explored[a] ? Value(child, traverser, deal) : 0.0;
          expected += sigma[a] * values[a];
        }
        for (int a = 0; a < n; ++a) values[a] = explored[a] ? values[a] - expected : 0.0;
      } else {
        for (int a = 0; a < n; ++a) {
          values[a] = Value(game_.Child(node, a), traverser, deal);
          expected += sigma[a] * values[a];
        }
        for (int a = 0; a < n; ++a) values[a] -= expected;
      }
      access_.AddRegrets(base, n, values);
      return expected;
    }

    if (average_ && street < options_.average_streets && options_.sampled_average_interval == 0) {
      access_.AddStrategy(base, n, sigma);
    }
    return Value(game_.Child(node, SampleIndex(sigma, n, rng_.UniformDouble())), traverser, deal);
  }

  // Sampled strategy counts (Pluribus): see the top of the file.
  void UpdateStrategy(NodeId node, int player, const Deal& deal) {
    if (game_.IsTerminal(node)) return;
    const int street = game_.Street(node);
    if (street >= options_.average_streets) return;
    const int n = game_.NumActions(node);
    if (game_.Player(node) != player) {
      for (int a = 0; a < n; ++a) UpdateStrategy(game_.Child(node, a), player, deal);
      return;
    }
    double regrets[kMaxActions];
    double sigma[kMaxActions];
    const std::uint64_t base = CurrentStrategy(node, player, n, street, deal, regrets, sigma);
    const int chosen = SampleIndex(sigma, n, rng_.UniformDouble());
    double count[kMaxActions] = {};
    count[chosen] = 1.0;
    access_.AddStrategy(base, n, count);
    UpdateStrategy(game_.Child(node, chosen), player, deal);
  }

  const G& game_;
  const TableLayout& layout_;
  Access access_;
  Rng rng_;
  SamplingOptions options_;
  int last_street_;
  bool prune_ = false;
  bool prune_now_ = false;
  bool average_ = true;
  std::uint64_t iterations_ = 0;
};

// ExternalSampling solver(game, layout, tables.View(), seed): in place, on
// tables of either regret type.
template <Game G, class R>
ExternalSampling(const G&, const TableLayout&, BasicTableView<R>, std::uint64_t, SamplingOptions = {})
    -> ExternalSampling<G, BasicDirectAccess<R>>;

}  // namespace bp::solver
