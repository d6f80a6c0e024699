// A strategy in a betting tree, and a player who follows it in the real game.
//
// TreeStrategy: what the evaluations (local best response, blueprint
// matches) see of a strategy: its betting tree, its card abstraction (hole
// cards and board -> bucket) and its action probabilities at (betting node,
// bucket). A Blueprint is one; the fixed opponents (fold, call, random,
// all-in) are others, over the blueprint's tree.
//
// TreeFollower: where a hand of the real game (NlheState, any chip amounts)
// stands in a strategy's tree. It keeps the tree's node and the tree's own
// chips (the abstract state). Real actions are mapped into the tree:
//   fold        -> the tree's fold (its check where it has no fold);
//   check/call  -> the tree's check or call; where the tree has neither (a
//                  limp into a tree without limps), its smallest raise;
//   raise to T  -> the tree's all-in if T is all-in and the tree has one;
//                  otherwise by the pseudo-harmonic mapping
//                  (abstraction/bet_translation.h) between the tree's raises
//                  (and its check or call, as 0), comparing T's pot fraction
//                  in the real hand with theirs in the abstract one.
// The tree's actions are mapped out: fold (a check, and the tree's check or
// call, where the real player may check), check or call, a raise of the same pot fraction in the real hand
// (clamped to the legal range), all-in.
// The tree follows the real hand while its node is the real actor's decision
// on the real street ("aligned"). Where they part (the tree's hand ended, or
// a translated bet closed its street early), the player checks or calls in
// the real hand and the tree stays where it is until they meet again.
// Value types over trees that must outlive them; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "abstraction/bet_translation.h"
#include "abstraction/betting_tree.h"
#include "abstraction/card.h"
#include "abstraction/nlhe_state.h"
#include "solver/game.h"
#include "trainer/blueprint.h"

namespace bp::trainer {

class TreeStrategy {
 public:
  virtual ~TreeStrategy() = default;
  virtual const abstraction::BettingTree& tree() const = 0;
  // Whether the probabilities depend on the cards (false: bucket 0 always).
  virtual bool uses_cards() const { return true; }
  // Requires: 2 hole cards, kBoardCards[street] board cards, all distinct.
  virtual std::uint32_t Bucket(int street, const abstraction::Card* hole, const abstraction::Card* board) const = 0;
  // The probabilities of the actions of decision node `node` for `bucket`.
  virtual const float* At(std::uint32_t node, std::uint32_t bucket) const = 0;
};

// A blueprint's strategy; the blueprint must outlive it.
class BlueprintStrategy final : public TreeStrategy {
 public:
  explicit BlueprintStrategy(const Blueprint& blueprint) : blueprint_(blueprint) {}
  const abstraction::BettingTree& tree() const override { return blueprint_.game().tree(); }
  std::uint32_t Bucket(int street, const abstraction::Card* hole, const abstraction::Card* board) const override {
    return blueprint_.game().buckets().Bucket(street, hole, board);
  }
  const float* At(std::uint32_t node, std::uint32_t bucket) const override { return blueprint_.At(node, bucket); }

 private:
  const Blueprint& blueprint_;
};

// The fixed opponents, in a tree:
//   fold    folds when facing a bet, checks otherwise;
//   call    checks or calls, never folds (where the tree has neither, its
//           smallest raise);
//   random  uniform over the tree's actions;
//   allin   the largest action.
enum class Opponent { kFold, kCall, kRandom, kAllIn };

class FixedStrategy final : public TreeStrategy {
 public:
  FixedStrategy(const abstraction::BettingTree& tree, Opponent kind);
  const abstraction::BettingTree& tree() const override { return tree_; }
  bool uses_cards() const override { return false; }
  std::uint32_t Bucket(int, const abstraction::Card*, const abstraction::Card*) const override { return 0; }
  const float* At(std::uint32_t node, std::uint32_t) const override { return probabilities_.data() + offset_[node]; }

 private:
  const abstraction::BettingTree& tree_;
  std::vector<std::uint64_t> offset_;  // per node
  std::vector<float> probabilities_;
};

// A real action: fold, check or call, or a raise to `to` chips on the street.
struct RealAction {
  enum Kind : std::uint8_t { kFold, kCheckCall, kRaise } kind = kCheckCall;
  std::int32_t to = 0;  // kRaise only
  friend bool operator==(const RealAction&, const RealAction&) = default;
};
// Requires: a legal action in `state`.
void ApplyReal(abstraction::NlheState& state, const RealAction& action);
// "f", "k", "c", "r<chips>" (the query's names; all-in is a raise).
std::string RealActionName(const abstraction::NlheState& state, const RealAction& action);

class TreeFollower {
 public:
  explicit TreeFollower(const abstraction::BettingTree& tree);

  // Back to the root of a new hand.
  void Reset();
  std::uint32_t node() const { return node_; }
  int num_actions() const { return tree_.NumActions(node_); }
  abstraction::ActionKind ActionKindOf(int action) const { return tree_.Action(node_, action).kind; }
  const abstraction::NlheState& abstract_state() const { return abstract_; }
  // The node is the decision of the real actor on the real street.
  bool Aligned(const abstraction::NlheState& real) const;

  // Requires: Aligned(real). The real action for the tree's action `action`.
  RealAction ToReal(int action, const abstraction::NlheState& real) const;
  // Requires: Aligned(real); `action` legal in `real`. The tree's action(s)
  // for it: lower with probability lower_probability, else upper.
  abstraction::Translation Translate(const RealAction& action, const abstraction::NlheState& real) const;
  // Requires: the node is a decision node. Takes the tree's action.
  void Apply(int action);
  // The tree's node after its action `action` (no move).
  std::uint32_t ChildOf(int action) const { return tree_.Child(node_, action); }

 private:
  const abstraction::BettingTree& tree_;
  std::uint32_t node_ = abstraction::BettingTree::kRoot;
  abstraction::NlheState abstract_;
};

// A strategy acting at an aligned node: a sampled tree action, the real
// action it maps to, which tree actions map to that same real action (what
// a range update multiplies by), and the tree action the follower takes:
// the sampled one, except that a fold played as a check (the real player
// may check where the tree folds, after a limp read as a raise) follows the
// tree's check or call, so the strategy stays in its tree.
struct MappedChoice {
  int action = 0;
  int follow = 0;
  RealAction real;
  std::array<bool, solver::kMaxActions> same{};  // per tree action: maps to `real`
};
MappedChoice ChooseMapped(const TreeFollower& follower, const abstraction::NlheState& real, const float* probabilities,
                          double uniform);

}  // namespace bp::trainer
