#include "abstraction/betting_tree.h"

#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "abstraction/bet_translation.h"
#include "solver/rng.h"

using namespace bp::abstraction;

namespace {

TableConfig HeadsUp(std::int32_t stack) {
  TableConfig t;
  t.players = 2;
  t.stacks.fill(stack);
  t.small_blind = 50;
  t.big_blind = 100;
  return t;
}

BettingAbstraction Uniform(int max_raises, const std::string& sizes, bool limp = true) {
  BettingAbstraction b;
  for (StreetBetting& s : b.streets) {
    s.max_raises = max_raises;
    s.sizes = ParseSizes(sizes);
  }
  b.streets[0].limp = limp;
  return b;
}

std::uint64_t Sum(const std::array<std::uint64_t, 4>& a) { return a[0] + a[1] + a[2] + a[3]; }

// Walks every node with the engine beside it: each tree action is legal in
// the engine, the child's player, street and terminal status match, and
// terminals settle like the engine. Returns the nodes visited.
std::uint64_t CheckAgainstEngine(const BettingTree& tree, std::uint32_t node, const NlheState& state,
                                 bp::solver::Rng& rng, int raises) {
  REQUIRE(tree.IsTerminal(node) == state.IsTerminal());
  if (state.IsTerminal()) {
    const auto contributions = tree.Contributions(node);
    for (int p = 0; p < state.players(); ++p) REQUIRE(contributions[static_cast<std::size_t>(p)] == state.committed(p));
    REQUIRE(tree.IsFoldTerminal(node) == state.FoldedOut());
    std::array<HandRank, kMaxPlayers> ranks{};
    for (auto& r : ranks) r = static_cast<HandRank>(rng.UniformBelow(3));
    const auto payoffs = tree.Payoffs(node, ranks);
    REQUIRE(payoffs == state.Payoffs(ranks));
    REQUIRE(std::accumulate(payoffs.begin(), payoffs.end(), 0) == 0);
    return 1;
  }
  REQUIRE(tree.Player(node) == state.ToAct());
  REQUIRE(tree.StreetOf(node) == static_cast<int>(state.street()));
  REQUIRE(tree.RaisesBefore(node) == raises);
  REQUIRE(tree.NumActions(node) >= 1);
  std::uint64_t visited = 1;
  std::int32_t previous_raise = 0;
  for (int a = 0; a < tree.NumActions(node); ++a) {
    const AbstractAction& action = tree.Action(node, a);
    NlheState child = state;
    int child_raises = raises;
    switch (action.kind) {
      case ActionKind::kFold:
        REQUIRE(state.CanFold());
        child.Fold();
        break;
      case ActionKind::kCheck:
        REQUIRE(state.CanCheck());
        child.CheckOrCall();
        break;
      case ActionKind::kCall:
        REQUIRE(!state.CanCheck());
        child.CheckOrCall();
        break;
      case ActionKind::kRaise:
      case ActionKind::kAllIn:
        REQUIRE(state.CanRaise());
        REQUIRE(action.raise_to >= state.MinRaiseTo());
        REQUIRE(action.raise_to <= state.MaxRaiseTo());
        REQUIRE((action.kind == ActionKind::kAllIn) == (action.raise_to == state.MaxRaiseTo()));
        REQUIRE(action.raise_to > previous_raise);  // ascending, no duplicates
        previous_raise = action.raise_to;
        child.RaiseTo(action.raise_to);
        ++child_raises;
        break;
    }
    if (child.street() != state.street()) child_raises = 0;
    visited += CheckAgainstEngine(tree, tree.Child(node, a), child, rng, child_raises);
  }
  return visited;
}

std::uint64_t CheckAgainstEngine(const BettingTree& tree) {
  bp::solver::Rng rng(3);
  return CheckAgainstEngine(tree, BettingTree::kRoot, NlheState::NewHand(tree.table()), rng, 0);
}

}  // namespace

TEST_CASE("bet sizes: parse, format, and clear errors") {
  const auto sizes = ParseSizes("0.5, 1,allin | 1 , allin|allin");
  REQUIRE(sizes.size() == 3);
  CHECK(sizes[0] == std::vector<BetSize>{{0.5, false}, {1, false}, {0, true}});
  CHECK(sizes[2] == std::vector<BetSize>{{0, true}});
  CHECK(FormatSizes(sizes) == "0.5, 1, allin | 1, allin | allin");
  CHECK(ParseSizes("").empty());
  CHECK_THROWS_WITH(ParseSizes("0.5, big"), "raise depth 0: 'big' is not a pot fraction in (0, 100] or allin");
  CHECK_THROWS_WITH(ParseSizes("1 | -2"), "raise depth 1: '-2' is not a pot fraction in (0, 100] or allin");
  CHECK_THROWS_WITH(ParseSizes("1,,2"), "raise depth 0 has an empty size");
  StreetBetting street;
  street.sizes = sizes;
  CHECK(street.SizesAt(0).size() == 3);
  CHECK(street.SizesAt(7).size() == 1);  // the last depth repeats
}

