#include "abstraction/nlhe_state.h"

#include <doctest/doctest.h>

#include <numeric>

#include "solver/rng.h"

using namespace bp::abstraction;

namespace {
TableConfig Table(std::initializer_list<std::int32_t> stacks, int button = 0, std::int32_t sb = 50,
                  std::int32_t bb = 100, std::int32_t ante = 0) {
  TableConfig c;
  c.players = static_cast<int>(stacks.size());
  int i = 0;
  for (auto s : stacks) c.stacks[i++] = s;
  c.small_blind = sb;
  c.big_blind = bb;
  c.ante = ante;
  c.button = button;
  return c;
}
std::array<HandRank, kMaxPlayers> Ranks(std::initializer_list<HandRank> r) {
  std::array<HandRank, kMaxPlayers> out{};
  int i = 0;
  for (auto x : r) out[i++] = x;
  return out;
}
}  // namespace

TEST_CASE("heads-up: the button posts the small blind, acts first preflop and last after the flop") {
  NlheState s = NlheState::NewHand(Table({10000, 10000}, /*button=*/1));
  CHECK(s.street_bet(1) == 50);
  CHECK(s.street_bet(0) == 100);
  CHECK(s.ToAct() == 1);
  CHECK(s.CallAmount() == 50);
  CHECK(s.MinRaiseTo() == 200);
  s.CheckOrCall();            // button limps
  CHECK(s.ToAct() == 0);      // the big blind has the option
  CHECK(s.CanCheck());
  CHECK(s.CanRaise());
  s.CheckOrCall();
  CHECK(s.street() == Street::kFlop);
  CHECK(s.ToAct() == 0);      // big blind first after the flop
  s.CheckOrCall();
  CHECK(s.ToAct() == 1);
}

TEST_CASE("three and more players: blinds left of the button, first to act left of the big blind") {
  NlheState s = NlheState::NewHand(Table({1000, 1000, 1000, 1000}, /*button=*/2));
  CHECK(s.street_bet(3) == 50);
  CHECK(s.street_bet(0) == 100);
  CHECK(s.ToAct() == 1);
  s.Fold();
  s.CheckOrCall();  // button calls
  s.CheckOrCall();  // small blind completes
  CHECK(s.ToAct() == 0);
  s.CheckOrCall();  // big blind checks
  CHECK(s.street() == Street::kFlop);
  CHECK(s.ToAct() == 3);  // first active left of the button
}

TEST_CASE("minimum raise: at least the last full raise; the raise size carries") {
  NlheState s = NlheState::NewHand(Table({10000, 10000, 10000}));
  // button 0, sb 1, bb 2; seat 0 acts first.
  CHECK(s.ToAct() == 0);
  CHECK(s.MinRaiseTo() == 200);
  s.RaiseTo(350);             // a raise of 250
  CHECK(s.ToAct() == 1);
  CHECK(s.MinRaiseTo() == 600);
  CHECK(s.MaxRaiseTo() == 10000);
}

TEST_CASE("a short all-in does not reopen the betting for those who already acted") {
  NlheState s = NlheState::NewHand(Table({10000, 150 + 50, 10000}));
  // seat 0 (button) raises to 300; seat 1 (sb, 200 behind in all) shoves all-in: short.
  s.RaiseTo(300);
  CHECK(s.ToAct() == 1);
  CHECK_FALSE(s.CanRaise());       // 200 < the 300 to call: call all-in or fold only
  s.CheckOrCall();                 // all-in for less than the bet
  CHECK(s.all_in(1));
  CHECK(s.ToAct() == 2);
  CHECK(s.CanRaise());             // the big blind has not acted: it may raise
  s.CheckOrCall();
  CHECK(s.street() == Street::kFlop);

  // A short all-in raise: seat 0 bets, seat 1 shoves for a little more.
  NlheState t = NlheState::NewHand(Table({10000, 10000, 1000}));
  t.CheckOrCall();  // button limps
  t.CheckOrCall();  // sb completes
  t.CheckOrCall();  // bb checks -> flop; seat 1 first
  REQUIRE(t.street() == Street::kFlop);
  CHECK(t.ToAct() == 1);
  t.RaiseTo(800);                  // bet 800
  CHECK(t.ToAct() == 2);
  t.RaiseTo(900);                  // all-in for 900: a raise of 100 < 800
  CHECK(t.all_in(2));
  CHECK(t.ToAct() == 0);
  CHECK(t.CanRaise());             // seat 0 has not acted on the flop yet
  t.CheckOrCall();
  CHECK(t.ToAct() == 1);
  CHECK_FALSE(t.CanRaise());       // seat 1 acted at 800; the short all-in does not reopen
  CHECK(t.CallAmount() == 100);
  t.CheckOrCall();
  CHECK(t.street() == Street::kTurn);
}

