// FlatTree: the solver's own copy of a game's betting tree, laid out for the
// traversal. One 16-byte record per node holds everything a visit reads
// before the tables: the infoset's first table entry, the actions, the
// acting player and street, whether it keeps strategy sums, and where the
// children are. Nodes are numbered
// breadth first from the root (index 0), so that the children of a node are
// contiguous whatever the game's own numbering; a terminal keeps the game's
// node id for Utility. Nodes the root cannot reach are left out.
//
// Immutable after construction; thread-compatible.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "solver/game.h"
#include "solver/table_layout.h"

namespace bp::solver {

class FlatTree {
 public:
  struct Node {
    std::uint64_t entry;  // decision: TableLayout::entry_offset; terminal: the game's node id
    std::uint32_t first;  // decision: the index of child 0 (child a is first + a)
    std::uint8_t n;       // actions; 0 at a terminal
    std::uint8_t player;
    std::uint8_t street;
    std::uint8_t averaged;  // street < average_streets: strategy sums are kept here
  };
  static_assert(sizeof(Node) == 16);
  static constexpr std::uint32_t kRoot = 0;

  // average_streets: strategy sums on the streets below it (SamplingOptions).
  template <Game G>
  FlatTree(const G& game, const TableLayout& layout, int average_streets) {
    std::vector<NodeId> ids{game.Root()};  // the game's id of each index
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const NodeId id = ids[i];
      Node node{};
      if (game.IsTerminal(id)) {
        node.entry = id;
      } else {
        const int n = game.NumActions(id);
        if (n < 1 || n > kMaxActions) throw std::invalid_argument("FlatTree: a node has 0 or too many actions");
        if (ids.size() + static_cast<std::size_t>(n) > UINT32_MAX) throw std::length_error("FlatTree: too many nodes");
        node.entry = layout.entry_offset(id);
        node.first = static_cast<std::uint32_t>(ids.size());
        node.n = static_cast<std::uint8_t>(n);
        node.player = static_cast<std::uint8_t>(game.Player(id));
        node.street = static_cast<std::uint8_t>(game.Street(id));
        node.averaged = game.Street(id) < average_streets ? 1 : 0;
        for (int a = 0; a < n; ++a) ids.push_back(game.Child(id, a));
      }
      nodes_.push_back(node);
    }
  }

  const Node& node(std::uint32_t index) const { return nodes_[index]; }
  std::size_t size() const { return nodes_.size(); }

 private:
  std::vector<Node> nodes_;
};

}  // namespace bp::solver