TEST_CASE("no raises anywhere, heads-up: fold or limp, then checks to showdown (10 nodes)") {
  const BettingTree tree(HeadsUp(1000), Uniform(0, ""));
  const auto& s = tree.summary();
  CHECK(s.decision_nodes == std::array<std::uint64_t, 4>{2, 2, 2, 2});
  CHECK(s.fold_terminals == 1);
  CHECK(s.showdown_terminals == 1);
  CHECK(s.total_nodes == 10);
  CHECK(tree.NumActions(BettingTree::kRoot) == 2);
  CHECK(tree.Player(BettingTree::kRoot) == 0);  // the button posts the small blind and acts first
  CHECK(CheckAgainstEngine(tree) == 10);
}

TEST_CASE("heads-up, all-in or nothing once per street: 34 nodes") {
  const BettingTree tree(HeadsUp(1000), Uniform(1, "allin"));
  const auto& s = tree.summary();
  // Preflop: button {f, c, a}; facing all-in {f, c}; after a limp {k, a}; facing that {f, c}.
  // Each postflop street: 4 decision nodes (check or all-in, twice; fold or call, twice).
  CHECK(s.decision_nodes == std::array<std::uint64_t, 4>{4, 4, 4, 4});
  CHECK(s.actions == std::array<std::uint64_t, 4>{9, 8, 8, 8});
  CHECK(s.fold_terminals == 1 + 2 + 2 + 2 + 2);  // root fold, then one fold per all-in faced
  CHECK(s.showdown_terminals == 2 + 2 + 2 + 2 + 1);
  CHECK(s.total_nodes == 34);
  CHECK(s.InfosetActions({169, 10, 10, 10}) == 9 * 169 + 3 * 80);
  CHECK(CheckAgainstEngine(tree) == 34);
}

TEST_CASE("no limp: the button may only fold or shove; the big blind folds or calls (5 nodes)") {
  const BettingTree tree(HeadsUp(1000), Uniform(1, "allin", /*limp=*/false));
  CHECK(tree.summary().total_nodes == 5);
  CHECK(tree.NumActions(BettingTree::kRoot) == 2);
  CHECK(tree.Action(BettingTree::kRoot, 0).kind == ActionKind::kFold);
  CHECK(tree.Action(BettingTree::kRoot, 1) == AbstractAction{ActionKind::kAllIn, 1000});
  CHECK(CheckAgainstEngine(tree) == 5);
}

TEST_CASE("three players, no raises: 27 decision nodes, one fold-out and three showdowns") {
  TableConfig t;
  t.players = 3;
  t.stacks.fill(1000);
  const BettingTree tree(t, Uniform(0, ""));
  const auto& s = tree.summary();
  // Preflop: button {f, c}; small blind {f, c} twice; big blind checks in the three branches left.
  // Postflop: 2, 2 and 3 players check each of three streets.
  CHECK(s.decision_nodes[0] == 6);
  CHECK(s.decision_nodes[1] + s.decision_nodes[2] + s.decision_nodes[3] == 21);
  CHECK(s.fold_terminals == 1);
  CHECK(s.showdown_terminals == 3);
  CHECK(s.total_nodes == 31);
  CHECK(tree.Player(BettingTree::kRoot) == 0);  // the button acts first preflop three-handed
  CHECK(CheckAgainstEngine(tree) == 31);
}

TEST_CASE("pot-fraction sizes: chip totals, clamped to the minimum raise and the stack, deduplicated") {
  // Pot 150, 50 to call: f * 200 over the big blind.
  const BettingTree tree(HeadsUp(1000), Uniform(1, "0.1, 0.5, 1, 2, 5, allin"));
  std::vector<std::string> names;
  for (int a = 0; a < tree.NumActions(BettingTree::kRoot); ++a) names.push_back(ActionName(tree.Action(BettingTree::kRoot, a)));
  // 0.1 -> 120, below the minimum raise to 200, so 200 (the same as 0.5); 5 -> 1100, all-in.
  CHECK(names == std::vector<std::string>{"f", "c", "r200", "r300", "r500", "a1000"});
  CHECK(CheckAgainstEngine(tree) == tree.num_nodes());
}

