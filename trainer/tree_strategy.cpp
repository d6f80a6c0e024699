#include "trainer/tree_strategy.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "abstraction/bet_translation.h"
#include "solver/regret_matching.h"
#include "trainer/head_to_head.h"  // PassiveAction

namespace bp::trainer {

using abstraction::ActionKind;
using abstraction::BettingTree;
using abstraction::NlheState;

FixedStrategy::FixedStrategy(const BettingTree& tree, Opponent kind) : tree_(tree), offset_(tree.num_nodes(), 0) {
  for (std::uint32_t node = 0; node < tree.num_nodes(); ++node) {
    offset_[node] = probabilities_.size();
    const int n = tree.NumActions(node);
    if (n == 0) continue;
    std::vector<float> p(static_cast<std::size_t>(n), 0.0f);
    const int fold = tree.Action(node, 0).kind == ActionKind::kFold ? 0 : -1;  // fold comes first
    const int passive = PassiveAction(tree, node);
    switch (kind) {
      case Opponent::kFold:
        p[static_cast<std::size_t>(fold >= 0 && tree.Action(node, passive).kind != ActionKind::kCheck ? fold : passive)] = 1;
        break;
      case Opponent::kCall: p[static_cast<std::size_t>(passive)] = 1; break;
      case Opponent::kRandom: std::fill(p.begin(), p.end(), 1.0f / static_cast<float>(n)); break;
      case Opponent::kAllIn: p[static_cast<std::size_t>(n - 1)] = 1; break;
    }
    probabilities_.insert(probabilities_.end(), p.begin(), p.end());
  }
}

void ApplyReal(NlheState& state, const RealAction& action) {
  switch (action.kind) {
    case RealAction::kFold: state.Fold(); break;
    case RealAction::kCheckCall: state.CheckOrCall(); break;
    case RealAction::kRaise: state.RaiseTo(action.to); break;
  }
}

std::string RealActionName(const NlheState& state, const RealAction& action) {
  switch (action.kind) {
    case RealAction::kFold: return "f";
    case RealAction::kCheckCall: return state.CanCheck() ? "k" : "c";
    case RealAction::kRaise: return fmt::format("r{}", action.to);
  }
  return "?";
}

TreeFollower::TreeFollower(const BettingTree& tree) : tree_(tree), abstract_(NlheState::NewHand(tree.table())) {}

void TreeFollower::Reset() {
  node_ = BettingTree::kRoot;
  abstract_ = NlheState::NewHand(tree_.table());
}

bool TreeFollower::Aligned(const NlheState& real) const {
  return !real.IsTerminal() && !tree_.IsTerminal(node_) && tree_.Player(node_) == real.ToAct() &&
         tree_.StreetOf(node_) == static_cast<int>(real.street());
}

RealAction TreeFollower::ToReal(int action, const NlheState& real) const {
  const abstraction::AbstractAction& a = tree_.Action(node_, action);
  switch (a.kind) {
    case ActionKind::kFold: return real.CanFold() ? RealAction{RealAction::kFold, 0} : RealAction{};
    case ActionKind::kCheck:
    case ActionKind::kCall: return {};
    case ActionKind::kAllIn: return real.CanRaise() ? RealAction{RealAction::kRaise, real.MaxRaiseTo()} : RealAction{};
    case ActionKind::kRaise: {
      if (!real.CanRaise()) return {};
      const double fraction = abstraction::RaiseFraction(abstract_, a.raise_to);
      const double base = static_cast<double>(real.pot()) + real.CallAmount();
      const auto to = static_cast<std::int64_t>(real.current_bet()) + std::llround(fraction * base);
      return {RealAction::kRaise,
              static_cast<std::int32_t>(std::clamp<std::int64_t>(to, real.MinRaiseTo(), real.MaxRaiseTo()))};
    }
  }
  return {};
}

abstraction::Translation TreeFollower::Translate(const RealAction& action, const NlheState& real) const {
  const int n = tree_.NumActions(node_);
  int fold = -1, passive = -1, allin = -1;
  std::vector<double> fractions;
  std::vector<int> actions;
  for (int a = 0; a < n; ++a) {
    const abstraction::AbstractAction& t = tree_.Action(node_, a);
    if (t.kind == ActionKind::kFold) fold = a;
    if (t.kind == ActionKind::kCheck || t.kind == ActionKind::kCall) {
      passive = a;
      fractions.push_back(0);
      actions.push_back(a);
    }
    if (t.kind == ActionKind::kRaise || t.kind == ActionKind::kAllIn) {
      if (t.kind == ActionKind::kAllIn) allin = a;
      fractions.push_back(abstraction::RaiseFraction(abstract_, t.raise_to));
      actions.push_back(a);
    }
  }
  auto only = [](int a) { return abstraction::Translation{a, a, 1}; };
  switch (action.kind) {
    case RealAction::kFold: return only(fold >= 0 ? fold : std::max(passive, 0));
    case RealAction::kCheckCall:
      if (passive >= 0) return only(passive);
      return only(actions.empty() ? 0 : actions[0]);  // the smallest raise
    case RealAction::kRaise: {
      if (actions.empty()) return only(std::max(fold, 0));
      if (action.to == real.MaxRaiseTo() && allin >= 0) return only(allin);
      const abstraction::Translation t = abstraction::TranslateFraction(fractions, abstraction::RaiseFraction(real, action.to));
      return {actions[static_cast<std::size_t>(t.lower)], actions[static_cast<std::size_t>(t.upper)], t.lower_probability};
    }
  }
  return only(0);
}

void TreeFollower::Apply(int action) {
  const abstraction::AbstractAction& a = tree_.Action(node_, action);
  switch (a.kind) {
    case ActionKind::kFold: abstract_.Fold(); break;
    case ActionKind::kCheck:
    case ActionKind::kCall: abstract_.CheckOrCall(); break;
    case ActionKind::kRaise:
    case ActionKind::kAllIn: abstract_.RaiseTo(a.raise_to); break;
  }
  node_ = tree_.Child(node_, action);
}

MappedChoice ChooseMapped(const TreeFollower& follower, const NlheState& real, const float* probabilities,
                          double uniform) {
  const int n = follower.num_actions();
  MappedChoice c;
  c.action = solver::SampleIndex(probabilities, n, uniform);
  c.real = follower.ToReal(c.action, real);
  for (int a = 0; a < n; ++a) c.same[static_cast<std::size_t>(a)] = follower.ToReal(a, real) == c.real;
  c.follow = c.action;
  if (follower.ActionKindOf(c.action) == ActionKind::kFold && c.real.kind == RealAction::kCheckCall) {
    for (int a = 0; a < n; ++a) {
      const ActionKind k = follower.ActionKindOf(a);
      if (k == ActionKind::kCheck || k == ActionKind::kCall) c.follow = a;
    }
  }
  return c;
}

}  // namespace bp::trainer
