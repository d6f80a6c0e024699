// TabularPolicy: action probabilities for every information set, in the same
// layout as the tables (see TableLayout). Built from strategy sums (the
// average strategy, which converges to equilibrium), or uniform. Owns its
// probabilities; holds a pointer to the layout, which must outlive it.
#pragma once

#include <span>
#include <vector>

#include "solver/game.h"
#include "solver/regret_matching.h"
#include "solver/table_layout.h"

namespace bp::solver {

class TabularPolicy {
 public:
  static TabularPolicy Uniform(const TableLayout& layout);
  static TabularPolicy Average(const TableLayout& layout, std::span<const double> strategy_sum);

  // Probabilities of the actions at infoset (node, bucket).
  std::span<const double> At(NodeId node, std::uint32_t bucket) const {
    const int n = layout_->num_actions(node);
    return {probs_.data() + layout_->entry_offset(node) + static_cast<std::uint64_t>(bucket) * n,
            static_cast<std::size_t>(n)};
  }
  std::span<double> MutableAt(NodeId node, std::uint32_t bucket) {
    const int n = layout_->num_actions(node);
    return {probs_.data() + layout_->entry_offset(node) + static_cast<std::uint64_t>(bucket) * n,
            static_cast<std::size_t>(n)};
  }
  const TableLayout& layout() const { return *layout_; }

 private:
  explicit TabularPolicy(const TableLayout& layout) : layout_(&layout), probs_(layout.num_entries()) {}

  // Calls fill(first_entry, num_actions, out) for every infoset block.
  template <class F>
  static TabularPolicy FromBlocks(const TableLayout& layout, F&& fill);

  const TableLayout* layout_;
  std::vector<double> probs_;
};

}  // namespace bp::solver
