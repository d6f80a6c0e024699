// The parts of local best response and blueprint matches that need no
// trained blueprint: settings, equities against a range, the all-in
// adjustment, the tree follower's translations, fixed opponents and the
// duplicate-deal runner. (LBR against trained strategies: pushfold_slow_test
// and strength_checks.h.)
#include "trainer/lbr.h"

#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "abstraction/bet_translation.h"
#include "trainer/duplicate_deals.h"
#include "trainer/match.h"
#include "trainer/tree_strategy.h"
#include "trainer/yaml_schema.h"

using namespace bp;
using namespace bp::trainer;
using abstraction::Card;

namespace {

Card C(const char* text) { return *abstraction::ParseCard(text); }

abstraction::TableConfig Table() {
  abstraction::TableConfig t;
  t.players = 2;
  t.stacks.fill(20000);
  return t;
}

abstraction::BettingAbstraction Betting(bool limp, const char* preflop, const char* later) {
  abstraction::BettingAbstraction b;
  b.streets[0] = {3, abstraction::ParseSizes(preflop), limp};
  for (std::size_t s = 1; s < 4; ++s) b.streets[s] = {2, abstraction::ParseSizes(later), true};
  return b;
}

// Equity of `hole` against every live pair, weighted, by enumerating the rest of the board.
double BruteEquity(const abstraction::HandEvaluator& ev, const Card* hole, const std::vector<Card>& board,
                   const std::vector<double>& w) {
  double num = 0, den = 0;
  abstraction::CardMask used = abstraction::MaskOf(hole[0]) | abstraction::MaskOf(hole[1]);
  for (Card b : board) used |= abstraction::MaskOf(b);
  std::vector<Card> rest;
  for (int c = 0; c < 52; ++c)
    if (!(used & abstraction::MaskOf(static_cast<Card>(c)))) rest.push_back(static_cast<Card>(c));
  auto score = [&](const std::vector<Card>& full) {
    Card mine[7] = {hole[0], hole[1], full[0], full[1], full[2], full[3], full[4]};
    const auto s = ev.Strength7(mine);
    for (int p = 0; p < abstraction::kNumHolePairs; ++p) {
      if (w[static_cast<std::size_t>(p)] == 0) continue;
      const auto cards = abstraction::HolePairCards(p);
      bool clash = false;
      for (Card b : full) clash = clash || b == cards[0] || b == cards[1];
      if (clash) continue;
      Card theirs[7] = {cards[0], cards[1], full[0], full[1], full[2], full[3], full[4]};
      const auto t = ev.Strength7(theirs);
      num += w[static_cast<std::size_t>(p)] * (s > t ? 1.0 : s == t ? 0.5 : 0.0);
      den += w[static_cast<std::size_t>(p)];
    }
  };
  if (board.size() == 5) {
    score(board);
  } else if (board.size() == 4) {
    for (Card r : rest) {
      std::vector<Card> full = board;
      full.push_back(r);
      score(full);
    }
  } else {
    for (std::size_t i = 0; i < rest.size(); ++i)
      for (std::size_t j = i + 1; j < rest.size(); ++j) {
        std::vector<Card> full = board;
        full.push_back(rest[i]);
        full.push_back(rest[j]);
        score(full);
      }
  }
  return num / den;
}

}  // namespace

