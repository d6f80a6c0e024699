#include "abstraction/betting_tree.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

namespace bp::abstraction {
namespace {

std::string Bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", b, units[u]);
}

}  // namespace

std::string ActionName(const AbstractAction& action) {
  switch (action.kind) {
    case ActionKind::kFold: return "f";
    case ActionKind::kCheck: return "k";
    case ActionKind::kCall: return "c";
    case ActionKind::kRaise: return fmt::format("r{}", action.raise_to);
    case ActionKind::kAllIn: return fmt::format("a{}", action.raise_to);
  }
  return "?";
}

std::uint64_t BettingTreeSummary::InfosetActions(const std::array<std::uint64_t, kNumStreets>& buckets) const {
  std::uint64_t total = 0;
  for (std::size_t s = 0; s < kNumStreets; ++s) total += actions[s] * buckets[s];
  return total;
}

std::vector<AbstractAction> BettingTree::ActionsAt(const NlheState& state, const BettingAbstraction& abstraction,
                                                   int raises_this_street) {
  std::vector<AbstractAction> actions;
  const int street = static_cast<int>(state.street());
  const StreetBetting& rules = abstraction.streets[static_cast<std::size_t>(street)];
  std::vector<std::int32_t> totals;
  if (state.CanRaise() && raises_this_street < rules.max_raises) {
    const std::int32_t lo = state.MinRaiseTo();
    const std::int32_t hi = state.MaxRaiseTo();
    const double pot_after_call = static_cast<double>(state.pot()) + state.CallAmount();
    for (const BetSize& size : rules.SizesAt(raises_this_street)) {
      std::int64_t total = hi;
      if (!size.all_in) total = state.current_bet() + std::llround(size.pot_fraction * pot_after_call);
      totals.push_back(static_cast<std::int32_t>(std::clamp<std::int64_t>(total, lo, hi)));
    }
    std::sort(totals.begin(), totals.end());
    totals.erase(std::unique(totals.begin(), totals.end()), totals.end());
  }
  if (state.CanFold()) actions.push_back({ActionKind::kFold, 0});
  if (state.CanCheck()) {
    actions.push_back({ActionKind::kCheck, 0});
  } else {
    const bool limp_forbidden = street == 0 && !rules.limp && raises_this_street == 0 && !totals.empty();
    if (!limp_forbidden) actions.push_back({ActionKind::kCall, 0});
  }
  for (std::int32_t t : totals)
    actions.push_back({t == state.MaxRaiseTo() ? ActionKind::kAllIn : ActionKind::kRaise, t});
  return actions;
}

BettingTree::BettingTree(const TableConfig& table, const BettingAbstraction& abstraction, std::uint64_t max_nodes)
    : table_(table) {
  struct Frame {
    std::uint32_t id;
    NlheState state;
    std::uint8_t raises;
    std::uint8_t street;  // of the action that led here
  };
  std::vector<Frame> stack;
  nodes_.push_back({});
  incoming_.push_back({});
  parent_.push_back(kRoot);
  const NlheState root = NlheState::NewHand(table);
  stack.push_back({kRoot, root, 0, 0});
  const int players = table.players;
  while (!stack.empty()) {
    const Frame frame = stack.back();
    stack.pop_back();
    const NlheState& state = frame.state;
    if (state.IsTerminal()) {
      Node& node = nodes_[frame.id];
      node.first_child = static_cast<std::uint32_t>(terminal_folded_.size());
      node.num_actions = 0;
      node.player = -1;
      node.street = frame.street;
      node.raises = 0;
      for (int p = 0; p < players; ++p) terminal_committed_.push_back(state.committed(p));
      terminal_folded_.push_back(state.folded_mask());
      if (state.FoldedOut()) ++summary_.fold_terminals;
      else ++summary_.showdown_terminals;
      continue;
    }
    const std::vector<AbstractAction> actions = ActionsAt(state, abstraction, frame.raises);
    const int street = static_cast<int>(state.street());
    const auto first = static_cast<std::uint32_t>(nodes_.size());
    if (nodes_.size() + actions.size() > max_nodes) {
      throw BettingTreeError(fmt::format("the betting tree has more than {} nodes; use fewer bet sizes or a "
                                         "lower max_raises",
                                         max_nodes));
    }
    {
      Node& node = nodes_[frame.id];
      node.first_child = first;
      node.num_actions = static_cast<std::uint8_t>(actions.size());
      node.player = static_cast<std::int8_t>(state.ToAct());
      node.street = static_cast<std::uint8_t>(street);
      node.raises = frame.raises;
    }
    ++summary_.decision_nodes[static_cast<std::size_t>(street)];
    summary_.actions[static_cast<std::size_t>(street)] += actions.size();
    summary_.max_actions = std::max(summary_.max_actions, static_cast<int>(actions.size()));
    for (const AbstractAction& a : actions) {
      nodes_.push_back({});
      incoming_.push_back(a);
      parent_.push_back(frame.id);
    }
    // Children pushed last-first so that the first child is expanded next.
    for (int i = static_cast<int>(actions.size()) - 1; i >= 0; --i) {
      const AbstractAction& a = actions[static_cast<std::size_t>(i)];
      NlheState child = state;
      int raises = frame.raises;
      switch (a.kind) {
        case ActionKind::kFold: child.Fold(); break;
        case ActionKind::kCheck:
        case ActionKind::kCall: child.CheckOrCall(); break;
        case ActionKind::kRaise:
        case ActionKind::kAllIn:
          child.RaiseTo(a.raise_to);
          ++raises;
          break;
      }
      if (child.street() != state.street()) raises = 0;
      stack.push_back({first + static_cast<std::uint32_t>(i), child, static_cast<std::uint8_t>(std::min(raises, 255)),
                       static_cast<std::uint8_t>(street)});
    }
  }
  summary_.total_nodes = nodes_.size();
}

