#include "abstraction/limit_game.h"

namespace bp::abstraction {

template <int kStreets>
LimitGame<kStreets>::LimitGame(const LimitRules& rules) : rules_(rules) {
  nodes_.emplace_back();
  action_.push_back(LimitAction::kCheck);
  history_.emplace_back();
  BuildState root;
  root.contribution = {rules.ante, rules.ante};
  Build(0, root);
  payoff_.assign(nodes_.size(), {});
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    const Node& node = nodes_[n];
    if (node.num_actions != 0) continue;
    for (int player = 0; player < 2; ++player) {
      const int other = 1 - player;
      const double win = node.contribution[other];
      const double lose = -node.contribution[player];
      for (int showdown = -1; showdown <= 1; ++showdown) {
        const int outcome = player == 0 ? showdown : -showdown;
        double value = outcome > 0 ? win : outcome < 0 ? lose : 0.0;
        if (node.folder >= 0) value = node.folder == player ? lose : win;
        payoff_[n][static_cast<std::size_t>(3 * player + showdown + 1)] = value;
      }
    }
  }
}

template <int kStreets>
void LimitGame<kStreets>::Build(std::uint32_t id, const BuildState& s) {
  history_[id] = s.history;
  nodes_[id].street = static_cast<std::uint8_t>(s.round);
  nodes_[id].contribution = s.contribution;
  const int me = s.player;
  const int other = 1 - me;
  const bool facing_bet = s.contribution[other] > s.contribution[me];

  std::vector<LimitAction> legal;
  if (facing_bet) {
    legal = {LimitAction::kFold, LimitAction::kCall};
    if (s.raises < rules_.max_raises) legal.push_back(LimitAction::kRaise);
  } else {
    legal = {LimitAction::kCheck};
    if (s.raises < rules_.max_raises) legal.push_back(LimitAction::kBet);
  }

  const auto first = static_cast<std::uint32_t>(nodes_.size());
  nodes_[id].first_child = first;
  nodes_[id].num_actions = static_cast<std::uint8_t>(legal.size());
  nodes_[id].player = static_cast<std::int8_t>(me);
  nodes_.resize(first + legal.size());
  action_.resize(first + legal.size());
  history_.resize(first + legal.size());

  for (std::size_t i = 0; i < legal.size(); ++i) {
    const LimitAction act = legal[i];
    const std::uint32_t child = first + static_cast<std::uint32_t>(i);
    action_[child] = act;
    BuildState next = s;
    next.history += rules_.letters[static_cast<int>(act)];
    next.actions_in_round += 1;
    next.player = other;
    bool round_over = false;
    switch (act) {
      case LimitAction::kFold:
        nodes_[child].street = static_cast<std::uint8_t>(s.round);
        nodes_[child].folder = static_cast<std::int8_t>(me);
        nodes_[child].contribution = s.contribution;
        history_[child] = next.history;
        continue;
      case LimitAction::kCheck:
        round_over = s.actions_in_round > 0;
        break;
      case LimitAction::kCall:
        next.contribution[me] = s.contribution[other];
        round_over = true;
        break;
      case LimitAction::kBet:
      case LimitAction::kRaise:
        next.contribution[me] = s.contribution[other] + rules_.bet_size[s.round];
        next.raises += 1;
        break;
    }
    if (round_over) {
      if (s.round + 1 == rules_.rounds) {  // showdown
        nodes_[child].street = static_cast<std::uint8_t>(s.round);
        nodes_[child].folder = -1;
        nodes_[child].contribution = next.contribution;
        history_[child] = next.history;
        continue;
      }
      next.round += 1;
      next.player = 0;
      next.raises = 0;
      next.actions_in_round = 0;
      next.history += '/';
    }
    Build(child, next);
  }
}

template class LimitGame<1>;
template class LimitGame<2>;

}  // namespace bp::abstraction
