#include "solver/policy.h"

namespace bp::solver {

template <class F>
TabularPolicy TabularPolicy::FromBlocks(const TableLayout& layout, F&& fill) {
  TabularPolicy policy(layout);
  for (NodeId node = 0; node < layout.num_nodes(); ++node) {
    const int n = layout.num_actions(node);
    if (n == 0) continue;
    for (std::uint64_t e = layout.entry_offset(node); e < layout.entry_end(node); e += n) fill(e, n, policy.probs_.data() + e);
  }
  return policy;
}

TabularPolicy TabularPolicy::Uniform(const TableLayout& layout) {
  return FromBlocks(layout, [](std::uint64_t, int n, double* out) {
    for (int a = 0; a < n; ++a) out[a] = 1.0 / n;
  });
}

TabularPolicy TabularPolicy::Average(const TableLayout& layout, std::span<const double> strategy_sum) {
  return FromBlocks(layout, [&](std::uint64_t e, int n, double* out) {
    NormalizeStrategySum(strategy_sum.data() + e, n, out);
  });
}

}  // namespace bp::solver
