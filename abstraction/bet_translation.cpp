#include "abstraction/bet_translation.h"

#include <stdexcept>
#include <vector>

namespace bp::abstraction {

double PseudoHarmonicLowerProbability(double a, double b, double x) {
  return ((b - x) * (1 + a)) / ((b - a) * (1 + x));
}

Translation TranslateFraction(std::span<const double> sizes, double x) {
  const int n = static_cast<int>(sizes.size());
  if (x <= sizes[0]) return {0, 0, 1};
  if (x >= sizes[static_cast<std::size_t>(n - 1)]) return {n - 1, n - 1, 1};
  int upper = 1;
  while (sizes[static_cast<std::size_t>(upper)] < x) ++upper;
  const double a = sizes[static_cast<std::size_t>(upper - 1)];
  const double b = sizes[static_cast<std::size_t>(upper)];
  if (x == b) return {upper, upper, 1};
  return {upper - 1, upper, PseudoHarmonicLowerProbability(a, b, x)};
}

double RaiseFraction(const NlheState& state, std::int32_t raise_to) {
  const double pot_after_call = static_cast<double>(state.pot()) + state.CallAmount();
  return static_cast<double>(raise_to - state.current_bet()) / pot_after_call;
}

Translation TranslateRaise(const BettingTree& tree, std::uint32_t node, const NlheState& state,
                           std::int32_t raise_to) {
  // Candidates: the check or call (fraction 0), then every raise.
  std::vector<double> fractions;
  std::vector<int> actions;
  for (int a = 0; a < tree.NumActions(node); ++a) {
    const AbstractAction& action = tree.Action(node, a);
    if (action.kind == ActionKind::kCheck || action.kind == ActionKind::kCall) {
      fractions.push_back(0);
      actions.push_back(a);
    } else if (action.kind == ActionKind::kRaise || action.kind == ActionKind::kAllIn) {
      fractions.push_back(RaiseFraction(state, action.raise_to));
      actions.push_back(a);
    }
  }
  if (fractions.empty()) throw std::invalid_argument("no raise, check or call at this node of the betting tree");
  const Translation t = TranslateFraction(fractions, RaiseFraction(state, raise_to));
  return {actions[static_cast<std::size_t>(t.lower)], actions[static_cast<std::size_t>(t.upper)], t.lower_probability};
}

}  // namespace bp::abstraction