TEST_CASE("three-way all-in: three side pots, each to its best eligible hand") {
  NlheState s = NlheState::NewHand(Table({100, 200, 300}, /*button=*/0, 5, 10));
  s.RaiseTo(100);   // seat 0 all-in 100
  s.RaiseTo(200);   // seat 1 all-in 200
  s.RaiseTo(300);   // seat 2 all-in 300
  REQUIRE(s.IsTerminal());
  CHECK(s.street() == Street::kShowdown);
  CHECK(s.pot() == 600);
  // Seat 0 best, seat 1 second, seat 2 worst: main 300 to seat 0, side 200 to
  // seat 1, the last 100 (only seat 2 reaches it) back to seat 2.
  auto pay = s.Payoffs(Ranks({300, 200, 100}));
  CHECK(pay[0] == 200);
  CHECK(pay[1] == 0);
  CHECK(pay[2] == -200);
  // Seat 2 best: it takes everything.
  pay = s.Payoffs(Ranks({100, 200, 300}));
  CHECK(pay[0] == -100);
  CHECK(pay[1] == -200);
  CHECK(pay[2] == 300);
  // Seats 0 and 1 tie for best: they split the main pot; seat 1 wins the side pot.
  pay = s.Payoffs(Ranks({300, 300, 100}));
  CHECK(pay[0] == 50);
  CHECK(pay[1] == 150);
  CHECK(pay[2] == -200);
}

TEST_CASE("split pot with an odd chip: it goes to the winner nearest the button's left") {
  // Antes of 1 from three players make the pot odd.
  NlheState s = NlheState::NewHand(Table({1000, 1000, 1000}, /*button=*/0, 5, 10, 1));
  s.CheckOrCall();  // button calls 10
  s.CheckOrCall();  // sb calls
  s.CheckOrCall();  // bb checks
  while (!s.IsTerminal()) s.CheckOrCall();
  CHECK(s.pot() == 33);
  // Seats 0 and 2 tie: 33 = 16 + 17; seat 2 is nearer the button's left (seat 1 lost).
  const auto pay = s.Payoffs(Ranks({500, 100, 500}));
  CHECK(pay[0] == 16 - 11);
  CHECK(pay[2] == 17 - 11);
  CHECK(pay[1] == -11);
}

TEST_CASE("fold-out: the last player wins the pot; an uncalled bet costs nothing") {
  NlheState s = NlheState::NewHand(Table({1000, 1000, 1000}));
  s.RaiseTo(300);
  s.Fold();
  s.Fold();
  REQUIRE(s.IsTerminal());
  CHECK(s.FoldedOut());
  const auto pay = s.Payoffs(Ranks({0, 0, 0}));
  CHECK(pay[0] == 150);
  CHECK(pay[1] == -50);
  CHECK(pay[2] == -100);
}

TEST_CASE("10^5 random games: chips are conserved and every payoff is within the stacks") {
  bp::solver::Rng rng(11);
  int showdowns = 0, side_pot_games = 0;
  for (int game = 0; game < 100000; ++game) {
    TableConfig c;
    c.players = 2 + static_cast<int>(rng.UniformBelow(5));
    for (int p = 0; p < c.players; ++p) c.stacks[p] = 1 + static_cast<std::int32_t>(rng.UniformBelow(3000));
    c.small_blind = 1 + static_cast<std::int32_t>(rng.UniformBelow(50));
    c.big_blind = c.small_blind + static_cast<std::int32_t>(rng.UniformBelow(100));
    c.ante = rng.UniformBelow(3) == 0 ? static_cast<std::int32_t>(rng.UniformBelow(20)) : 0;
    c.button = static_cast<int>(rng.UniformBelow(c.players));
    NlheState s = NlheState::NewHand(c);
    int actions = 0;
    while (!s.IsTerminal()) {
      REQUIRE(++actions < 1000);
      const int p = s.ToAct();
      REQUIRE(p >= 0);
      REQUIRE_FALSE(s.folded(p));
      REQUIRE_FALSE(s.all_in(p));
      const auto u = rng.UniformBelow(10);
      if (u == 0 && s.CanFold()) {
        s.Fold();
      } else if (u < 4 && s.CanRaise()) {
        const std::int32_t lo = s.MinRaiseTo(), hi = s.MaxRaiseTo();
        REQUIRE(lo <= hi);
        REQUIRE(lo > s.current_bet());
        s.RaiseTo(rng.UniformBelow(4) == 0 ? hi : lo + static_cast<std::int32_t>(rng.UniformBelow(hi - lo + 1)));
      } else {
        s.CheckOrCall();
      }
      for (int q = 0; q < c.players; ++q) REQUIRE(s.stack(q) >= 0);
    }
    std::array<HandRank, kMaxPlayers> ranks{};
    for (int p = 0; p < c.players; ++p) ranks[p] = static_cast<HandRank>(rng.UniformBelow(4));  // many ties
    const auto pay = s.Payoffs(ranks);
    std::int64_t sum = 0, total_stacks = 0;
    for (int p = 0; p < c.players; ++p) total_stacks += c.stacks[p];
    for (int p = 0; p < c.players; ++p) {
      sum += pay[p];
      REQUIRE(s.committed(p) + s.stack(p) == c.stacks[p]);
      REQUIRE(pay[p] >= -c.stacks[p]);
      REQUIRE(pay[p] <= total_stacks - c.stacks[p]);
    }
    REQUIRE(sum == 0);
    if (!s.FoldedOut()) ++showdowns;
    int distinct = 0;
    for (int p = 0; p < c.players; ++p) distinct += s.all_in(p) ? 1 : 0;
    if (distinct >= 2) ++side_pot_games;
  }
  CHECK(showdowns > 10000);       // the random policy reaches showdowns...
  CHECK(side_pot_games > 1000);   // ...and multi-way all-ins
}
