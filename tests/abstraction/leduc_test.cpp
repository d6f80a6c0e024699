#include "abstraction/leduc.h"

#include <doctest/doctest.h>

#include <set>
#include <tuple>
#include <string>

#include "solver/game.h"
#include "solver/table_layout.h"
#include "support/game_walk.h"

using bp::abstraction::LeducHoldem;
using bp::abstraction::LimitAction;
using bp::solver::TableLayout;

static_assert(bp::solver::EnumerableGame<LeducHoldem>);

namespace {
LeducHoldem::Deal DealOf(const LeducHoldem& g, int c0, int c1, int board) {
  for (std::size_t i = 0; i < g.NumDeals(); ++i) {
    const auto d = g.DealAt(i);
    if (d.cards[0] == c0 && d.cards[1] == c1 && d.cards[2] == board) return d;
  }
  FAIL("no such deal");
  return {};
}
}  // namespace

TEST_CASE("Leduc has 936 information sets over 36 decision nodes") {
  LeducHoldem g;
  TableLayout layout(g);
  CHECK(layout.num_infosets() == 936);
  int decisions[2] = {0, 0};
  for (std::uint32_t n = 0; n < g.NumNodes(); ++n) {
    if (!g.IsTerminal(n)) ++decisions[g.Street(n)];
  }
  CHECK(decisions[0] == 6);
  CHECK(decisions[1] == 30);
}

TEST_CASE("Leduc legal actions: no fold without a bet, at most two raises per round") {
  LeducHoldem g;
  const auto root = g.Root();
  REQUIRE(g.NumActions(root) == 2);
  CHECK(g.ActionAt(root, 0) == LimitAction::kCheck);
  CHECK(g.ActionAt(root, 1) == LimitAction::kBet);
  const auto r = FollowHistory(g, "r");
  REQUIRE(g.NumActions(r) == 3);
  CHECK(g.ActionAt(r, 0) == LimitAction::kFold);
  CHECK(g.ActionAt(r, 1) == LimitAction::kCall);
  CHECK(g.ActionAt(r, 2) == LimitAction::kRaise);
  const auto rr = FollowHistory(g, "rr");
  CHECK(g.NumActions(rr) == 2);  // capped: fold or call
  CHECK(g.Player(rr) == 0);
  const auto crr = FollowHistory(g, "crr");
  CHECK(g.NumActions(crr) == 2);
  CHECK(g.Player(crr) == 1);
  // Round two starts with player 0 after every way round one can end.
  for (const char* h : {"cc/", "rc/", "crc/", "rrc/", "crrc/"}) {
    const auto n = FollowHistory(g, h);
    CAPTURE(h);
    CHECK(g.Street(n) == 1);
    CHECK(g.Player(n) == 0);
    CHECK(g.History(n) == h);
  }
  for (const char* h : {"rf", "crf", "rrf", "crrf", "cc/cc", "cc/rf", "rrc/rrc"}) CHECK(g.IsTerminal(FollowHistory(g, h)));
}

TEST_CASE("Leduc contributions: bets of 2 then 4 on top of the ante") {
  LeducHoldem g;
  CHECK(g.Contribution(FollowHistory(g, "rrc/"), 0) == 5);
  CHECK(g.Contribution(FollowHistory(g, "rrc/rrc"), 1) == 13);
  CHECK(g.Contribution(FollowHistory(g, "cc/cc"), 0) == 1);
  CHECK(g.Contribution(FollowHistory(g, "crc/r"), 0) == 7);
  CHECK(g.Contribution(FollowHistory(g, "crc/r"), 1) == 3);
}

TEST_CASE("Leduc showdown: a pair beats a higher card, equal ranks split") {
  CHECK(LeducHoldem::CompareHands(0, 5, 1) == 1);   // Js pairs Jh board, beats Kh
  CHECK(LeducHoldem::CompareHands(5, 3, 0) == 1);   // K high beats Q high
  CHECK(LeducHoldem::CompareHands(2, 3, 4) == 0);   // Qs vs Qh: split
  CHECK(LeducHoldem::CompareHands(2, 4, 3) == 1);   // Qs pairs Qh board beats Ks
}

TEST_CASE("Leduc payoffs at terminals") {
  LeducHoldem g;
  const auto pair_wins = DealOf(g, 0, 5, 1);  // player 0 pairs the board
  const auto split = DealOf(g, 2, 3, 4);
  CHECK(g.Utility(pair_wins, FollowHistory(g, "rrc/rrc"), 0) == 13);
  CHECK(g.Utility(pair_wins, FollowHistory(g, "rrc/rrc"), 1) == -13);
  CHECK(g.Utility(pair_wins, FollowHistory(g, "cc/rf"), 0) == 1);     // player 1 folds
  CHECK(g.Utility(pair_wins, FollowHistory(g, "rrf"), 0) == -3);      // player 0 folds to the re-raise
  CHECK(g.Utility(split, FollowHistory(g, "cc/cc"), 0) == 0);
  CHECK(g.Utility(split, FollowHistory(g, "cc/cc"), 1) == 0);
}

TEST_CASE("Leduc chance: 120 distinct deals, probabilities sum to 1, buckets dense") {
  LeducHoldem g;
  double total = 0.0;
  std::set<std::tuple<int, int, int>> seen;
  std::set<std::uint32_t> round_one_buckets;
  for (std::size_t i = 0; i < g.NumDeals(); ++i) {
    const auto d = g.DealAt(i);
    total += g.DealProbability(i);
    seen.insert({d.cards[0], d.cards[1], d.cards[2]});
    for (int p = 0; p < 2; ++p) {
      CHECK(g.Bucket(d, p, 0) == d.cards[p]);
      CHECK(g.Bucket(d, p, 1) < 30);
      round_one_buckets.insert(g.Bucket(d, p, 1));
    }
  }
  CHECK(seen.size() == 120);
  CHECK(round_one_buckets.size() == 30);
  CHECK(total == doctest::Approx(1.0));
}

TEST_CASE("Leduc infoset names are distinct and name the cards") {
  LeducHoldem g;
  TableLayout layout(g);
  std::set<std::string> names;
  for (std::uint32_t n = 0; n < g.NumNodes(); ++n) {
    if (g.IsTerminal(n)) continue;
    for (std::uint32_t b = 0; b < g.NumBuckets(g.Street(n)); ++b) names.insert(g.InfosetName(n, b));
  }
  CHECK(names.size() == 936);
  CHECK(names.count("Ks:") == 1);
  CHECK(names.count("Js Qh:cc/r") == 1);
  const auto found = layout.FindInfoset(g, "Js Qh:cc/r");
  REQUIRE(found.has_value());
  CHECK(found->bucket == LeducHoldem::RoundOneBucket(0, 3));
  CHECK_FALSE(layout.FindInfoset(g, "Js Js:cc/").has_value());
}
