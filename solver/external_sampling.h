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
// Speed: an option that is off costs nothing. The traversal is instantiated
// per combination of what an iteration does (pruning this iteration or not,
// expected strategy-sum updates or not) and per common action count (2, 3,
// any), so the plain path tests no option and runs loops of a fixed length;
// external_sampling_test checks that it makes exactly the table accesses and
// draws of external sampling without options. The tree is walked in the
// solver's own copy (flat_tree.h: one 16-byte record per node). An
// opponent's draw compares u times the positive regrets' sum with their
// running sum, so its branch does not wait for a division.
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

#include "solver/flat_tree.h"
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
  // at least layout.street_end(average_streets - 1) strategy sums; the game
  // outlives the solver (the layout is read here only).
  ExternalSampling(const G& game, const TableLayout& layout, Access access, std::uint64_t seed,
                   SamplingOptions options = {})
      : game_(game), access_(std::move(access)), rng_(seed), options_(options),
        last_street_(game.NumStreets() - 1), tree_(game, layout, options.average_streets),
        prefetch_(layout.num_entries() * sizeof(RegretOf<G>) > kPrefetchBytes) {}
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
    const bool expected_average = average_ && options_.sampled_average_interval == 0;
    const bool sampled_average = average_ && options_.sampled_average_interval > 0;
    switch ((expected_average ? kAverage : 0) | (prefetch_ ? kPrefetch : 0)) {
      case 0:
        return IterateAs<0>(count, sampled_average);
      case kAverage:
        return IterateAs<kAverage>(count, sampled_average);
      case kPrefetch:
        return IterateAs<kPrefetch>(count, sampled_average);
      default:
        return IterateAs<kAverage | kPrefetch>(count, sampled_average);
    }
  }

  // Whether the traverser's nodes prefetch their children's regret rows
  // before exploring them (so that their misses overlap). On by default
  // for regret tables larger than kPrefetchBytes, where rows miss the
  // caches; below it the rows are there and prefetching is pure cost.
  static constexpr std::uint64_t kPrefetchBytes = std::uint64_t{8} << 20;
  void SetPrefetch(bool on) { prefetch_ = on; }
  bool prefetch() const { return prefetch_; }

  // The index of the next iteration (the trainer's global iteration count).
  void Seek(std::uint64_t iteration) { iterations_ = iteration; }
  std::uint64_t iterations() const { return iterations_; }
  Rng& rng() { return rng_; }
  Access& access() { return access_; }

 private:
  // The traversal is instantiated per combination of the options that apply
  // to an iteration (kFlags: pruning this iteration, expected strategy-sum
  // updates, prefetching), so that an option that is off costs no test in
  // the traversal.
  static constexpr int kPrune = 1, kAverage = 2, kPrefetch = 4;

  template <int kFlags>
  void IterateAs(std::uint64_t count, bool sampled_average) {
    const int players = game_.NumPlayers();
    constexpr std::uint32_t root = FlatTree::kRoot;
    const std::uint64_t every = options_.sampled_average_interval;
    for (std::uint64_t i = 0; i < count; ++i) {
      const bool prune_now = prune_ && rng_.UniformDouble() < options_.prune_probability;
      for (int p = 0; p < players; ++p) {
        const Deal deal = game_.SampleDeal(rng_);
        if (prune_now) {
          Value<kFlags | kPrune>(root, p, deal);
        } else {
          Value<kFlags>(root, p, deal);
        }
      }
      if (sampled_average && iterations_ % every == 0) {
        for (int p = 0; p < players; ++p) {
          const Deal deal = game_.SampleDeal(rng_);
          UpdateStrategy(root, p, deal);
        }
      }
      ++iterations_;
    }
  }

  using Step = FlatTree::Node;

  // Terminals are evaluated here, inline in the parent, so that the recursive
  // call (and its prologue) is paid only for decision nodes.
  template <int kFlags>
  [[gnu::always_inline]] double Value(std::uint32_t index, int traverser, const Deal& deal) {
    const Step& node = tree_.node(index);
    if (node.n == 0) return game_.Utility(deal, static_cast<NodeId>(node.entry), traverser);
    switch (node.n) {  // loops of a fixed length for the common counts
      case 2:
        return Traverse<2, kFlags>(node, traverser, deal);
      case 3:
        return Traverse<3, kFlags>(node, traverser, deal);
      default:
        return Traverse<0, kFlags>(node, traverser, deal);
    }
  }

  // The first entry of the acting player's infoset at `node`, its regrets and
  // its current strategy (regret matching).
  template <int kN = 0>
  [[gnu::always_inline]] std::uint64_t CurrentStrategy(const Step& node, const Deal& deal, double* regrets, double* sigma) {
    const int n = kN > 0 ? kN : node.n;
    const std::uint64_t base = node.entry + static_cast<std::uint64_t>(game_.Bucket(deal, node.player, node.street)) * n;
    access_.template Regrets<kN>(base, n, regrets);
    RegretMatching<kN>(regrets, n, sigma);
    return base;
  }

  // Requires: `node` is a decision node; kN is its action count or 0.
  template <int kN, int kFlags>
  [[gnu::hot]] double Traverse(const Step& node, int traverser, const Deal& deal) {
    constexpr bool kPruneOn = (kFlags & kPrune) != 0;
    constexpr bool kAverageOn = (kFlags & kAverage) != 0;
    const int n = kN > 0 ? kN : node.n;
    constexpr int kSize = kN > 0 ? kN : kMaxActions;
    double regrets[kSize];
    double sigma[kSize];
    const std::uint64_t base = CurrentStrategy<kN>(node, deal, regrets, sigma);

    if (node.player == traverser) {
      if constexpr ((kFlags & kPrefetch) != 0 && requires { access_.Prefetch(std::uint64_t{0}); }) {
        for (int a = 0; a < n; ++a) {
          const Step& child = tree_.node(node.first + a);
          if (child.n != 0) {
            access_.Prefetch(child.entry +
                             static_cast<std::uint64_t>(game_.Bucket(deal, child.player, child.street)) * child.n);
          }
        }
      }
      double values[kSize];
      double expected = 0.0;
      if (kPruneOn && node.street != last_street_) {
        bool explored[kSize];
        for (int a = 0; a < n; ++a) {
          explored[a] = regrets[a] >= options_.prune_threshold || tree_.node(node.first + a).n == 0;
          values[a] = explored[a] ? Value<kFlags>(node.first + a, traverser, deal) : 0.0;
          expected += sigma[a] * values[a];
        }
        for (int a = 0; a < n; ++a) values[a] = explored[a] ? values[a] - expected : 0.0;
      } else {
        for (int a = 0; a < n; ++a) {
          values[a] = Value<kFlags>(node.first + a, traverser, deal);
          expected += sigma[a] * values[a];
        }
        for (int a = 0; a < n; ++a) values[a] -= expected;
      }
      access_.template AddRegrets<kN>(base, n, values);
      return expected;
    }

    if (kAverageOn && node.averaged) access_.template AddStrategy<kN>(base, n, sigma);
    // The draw compares against the positive regrets scaled by u, not the
    // strategy: its branch need not wait for the division.
    const int chosen = SampleFromRegrets<kN>(regrets, n, rng_.UniformDouble());
    return Value<kFlags>(node.first + static_cast<std::uint32_t>(chosen), traverser, deal);
  }

  // Sampled strategy counts (Pluribus): see the top of the file.
  void UpdateStrategy(std::uint32_t index, int player, const Deal& deal) {
    const Step& node = tree_.node(index);
    if (node.n == 0 || !node.averaged) return;
    if (node.player != player) {
      for (int a = 0; a < node.n; ++a) UpdateStrategy(node.first + a, player, deal);
      return;
    }
    double regrets[kMaxActions];
    double sigma[kMaxActions];
    const std::uint64_t base = CurrentStrategy(node, deal, regrets, sigma);
    const int chosen = SampleIndex(sigma, node.n, rng_.UniformDouble());
    double count[kMaxActions] = {};
    count[chosen] = 1.0;
    access_.AddStrategy(base, node.n, count);
    UpdateStrategy(node.first + static_cast<std::uint32_t>(chosen), player, deal);
  }

  const G& game_;
  Access access_;
  Rng rng_;
  SamplingOptions options_;
  int last_street_;
  FlatTree tree_;
  bool prune_ = false;
  bool prefetch_;
  bool average_ = true;
  std::uint64_t iterations_ = 0;
};

// ExternalSampling solver(game, layout, tables.View(), seed): in place, on
// tables of either regret type.
template <Game G, class R>
ExternalSampling(const G&, const TableLayout&, BasicTableView<R>, std::uint64_t, SamplingOptions = {})
    -> ExternalSampling<G, BasicDirectAccess<R>>;

}  // namespace bp::solver