TEST_CASE("every action of multi-street trees is legal in the engine, 2 to 6 players") {
  struct Case {
    int players;
    std::int32_t stack;
    int max_raises;
    const char* sizes;
  };
  for (const Case& c : {Case{2, 20000, 2, "0.5, 1, allin | 1, allin"}, Case{2, 2000, 3, "0.33, 1.5, allin | allin"},
                        Case{3, 5000, 1, "1, allin"}, Case{4, 3000, 1, "allin"}, Case{6, 10000, 1, "allin"}}) {
    CAPTURE(c.players);
    TableConfig t;
    t.players = c.players;
    t.stacks.fill(c.stack);
    t.stacks[1] = c.stack / 2;  // one shorter stack: all-ins of different sizes, side pots
    t.ante = c.players > 3 ? 10 : 0;
    t.button = c.players - 1;
    const BettingTree tree(t, Uniform(c.max_raises, c.sizes));
    CHECK(CheckAgainstEngine(tree) == tree.num_nodes());
    CHECK(tree.summary().total_nodes == tree.num_nodes());
    const auto& s = tree.summary();
    CHECK(Sum(s.decision_nodes) + s.fold_terminals + s.showdown_terminals == tree.num_nodes());
  }
}

TEST_CASE("the tree refuses to grow past its node limit") {
  CHECK_THROWS_AS(BettingTree(HeadsUp(20000), Uniform(3, "0.5, 1, 2, allin"), 1000), BettingTreeError);
}

TEST_CASE("summary: infoset-actions and memory for given buckets") {
  const BettingTree tree(HeadsUp(1000), Uniform(1, "allin"));
  const std::string text = tree.FormatSummary({169, 10, 10, 10});
  CHECK(text.find("34 nodes") != std::string::npos);
  CHECK(text.find(std::to_string(9 * 169 + 3 * 80) + " infoset-actions") != std::string::npos);
  // Regrets of the game's type; strategy sums are doubles (8 bytes each).
  CHECK(text.find("1761 infoset-actions: int32 regrets 6.9 KiB; double strategy sums 11.9 KiB on the preflop, 13.8 KiB "
                  "on every street") != std::string::npos);
  CHECK(tree.FormatSummary({169, 10, 10, 10}, 8, "double").find("double regrets 13.8 KiB") != std::string::npos);
}

TEST_CASE("pseudo-harmonic translation") {
  // f(A) = 1, f(B) = 0; halfway between a half-pot and a pot bet.
  CHECK(PseudoHarmonicLowerProbability(0.5, 1, 0.5) == doctest::Approx(1));
  CHECK(PseudoHarmonicLowerProbability(0.5, 1, 1) == doctest::Approx(0));
  CHECK(PseudoHarmonicLowerProbability(0.5, 1, 0.75) == doctest::Approx((0.25 * 1.5) / (0.5 * 1.75)));
  // Between a check (0) and a pot bet (1), x = 1/3 maps to the check with probability 1/2.
  CHECK(PseudoHarmonicLowerProbability(0, 1, 1.0 / 3) == doctest::Approx(0.5));
  // Decreasing in x.
  double last = 1;
  for (double x = 0.5; x <= 1; x += 0.05) {
    const double f = PseudoHarmonicLowerProbability(0.5, 1, x);
    CHECK(f <= last + 1e-12);
    last = f;
  }
  const double sizes[] = {0, 0.5, 1, 2};
  CHECK(TranslateFraction(sizes, 3).lower == 3);
  CHECK(TranslateFraction(sizes, 1).lower == 2);
  CHECK(TranslateFraction(sizes, 1).upper == 2);
  const Translation t = TranslateFraction(sizes, 1.5);
  CHECK(t.lower == 2);
  CHECK(t.upper == 3);
  CHECK(t.lower_probability == doctest::Approx(PseudoHarmonicLowerProbability(1, 2, 1.5)));
}

TEST_CASE("off-tree raises at a tree node translate to the neighbouring actions") {
  const BettingTree tree(HeadsUp(20000), Uniform(1, "0.5, 1, allin"));
  const NlheState root = NlheState::NewHand(tree.table());
  // Root actions: f, c, r200 (0.5), r300 (1), a20000. A raise to 250 is 0.75 of the pot after calling.
  const Translation t = TranslateRaise(tree, BettingTree::kRoot, root, 250);
  CHECK(ActionName(tree.Action(BettingTree::kRoot, t.lower)) == "r200");
  CHECK(ActionName(tree.Action(BettingTree::kRoot, t.upper)) == "r300");
  CHECK(t.lower_probability == doctest::Approx(PseudoHarmonicLowerProbability(0.5, 1, 0.75)));
  const Translation exact = TranslateRaise(tree, BettingTree::kRoot, root, 300);
  CHECK(exact.lower == exact.upper);
  CHECK(ActionName(tree.Action(BettingTree::kRoot, exact.lower)) == "r300");
  const Translation big = TranslateRaise(tree, BettingTree::kRoot, root, 5000);
  CHECK(ActionName(tree.Action(BettingTree::kRoot, big.upper)) == "a20000");
}
