// BettingTree: the public tree of abstract betting sequences of no-limit
// hold'em for one table (TableConfig) and one BettingAbstraction.
//
// Nodes have dense ids in [0, num_nodes()); the root is 0. A decision node's
// children are contiguous: action a of node n leads to node
// first_child(n) + a, and action(child) is the action that led there (so the
// actions of a node are the actions of its children, in order: fold, check
// or call, then raises by increasing size). Terminal nodes are fold-outs or
// showdowns (the board is run out when fewer than two players can bet); each
// keeps its players' contributions to settle the pot. Chance (the cards) is
// not in the tree: the street of each node says which board the player sees.
//
// Built once, immutable afterwards; thread-safe; forked workers share it
// read-only.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "abstraction/betting_abstraction.h"
#include "abstraction/nlhe_state.h"

namespace bp::abstraction {

enum class ActionKind : std::uint8_t { kFold = 0, kCheck, kCall, kRaise, kAllIn };

struct AbstractAction {
  ActionKind kind = ActionKind::kFold;
  std::int32_t raise_to = 0;  // kRaise / kAllIn: the player's bet this street afterwards
  friend bool operator==(const AbstractAction&, const AbstractAction&) = default;
};

// "f", "k", "c", "r300", "a20000": compact names used in action histories.
std::string ActionName(const AbstractAction& action);

class BettingTreeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BettingTreeSummary {
  std::array<std::uint64_t, kNumStreets> decision_nodes{};  // per street
  std::array<std::uint64_t, kNumStreets> actions{};  // sum of actions over decision nodes, per street
  std::uint64_t fold_terminals = 0;
  std::uint64_t showdown_terminals = 0;
  std::uint64_t total_nodes = 0;
  int max_actions = 0;
  // Infoset-actions (one regret each) for buckets[street] buckets per street.
  std::uint64_t InfosetActions(const std::array<std::uint64_t, kNumStreets>& buckets) const;
};

class BettingTree {
 public:
  // Requires a valid TableConfig (see NlheState::NewHand). Throws
  // BettingTreeError if the tree would exceed max_nodes.
  BettingTree(const TableConfig& table, const BettingAbstraction& abstraction, std::uint64_t max_nodes = 1ULL << 31);

  const TableConfig& table() const { return table_; }
  std::uint32_t num_nodes() const { return static_cast<std::uint32_t>(nodes_.size()); }
  static constexpr std::uint32_t kRoot = 0;

  bool IsTerminal(std::uint32_t node) const { return nodes_[node].num_actions == 0; }
  // Seat to act at a decision node.
  int Player(std::uint32_t node) const { return nodes_[node].player; }
  // Street of a decision node (0..3); at a terminal, the street it ended on.
  int StreetOf(std::uint32_t node) const { return nodes_[node].street; }
  int NumActions(std::uint32_t node) const { return nodes_[node].num_actions; }
  std::uint32_t Child(std::uint32_t node, int action) const { return nodes_[node].first_child + static_cast<std::uint32_t>(action); }
  const AbstractAction& Action(std::uint32_t node, int action) const { return incoming_[Child(node, action)]; }
  // The actions from the root to `node`: "c-k/k-r300-c/..." ('-' between
  // actions, '/' where a street ends); "" at the root.
  std::string History(std::uint32_t node) const;
  // Bets and raises made on the node's street before it.
  int RaisesBefore(std::uint32_t node) const { return nodes_[node].raises; }

  // Terminal nodes: whether everyone but one folded, and each player's net
  // chips given hand ranks (ignored at fold-outs).
  bool IsFoldTerminal(std::uint32_t node) const;
  std::array<std::int32_t, kMaxPlayers> Payoffs(std::uint32_t node, const std::array<HandRank, kMaxPlayers>& ranks) const;
  // Chips each player put in by the terminal.
  std::span<const std::int32_t> Contributions(std::uint32_t node) const;

  const BettingTreeSummary& summary() const { return summary_; }
  // A few lines: nodes per street, terminals, infoset-actions and the
  // memory of the regrets (regret_bytes each: 4 for nlhe's int32) and of the
  // strategy sums (doubles) on the preflop or on every street, with
  // buckets[street] buckets per street.
  std::string FormatSummary(const std::array<std::uint64_t, kNumStreets>& buckets, std::size_t regret_bytes = 4,
                            std::string_view regret_type = "int32") const;

  // The abstract actions at `state` (a state at a node of this tree) under
  // the abstraction; what the tree builder uses.
  static std::vector<AbstractAction> ActionsAt(const NlheState& state, const BettingAbstraction& abstraction,
                                               int raises_this_street);

 private:
  struct Node {
    std::uint32_t first_child;  // decision: first child id; terminal: terminal ordinal
    std::uint8_t num_actions;
    std::int8_t player;
    std::uint8_t street;
    std::uint8_t raises;
  };
  static_assert(sizeof(Node) == 8);

  TableConfig table_;
  std::vector<Node> nodes_;
  std::vector<AbstractAction> incoming_;
  std::vector<std::uint32_t> parent_;  // the root's is the root (History walks up)
  // Per terminal: table_.players contributions, then the folded mask.
  std::vector<std::int32_t> terminal_committed_;
  std::vector<std::uint8_t> terminal_folded_;
  BettingTreeSummary summary_;
};

}  // namespace bp::abstraction