std::string BettingTree::History(std::uint32_t node) const {
  std::vector<std::uint32_t> path;
  for (std::uint32_t n = node; n != kRoot; n = parent_[n]) path.push_back(n);
  std::string out;
  int street = 0;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    const int s = StreetOf(parent_[*it]);
    if (!out.empty()) out += s != street ? "/" : "-";
    street = s;
    out += ActionName(incoming_[*it]);
  }
  return out;
}

bool BettingTree::IsFoldTerminal(std::uint32_t node) const {
  const std::uint8_t folded = terminal_folded_[nodes_[node].first_child];
  return table_.players - std::popcount(static_cast<unsigned>(folded)) == 1;
}

std::span<const std::int32_t> BettingTree::Contributions(std::uint32_t node) const {
  return {terminal_committed_.data() + static_cast<std::size_t>(nodes_[node].first_child) * table_.players,
          static_cast<std::size_t>(table_.players)};
}

std::array<std::int32_t, kMaxPlayers> BettingTree::Payoffs(std::uint32_t node,
                                                           const std::array<HandRank, kMaxPlayers>& ranks) const {
  std::array<std::int32_t, kMaxPlayers> committed{};
  const auto c = Contributions(node);
  std::copy(c.begin(), c.end(), committed.begin());
  return SettleHand(table_.players, table_.button, committed, terminal_folded_[nodes_[node].first_child], ranks);
}

std::string BettingTree::FormatSummary(const std::array<std::uint64_t, kNumStreets>& buckets, std::size_t regret_bytes,
                                       std::string_view regret_type) const {
  const BettingTreeSummary& s = summary_;
  std::string out = fmt::format("betting tree: {} nodes ({} decision, {} fold terminals, {} showdowns), at most {} actions\n",
                                s.total_nodes,
                                s.decision_nodes[0] + s.decision_nodes[1] + s.decision_nodes[2] + s.decision_nodes[3],
                                s.fold_terminals, s.showdown_terminals, s.max_actions);
  out += fmt::format("{:<8} {:>14} {:>14} {:>9} {:>18}\n", "street", "decision nodes", "actions", "buckets",
                     "infoset-actions");
  for (int street = 0; street < static_cast<int>(kNumStreets); ++street) {
    out += fmt::format("{:<8} {:>14} {:>14} {:>9} {:>18}\n", StreetName(street),
                       s.decision_nodes[static_cast<std::size_t>(street)], s.actions[static_cast<std::size_t>(street)],
                       buckets[static_cast<std::size_t>(street)],
                       s.actions[static_cast<std::size_t>(street)] * buckets[static_cast<std::size_t>(street)]);
  }
  const std::uint64_t all = s.InfosetActions(buckets);
  const std::uint64_t preflop = s.actions[0] * buckets[0];
  const double regret = static_cast<double>(regret_bytes), sum = sizeof(double);
  out += fmt::format("{} infoset-actions: {} regrets {}; double strategy sums {} on the preflop, {} on every street\n",
                     all, regret_type, Bytes(regret * static_cast<double>(all)), Bytes(sum * static_cast<double>(preflop)),
                     Bytes(sum * static_cast<double>(all)));
  return out;
}

}  // namespace bp::abstraction
