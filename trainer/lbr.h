// Local best response (LBR) against a heads-up strategy in its betting tree:
// Lisy and Bowling, "Equilibrium Approximation Quality of Current No-Limit
// Poker Bots" (AAAI workshops, 2017).
//
// LBR plays the real game against the strategy (a TreeStrategy, followed in
// the real hand by a TreeFollower, trainer/tree_strategy.h). It sees its own
// cards and the board, and keeps the strategy's range: a weight for every
// hole pair of the opponent, 0 for pairs that hold a card LBR can see,
// multiplied at each of the opponent's decisions by the probability that the
// pair (through the strategy's own card abstraction) takes the real action
// taken (Bayes' rule; the weights are kept normalised). At its own decision
// on a street where it plays (`streets`), LBR takes the action of highest
// estimated value, as if the hand then checked down:
//   fold        0;
//   check/call  e * (pot + c) - c, e its equity against the range, c the call;
//   raise to T  f * pot + (1 - f) * (e' * (pot + x + y) - x), where f is the
//               range's fold probability facing T (the strategy's fold
//               probability at the tree's answer to T, through the
//               translation's randomisation), e' the equity against the
//               range that calls (weights times 1 - fold probability), x the
//               chips LBR adds and y the chips the call adds (both capped by
//               the shorter stack).
// Ties go to the first: fold, check/call, then raises by size. On the other
// streets LBR checks or calls. Raise sizes are pot fractions (a raise to the
// current bet plus f times the pot after calling, as the betting abstraction
// counts them), clamped to the legal range, plus all-in.
// Equity: exact on the river and the turn (every river card); on the flop
// over `flop_samples` sampled turn and river cards; on the preflop from the
// exact preflop equity table when one is given, else over `preflop_samples`
// sampled boards. The same samples serve every candidate of a decision.
// Results: LBR's winnings in mbb per hand (thousandths of a big blind),
// duplicate deals (trainer/duplicate_deals.h). A hand that ends in an all-in
// with board cards to come is all-in adjusted: LBR's expected payoff over
// the rest of the board (AllInValue; after a preflop all-in only with the
// preflop equity table), which lowers the variance and not the mean.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "abstraction/betting_abstraction.h"
#include "abstraction/equity.h"
#include "abstraction/hand_evaluator.h"
#include "abstraction/preflop_equity.h"
#include "solver/rng.h"
#include "trainer/duplicate_deals.h"
#include "trainer/tree_strategy.h"

namespace bp::trainer {

struct LbrSettings {
  std::string actions = "fcpa";           // as given: fc, fcpa, 56 or a list of sizes
  std::vector<abstraction::BetSize> sizes;  // LBR's raises (empty for fc)
  std::string streets = "3-4";            // as given
  std::array<bool, abstraction::kNumStreets> plays{};  // streets where LBR folds and raises
  int flop_samples = 100;
  int preflop_samples = 100;
  // Whether LBR may check or call where the strategy's tree has no check or
  // call (a limp into a tree without limps, which the strategy then reads
  // as its smallest raise). false keeps LBR to the tree's game, as in the
  // push/fold game, whose rules have no limp.
  bool calls_off_tree = true;
  const abstraction::PreflopEquity* preflop_equity = nullptr;  // not owned; may be null
};

// "fc" (no raises), "fcpa" (pot, all-in), "56" (0.05 x 1.15^k for k =
// 0..54, all-in), or sizes as in the betting abstraction ("0.5, 1, allin").
// ConfigError naming --lbr-actions otherwise.
std::vector<abstraction::BetSize> ParseLbrActions(const std::string& text);
// "1-4", "3-4", "4", "1,3-4": streets 1 (preflop) to 4 (river). ConfigError
// naming --lbr-streets otherwise.
std::array<bool, abstraction::kNumStreets> ParseLbrStreets(const std::string& text);

// Settings for `actions` and `streets` (empty: 1-4 for fc, else 3-4, the
// paper's pairings); the rest default. ConfigError as above.
LbrSettings MakeLbrSettings(const std::string& actions, const std::string& streets);

// The range over the opponent's hole pairs (abstraction::HolePairIndex).
class OpponentRange {
 public:
  // Every pair disjoint from LBR's hole cards, equally likely.
  void Reset(const abstraction::Card* lbr_hole);
  // Zeroes the pairs that hold `card` (a board card turned).
  void Remove(abstraction::Card card);
  // At the opponent's decision at tree node `node` on `street`: multiplies
  // each pair's weight by the sum of its probabilities of the tree actions
  // marked in `taken` (bucket of each pair from `buckets`), then normalises.
  // A real action no pair in the range takes leaves the range as it was.
  void Observe(const TreeStrategy& strategy, std::uint32_t node, int n, const std::array<bool, solver::kMaxActions>& taken,
               std::span<const std::uint32_t> buckets);
  std::span<const double> weights() const { return weights_; }
  // Pairs with a positive weight.
  std::span<const std::uint16_t> live() const { return live_; }

 private:
  std::array<double, abstraction::kNumHolePairs> weights_{};
  std::vector<std::uint16_t> live_;
};

// Equity of `hole` on `board` (board_cards of them) against each weighting
// of the opponent's pairs in `ranges` (each kNumHolePairs weights, all zero
// outside `live`), as LBR estimates it (exact, enumerated or sampled; see
// above). Writes one equity per range to `out` (0.5 for an empty range).
void RangeEquities(const abstraction::HandEvaluator& evaluator, const LbrSettings& settings,
                   const abstraction::Card* hole, const abstraction::Card* board, int board_cards,
                   std::span<const std::uint16_t> live, std::span<const double* const> ranges, std::span<double> out,
                   solver::Rng& rng);

// Plays `deals` duplicate deals (2 x deals hands) of LBR against `strategy`,
// a heads-up strategy: LBR's winnings in mbb per hand. ConfigError unless
// the strategy's table has two players.
DuplicateResult RunLbr(const TreeStrategy& strategy, const abstraction::HandEvaluator& evaluator,
                 const LbrSettings& settings, std::uint64_t deals, std::uint64_t seed, int threads,
                 const std::string& progress_label = "");

}  // namespace bp::trainer