TEST_CASE("LBR settings: the paper's three, lists of sizes, streets; one clear message otherwise") {
  CHECK(ParseLbrActions("fc").empty());
  const auto fcpa = ParseLbrActions("fcpa");
  REQUIRE(fcpa.size() == 2);
  CHECK(fcpa[0].pot_fraction == 1.0);
  CHECK(fcpa[1].all_in);
  const auto many = ParseLbrActions("56");
  REQUIRE(many.size() == 56);
  CHECK(many[0].pot_fraction == doctest::Approx(0.05));
  CHECK(many[54].pot_fraction == doctest::Approx(0.05 * std::pow(1.15, 54)));
  CHECK(many[55].all_in);
  CHECK(ParseLbrActions("0.5, 2, allin").size() == 3);
  CHECK_THROWS_WITH_AS(ParseLbrActions("0.5,fish"),
                       doctest::Contains("--lbr-actions: expected fc, fcpa, 56 or pot fractions such as '0.5, 1, "
                                         "allin', found '0.5,fish'"),
                       ConfigError);
  CHECK_THROWS_AS(ParseLbrActions(""), ConfigError);
  CHECK_THROWS_AS(ParseLbrActions("1 | 2"), ConfigError);
  CHECK(ParseLbrStreets("1-4") == std::array<bool, 4>{true, true, true, true});
  CHECK(ParseLbrStreets("3-4") == std::array<bool, 4>{false, false, true, true});
  CHECK(ParseLbrStreets("1,3-4") == std::array<bool, 4>{true, false, true, true});
  CHECK(ParseLbrStreets("2") == std::array<bool, 4>{false, true, false, false});
  for (const char* bad : {"", "0", "5", "4-3", "1,", "1-", "a", "1-4,x", "12"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(ParseLbrStreets(bad), ConfigError);
  }
}

TEST_CASE("equity against ranges: exact on the river and turn, sampled on the flop; one pass for every range") {
  const abstraction::HandEvaluator ev;
  const Card hole[2] = {C("As"), C("Kd")};
  const std::vector<Card> board = {C("2c"), C("7h"), C("Ks"), C("9d"), C("Ah")};
  OpponentRange range;
  range.Reset(hole);
  for (Card b : board) range.Remove(b);
  CHECK(range.live().size() == 990);  // C(45, 2)
  // A second range: only pairs with an ace or a king (they make the hand harder to beat).
  std::vector<double> uniform(range.weights().begin(), range.weights().end()), strong(uniform.size(), 0.0);
  for (const auto p : range.live()) {
    const auto cards = abstraction::HolePairCards(p);
    if (abstraction::RankOf(cards[0]) >= 11 || abstraction::RankOf(cards[1]) >= 11) strong[p] = 1;
  }
  LbrSettings settings;
  solver::Rng rng(1);
  for (const int cards : {5, 4}) {
    CAPTURE(cards);
    const std::vector<Card> shown(board.begin(), board.begin() + cards);
    std::vector<double> w1(uniform.size(), 0.0), w2(uniform.size(), 0.0);
    OpponentRange r;
    r.Reset(hole);
    for (Card b : shown) r.Remove(b);
    for (const auto p : r.live()) {
      w1[p] = 1;
      w2[p] = strong[p] > 0 ? 1 : 0;
    }
    const double* ranges[2] = {w1.data(), w2.data()};
    double out[2];
    RangeEquities(ev, settings, hole, shown.data(), cards, r.live(), ranges, out, rng);
    CHECK(out[0] == doctest::Approx(BruteEquity(ev, hole, shown, w1)).epsilon(1e-12));
    CHECK(out[1] == doctest::Approx(BruteEquity(ev, hole, shown, w2)).epsilon(1e-12));
    CHECK(out[1] < out[0]);
  }
  {  // the flop: 4000 sampled turns and rivers against the exact 1,081
    const std::vector<Card> flop(board.begin(), board.begin() + 3);
    OpponentRange r;
    r.Reset(hole);
    for (Card b : flop) r.Remove(b);
    std::vector<double> w(uniform.size(), 0.0);
    for (const auto p : r.live()) w[p] = 1;
    settings.flop_samples = 4000;
    const double* ranges[1] = {w.data()};
    double out[1];
    RangeEquities(ev, settings, hole, flop.data(), 3, r.live(), ranges, out, rng);
    CHECK(out[0] == doctest::Approx(BruteEquity(ev, hole, flop, w)).epsilon(0.01));
  }
}

TEST_CASE("all-in adjustment: the expected payoff over the rest of the board, as enumeration gives it") {
  const abstraction::HandEvaluator ev;
  // Deal: seat 0 AsKs, seat 1 QhQd; board 2c 7h Ks | 9d | Ah. Both all-in on the flop.
  DealCards deal;
  deal.cards = {C("As"), C("Ks"), C("Qh"), C("Qd"), C("2c"), C("7h"), C("Kc"), C("9d"), C("Ah")};
  auto state = abstraction::NlheState::NewHand(Table());
  state.CheckOrCall();  // the button calls
  state.CheckOrCall();  // the big blind checks: the flop
  state.RaiseTo(state.MaxRaiseTo());
  state.CheckOrCall();
  REQUIRE(state.IsTerminal());
  for (const int seat : {0, 1}) {
    CAPTURE(seat);
    double sum = 0, n = 0;
    std::vector<Card> rest;
    for (int c = 0; c < 52; ++c) {
      bool used = false;
      for (int i = 0; i < 7; ++i) used = used || deal.cards[static_cast<std::size_t>(i)] == c;
      if (!used) rest.push_back(static_cast<Card>(c));
    }
    for (std::size_t i = 0; i < rest.size(); ++i)
      for (std::size_t j = i + 1; j < rest.size(); ++j) {
        std::array<abstraction::HandRank, abstraction::kMaxPlayers> ranks{};
        for (int s = 0; s < 2; ++s) {
          Card seven[7] = {deal.hole(s)[0], deal.hole(s)[1], deal.board()[0], deal.board()[1], deal.board()[2],
                           rest[i], rest[j]};
          ranks[static_cast<std::size_t>(s)] = ev.Evaluate7(seven);
        }
        sum += state.Payoffs(ranks)[static_cast<std::size_t>(seat)];
        n += 1;
      }
    REQUIRE(n == 990);
    const auto value = AllInValue(ev, nullptr, state, deal, 1, seat);
    REQUIRE(value.has_value());
    CHECK(*value == doctest::Approx(sum / n).epsilon(1e-9));
  }
  CHECK_FALSE(AllInValue(ev, nullptr, state, deal, 0, 0).has_value());  // preflop needs the equity table
}

TEST_CASE("the tree follower: real actions into the tree and back, off-tree sizes by the pseudo-harmonic mapping") {
  const abstraction::BettingTree tree(Table(), Betting(false, "1, allin | 1, allin", "0.5, 1, allin | allin"));
  TreeFollower f(tree);
  auto real = abstraction::NlheState::NewHand(Table());
  REQUIRE(f.Aligned(real));
  // A limp into a tree without limps is read as its smallest raise.
  const auto limp = f.Translate(RealAction{}, real);
  CHECK(limp.lower == limp.upper);
  CHECK(tree.Action(f.node(), limp.lower).kind == abstraction::ActionKind::kRaise);
  // A raise to 250 (between the call, fraction 0, and the pot raise to 300).
  const RealAction r250{RealAction::kRaise, 250};
  const auto t = f.Translate(r250, real);
  CHECK(tree.Action(f.node(), t.upper).raise_to == 300);
  CHECK(tree.Action(f.node(), t.lower).kind == abstraction::ActionKind::kRaise);  // no call: the raise only
  // All-in is the tree's all-in.
  const auto allin = f.Translate(RealAction{RealAction::kRaise, real.MaxRaiseTo()}, real);
  CHECK(tree.Action(f.node(), allin.lower).kind == abstraction::ActionKind::kAllIn);
  // The real hand raises to 250; the tree reads the pot raise to 300. Its own
  // pot raise is then played as the same pot fraction of the real pot.
  f.Apply(t.upper);
  ApplyReal(real, r250);
  REQUIRE(f.Aligned(real));
  int pot_raise = -1;
  for (int a = 0; a < f.num_actions(); ++a) {
    if (tree.Action(f.node(), a).kind == abstraction::ActionKind::kRaise) pot_raise = a;
  }
  REQUIRE(pot_raise >= 0);
  const double fraction = abstraction::RaiseFraction(f.abstract_state(), tree.Action(f.node(), pot_raise).raise_to);
  const RealAction back = f.ToReal(pot_raise, real);
  REQUIRE(back.kind == RealAction::kRaise);
  CHECK(abstraction::RaiseFraction(real, back.to) == doctest::Approx(fraction).epsilon(0.01));
  CHECK(back.to != tree.Action(f.node(), pot_raise).raise_to);  // other chips, same fraction
  // On the flop: a bet of 0.7 pot falls between 0.5 and 1 with the mapping's probability.
  f.Apply(1);  // call in the tree
  ApplyReal(real, RealAction{});
  REQUIRE(f.Aligned(real));
  const std::int32_t bet = real.current_bet() + static_cast<std::int32_t>(0.7 * real.pot());
  const auto between = f.Translate(RealAction{RealAction::kRaise, bet}, real);
  REQUIRE(between.lower != between.upper);
  const double x = abstraction::RaiseFraction(real, bet);
  CHECK(between.lower_probability == doctest::Approx(abstraction::PseudoHarmonicLowerProbability(0.5, 1.0, x)));
}

TEST_CASE("fixed opponents in a tree: fold folds to bets and checks otherwise; call never folds") {
  const abstraction::BettingTree tree(Table(), Betting(true, "1, allin | allin", "1, allin"));
  const FixedStrategy fold(tree, Opponent::kFold), call(tree, Opponent::kCall), allin(tree, Opponent::kAllIn);
  int facing = 0, unopened = 0;
  for (std::uint32_t node = 0; node < tree.num_nodes(); ++node) {
    const int n = tree.NumActions(node);
    if (n == 0) continue;
    double fold_sum = 0, call_sum = 0;
    for (int a = 0; a < n; ++a) {
      fold_sum += fold.At(node, 0)[a];
      call_sum += call.At(node, 0)[a];
    }
    CHECK(fold_sum == doctest::Approx(1));
    CHECK(call_sum == doctest::Approx(1));
    CHECK(allin.At(node, 0)[n - 1] == 1.0f);
    const bool can_fold = tree.Action(node, 0).kind == abstraction::ActionKind::kFold;
    if (can_fold) {
      ++facing;
      CHECK(fold.At(node, 0)[0] == 1.0f);
      CHECK(call.At(node, 0)[0] == 0.0f);
    } else {
      ++unopened;
      CHECK(tree.Action(node, 0).kind == abstraction::ActionKind::kCheck);
      CHECK(fold.At(node, 0)[0] == 1.0f);  // the check
    }
  }
  CHECK(facing > 0);
  CHECK(unopened > 0);
}

TEST_CASE("duplicate deals: nine distinct cards, results independent of the thread count, intervals") {
  solver::Rng rng(5);
  for (int i = 0; i < 1000; ++i) {
    const DealCards d = DrawDeal(rng);
    CHECK(std::set<Card>(d.cards.begin(), d.cards.end()).size() == 9);
  }
  struct Toy final : DuplicateHand {
    double Play(const DealCards& cards, int seat, solver::Rng& r) override {
      return static_cast<double>(cards.cards[0]) - cards.cards[4] + seat + r.UniformDouble();
    }
  };
  const auto make = [] { return std::make_unique<Toy>(); };
  const DuplicateResult one = RunDuplicateDeals(1000, 3, 1, "", 1.0, make);
  const DuplicateResult three = RunDuplicateDeals(1000, 3, 3, "", 1.0, make);
  const DuplicateResult other = RunDuplicateDeals(1000, 4, 3, "", 1.0, make);
  CHECK(one.overall.mean == three.overall.mean);
  CHECK(one.seat[1].ci95 == three.seat[1].ci95);
  CHECK(one.overall.mean != other.overall.mean);
  CHECK(one.hands == 2000);
  CHECK(one.seat[1].mean - one.seat[0].mean == doctest::Approx(1.0).epsilon(0.1));
  CHECK(one.overall.ci95 > 0);
}

TEST_CASE("matches: a strategy against itself scores exactly 0; the tables must be the same") {
  const abstraction::HandEvaluator ev;
  const abstraction::BettingTree tree(Table(), Betting(true, "1, allin | allin", "1, allin"));
  const FixedStrategy random(tree, Opponent::kRandom), call(tree, Opponent::kCall);
  const auto self = PlayMatch(random, random, ev, 2000, 9, 2);
  CHECK(self.overall.mean == 0.0);
  CHECK(self.overall.ci95 == 0.0);
  CHECK(self.seat[0].ci95 > 0);
  // Tables must match.
  abstraction::TableConfig deeper = Table();
  deeper.stacks.fill(30000);
  const abstraction::BettingTree other(deeper, Betting(true, "1, allin | allin", "1, allin"));
  const FixedStrategy elsewhere(other, Opponent::kCall);
  CHECK_THROWS_WITH_AS(PlayMatch(call, elsewhere, ev, 10, 1, 1), doctest::Contains("a match needs the same table"),
                       ConfigError);
}

TEST_CASE("LBR against always-fold: 750 mbb per hand exactly, in trees with and without limps, on any betting streets") {
  const abstraction::HandEvaluator ev;
  for (const bool limp : {true, false}) {
    const abstraction::BettingTree tree(Table(), Betting(limp, "1, allin | allin", "0.5, allin | allin"));
    const FixedStrategy fold(tree, Opponent::kFold);
    for (const std::string streets : {"1-4", "3-4", "4"}) {
      CAPTURE(limp);
      CAPTURE(streets);
      LbrSettings s;
      s.sizes = ParseLbrActions("fcpa");
      s.plays = ParseLbrStreets(streets);
      const DuplicateResult r = RunLbr(fold, ev, s, 200, 3, 2);
      CHECK(r.overall.mean == doctest::Approx(750));
      CHECK(r.overall.ci95 == doctest::Approx(0));
    }
  }
}
