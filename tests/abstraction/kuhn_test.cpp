#include "abstraction/kuhn.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "solver/game.h"
#include "solver/table_layout.h"
#include "support/game_walk.h"

using bp::abstraction::KuhnPoker;
using bp::solver::TableLayout;

static_assert(bp::solver::EnumerableGame<KuhnPoker>);

namespace {
KuhnPoker::Deal DealOf(const KuhnPoker& g, int c0, int c1) {
  for (std::size_t i = 0; i < g.NumDeals(); ++i) {
    if (g.DealAt(i).cards[0] == c0 && g.DealAt(i).cards[1] == c1) return g.DealAt(i);
  }
  FAIL("no such deal");
  return {};
}
}  // namespace

TEST_CASE("Kuhn has 12 information sets, 4 decision nodes and 5 terminals") {
  KuhnPoker g;
  TableLayout layout(g);
  CHECK(layout.num_infosets() == 12);
  CHECK(layout.num_entries() == 24);
  int decisions = 0, terminals = 0;
  for (std::uint32_t n = 0; n < g.NumNodes(); ++n) (g.IsTerminal(n) ? terminals : decisions)++;
  CHECK(decisions == 4);
  CHECK(terminals == 5);
}

TEST_CASE("Kuhn legal actions: pass/bet, then fold/call facing a bet") {
  KuhnPoker g;
  const auto root = g.Root();
  REQUIRE(g.NumActions(root) == 2);
  CHECK(g.Player(root) == 0);
  CHECK(g.ActionName(root, 0) == "p");
  CHECK(g.ActionName(root, 1) == "b");
  CHECK(g.ActionAt(root, 0) == bp::abstraction::LimitAction::kCheck);
  CHECK(g.ActionAt(root, 1) == bp::abstraction::LimitAction::kBet);
  const auto facing = FollowHistory(g, "b");
  CHECK(g.Player(facing) == 1);
  CHECK(g.ActionAt(facing, 0) == bp::abstraction::LimitAction::kFold);
  CHECK(g.ActionAt(facing, 1) == bp::abstraction::LimitAction::kCall);
  CHECK(g.Player(FollowHistory(g, "p")) == 1);
  CHECK(g.Player(FollowHistory(g, "pb")) == 0);
  for (const char* terminal : {"pp", "pbp", "pbb", "bp", "bb"}) CHECK(g.IsTerminal(FollowHistory(g, terminal)));
}

TEST_CASE("Kuhn payoffs at every terminal") {
  KuhnPoker g;
  const auto kq = DealOf(g, 2, 1);  // player 0 holds K, player 1 holds Q
  const auto jq = DealOf(g, 0, 1);
  struct Case { const char* history; double kq; double jq; };
  for (const Case& c : {Case{"pp", 1, -1}, Case{"pbp", -1, -1}, Case{"pbb", 2, -2}, Case{"bp", 1, 1},
                        Case{"bb", 2, -2}}) {
    const auto node = FollowHistory(g, c.history);
    CAPTURE(c.history);
    CHECK(g.Utility(kq, node, 0) == c.kq);
    CHECK(g.Utility(kq, node, 1) == -c.kq);
    CHECK(g.Utility(jq, node, 0) == c.jq);
    CHECK(g.Utility(jq, node, 1) == -c.jq);
  }
}

TEST_CASE("Kuhn chance: 6 distinct deals whose probabilities sum to 1") {
  KuhnPoker g;
  double total = 0.0;
  std::set<std::pair<int, int>> seen;
  for (std::size_t i = 0; i < g.NumDeals(); ++i) {
    total += g.DealProbability(i);
    const auto d = g.DealAt(i);
    CHECK(d.cards[0] != d.cards[1]);
    seen.insert({d.cards[0], d.cards[1]});
    CHECK(g.Bucket(d, 0, 0) == d.cards[0]);
    CHECK(g.Bucket(d, 1, 0) == d.cards[1]);
  }
  CHECK(seen.size() == 6);
  CHECK(total == doctest::Approx(1.0));
}

TEST_CASE("Kuhn infoset names are distinct and found again by name") {
  KuhnPoker g;
  TableLayout layout(g);
  std::set<std::string> names;
  for (std::uint32_t n = 0; n < g.NumNodes(); ++n) {
    if (g.IsTerminal(n)) continue;
    for (std::uint32_t b = 0; b < 3; ++b) {
      const auto name = g.InfosetName(n, b);
      names.insert(name);
      const auto found = layout.FindInfoset(g, name);
      REQUIRE(found.has_value());
      CHECK(found->node == n);
      CHECK(found->bucket == b);
    }
  }
  CHECK(names.size() == 12);
  CHECK(names.count("K:") == 1);
  CHECK(names.count("J:pb") == 1);
  CHECK_FALSE(layout.FindInfoset(g, "A:").has_value());
}
