#include "trainer/head_to_head.h"

#include <fmt/core.h>

#include <cmath>

#include "solver/regret_matching.h"
#include "solver/rng.h"

namespace bp::trainer {

namespace {

using abstraction::ActionKind;

// The blueprint's result in big blinds for one hand with it in `hero`.
double PlayHand(const Blueprint& blueprint, const abstraction::NlheGame::Deal& deal, int hero, Opponent opponent,
                solver::Rng& rng) {
  const auto& game = blueprint.game();
  const auto& tree = game.tree();
  std::uint32_t node = game.Root();
  while (!game.IsTerminal(node)) {
    const int player = game.Player(node);
    const int n = game.NumActions(node);
    int action = 0;
    if (player == hero) {
      action = solver::SampleIndex(blueprint.At(node, game.Bucket(deal, player, game.Street(node))), n,
                                   rng.UniformDouble());
    } else {
      switch (opponent) {
        case Opponent::kFold:
          action = PassiveAction(tree, node);
          if (tree.Action(node, action).kind != ActionKind::kCheck && tree.Action(node, 0).kind == ActionKind::kFold) {
            action = 0;
          }
          break;
        case Opponent::kCall: action = PassiveAction(tree, node); break;
        case Opponent::kRandom: action = static_cast<int>(rng.UniformBelow(static_cast<std::uint32_t>(n))); break;
        case Opponent::kAllIn: action = n - 1; break;
      }
    }
    node = game.Child(node, action);
  }
  return game.Utility(deal, node, hero);
}

}  // namespace

int PassiveAction(const abstraction::BettingTree& tree, std::uint32_t node) {
  const int n = tree.NumActions(node);
  for (int a = 0; a < n; ++a) {
    const ActionKind kind = tree.Action(node, a).kind;
    if (kind == ActionKind::kCheck || kind == ActionKind::kCall) return a;
  }
  for (int a = 0; a < n; ++a) {
    if (tree.Action(node, a).kind != ActionKind::kFold) return a;  // the smallest raise
  }
  return 0;
}

Opponent ParseOpponent(const std::string& name) {
  if (name == "fold") return Opponent::kFold;
  if (name == "call") return Opponent::kCall;
  if (name == "random") return Opponent::kRandom;
  if (name == "allin") return Opponent::kAllIn;
  throw ConfigError(fmt::format("--opponent: expected one of fold, call, random, allin, found '{}'", name));
}

std::string OpponentName(Opponent opponent) {
  switch (opponent) {
    case Opponent::kFold: return "fold";
    case Opponent::kCall: return "call";
    case Opponent::kRandom: return "random";
    case Opponent::kAllIn: return "allin";
  }
  return "?";
}

HeadToHeadResult PlayHeadToHead(const Blueprint& blueprint, Opponent opponent, std::uint64_t deals, std::uint64_t seed,
                                const std::function<void(std::uint64_t)>& progress) {
  const auto& game = blueprint.game();
  const int seats = game.NumPlayers();
  solver::Rng cards(seed), actions(seed ^ 0x5bd1e9955bd1e995ULL);
  // Welford's running mean and variance of the per-deal results.
  double mean = 0, m2 = 0;
  for (std::uint64_t d = 0; d < deals; ++d) {
    const auto deal = game.SampleDeal(cards);
    double total = 0;
    for (int hero = 0; hero < seats; ++hero) total += PlayHand(blueprint, deal, hero, opponent, actions);
    const double delta = total - mean;
    mean += delta / static_cast<double>(d + 1);
    m2 += delta * (total - mean);
    if (progress && (d + 1) % 100000 == 0) progress(d + 1);
  }
  HeadToHeadResult r;
  r.opponent = OpponentName(opponent);
  r.deals = deals;
  r.hands = deals * static_cast<std::uint64_t>(seats);
  // Per hand: a deal is `seats` hands.
  r.bb_per_100 = 100.0 * mean / seats;
  const double variance = deals > 1 ? m2 / static_cast<double>(deals - 1) : 0.0;
  r.ci95_bb_per_100 = 100.0 * 1.96 * std::sqrt(variance / static_cast<double>(deals)) / seats;
  return r;
}

}  // namespace bp::trainer
