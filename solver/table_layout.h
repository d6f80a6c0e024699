// TableLayout: where each information set's entries live in the dense
// regret and strategy-sum tables.
//
// Decision nodes are laid out street by street, in node order within a
// street; node n owns a block of NumBuckets(street(n)) * NumActions(n) entries,
// bucket-major:
//   entry(n, bucket, action) = entry_offset(n) + bucket * NumActions(n) + action
// and the dense infoset index is infoset_offset(n) + bucket. Terminal nodes own
// nothing. Street-major order makes the entries of the first k streets a
// prefix of the table, [0, street_end(k-1)): a strategy-sum table kept for the
// preflop only is that prefix. Immutable after construction; safe to share
// between threads and, being plain data, to rebuild identically in every
// process.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "solver/game.h"

namespace bp::solver {

struct InfosetRef {
  NodeId node;
  std::uint32_t bucket;
};

class TableLayout {
 public:
  template <Game G>
  explicit TableLayout(const G& game);

  std::uint64_t entry_offset(NodeId node) const { return entry_offset_[node]; }
  std::uint64_t infoset_offset(NodeId node) const { return infoset_offset_[node]; }
  // One past the node's last entry.
  std::uint64_t entry_end(NodeId node) const { return entry_end_[node]; }
  int num_actions(NodeId node) const { return num_actions_[node]; }
  // One past the last entry of street `street` (and of every earlier street).
  std::uint64_t street_end(int street) const { return street_end_[static_cast<std::size_t>(street)]; }
  int num_streets() const { return static_cast<int>(street_end_.size()); }
  std::uint64_t num_entries() const { return num_entries_; }
  std::uint64_t num_infosets() const { return num_infosets_; }
  NodeId num_nodes() const { return static_cast<NodeId>(entry_offset_.size()); }

  // Finds the infoset whose name is `name` by scanning every infoset (for
  // inspection of small games; linear in the number of infosets).
  template <Game G>
  std::optional<InfosetRef> FindInfoset(const G& game, const std::string& name) const;

 private:
  std::vector<std::uint64_t> entry_offset_;
  std::vector<std::uint64_t> infoset_offset_;
  std::vector<std::uint64_t> entry_end_;
  std::vector<std::uint8_t> num_actions_;
  std::vector<std::uint64_t> street_end_;
  std::uint64_t num_entries_ = 0;
  std::uint64_t num_infosets_ = 0;
};

class LayoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <Game G>
TableLayout::TableLayout(const G& game) {
  const NodeId n = game.NumNodes();
  entry_offset_.assign(n, 0);
  infoset_offset_.assign(n, 0);
  entry_end_.assign(n, 0);
  num_actions_.assign(n, 0);
  for (NodeId node = 0; node < n; ++node) {
    if (game.IsTerminal(node)) continue;
    const int actions = game.NumActions(node);
    if (actions < 1 || actions > kMaxActions) {
      throw LayoutError("node " + std::to_string(node) + " has " + std::to_string(actions) +
                        " actions; expected 1.." + std::to_string(kMaxActions));
    }
    const int street = game.Street(node);
    if (street < 0 || street >= game.NumStreets()) {
      throw LayoutError("node " + std::to_string(node) + " is on street " + std::to_string(street) + "; expected 0.." +
                        std::to_string(game.NumStreets() - 1));
    }
    num_actions_[node] = static_cast<std::uint8_t>(actions);
  }
  for (int street = 0; street < game.NumStreets(); ++street) {
    for (NodeId node = 0; node < n; ++node) {
      if (num_actions_[node] == 0 || game.Street(node) != street) continue;
      const std::uint64_t buckets = game.NumBuckets(street);
      entry_offset_[node] = num_entries_;
      infoset_offset_[node] = num_infosets_;
      num_infosets_ += buckets;
      num_entries_ += buckets * num_actions_[node];
      entry_end_[node] = num_entries_;
    }
    street_end_.push_back(num_entries_);
  }
}

template <Game G>
std::optional<InfosetRef> TableLayout::FindInfoset(const G& game, const std::string& name) const {
  for (NodeId node = 0; node < num_nodes(); ++node) {
    if (game.IsTerminal(node)) continue;
    const std::uint32_t buckets = game.NumBuckets(game.Street(node));
    for (std::uint32_t b = 0; b < buckets; ++b) {
      if (game.InfosetName(node, b) == name) return InfosetRef{node, b};
    }
  }
  return std::nullopt;
}

}  // namespace bp::solver
