// Head-to-head evaluation of a blueprint against simple fixed opponents, with
// duplicate deals.
//
// Every deal (hole cards for each seat and a board) is played once with the
// blueprint in each seat and the opponent in the others, cards staying with
// the seats: in heads-up, both players hold both hands, which cancels most of
// the luck of the cards. A deal's result is the blueprint's total over its
// seatings; the reported win rate is the mean over deals in big blinds per
// 100 hands, with a 95% confidence interval from the deals' sample variance
// (normal approximation: 1.96 standard errors).
//
// Both sides act in the blueprint's betting tree (its abstract actions), so
// every hand stays on the tree:
//   fold    folds when facing a bet, checks otherwise;
//   call    checks or calls, never folds (a calling station); where the
//           tree offers neither (an opening without limps) the smallest raise;
//   random  uniform over the tree's actions at the node;
//   allin   the largest action available (all-in, else the largest raise,
//           else call or check).
// The blueprint samples its action from its probabilities at (node, bucket).
// Single-threaded and deterministic for a seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "trainer/blueprint.h"
#include "trainer/tree_strategy.h"  // Opponent

namespace bp::trainer {

// The calling station's action at a decision node of `tree`.
int PassiveAction(const abstraction::BettingTree& tree, std::uint32_t node);

// "fold", "call", "random", "allin" -> Opponent; ConfigError naming --opponent otherwise.
Opponent ParseOpponent(const std::string& name);
std::string OpponentName(Opponent opponent);

struct HeadToHeadResult {
  std::string opponent;
  std::uint64_t deals = 0;
  std::uint64_t hands = 0;      // deals x seats
  double bb_per_100 = 0;        // the blueprint's win rate
  double ci95_bb_per_100 = 0;   // half-width of the 95% interval
};

// Plays `deals` duplicate deals. `progress(done)` is called now and then.
HeadToHeadResult PlayHeadToHead(const Blueprint& blueprint, Opponent opponent, std::uint64_t deals, std::uint64_t seed,
                                const std::function<void(std::uint64_t)>& progress = {});

}  // namespace bp::trainer
