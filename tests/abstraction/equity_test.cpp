#include "abstraction/equity.h"

#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "abstraction/card_features.h"
#include "solver/rng.h"

using namespace bp::abstraction;

TEST_CASE("hole pair index: dense, and its inverse") {
  int expected = 0;
  for (int a = 0; a < 52; ++a)
    for (int b = a + 1; b < 52; ++b) {
      REQUIRE(HolePairIndex(static_cast<Card>(a), static_cast<Card>(b)) == expected);
      REQUIRE(HolePairIndex(static_cast<Card>(b), static_cast<Card>(a)) == expected);
      const auto cards = HolePairCards(expected);
      REQUIRE(cards[0] == a);
      REQUIRE(cards[1] == b);
      ++expected;
    }
  CHECK(expected == kNumHolePairs);
}

TEST_CASE("river EHS of every pair equals a brute-force count over the 990 opponent hands") {
  const HandEvaluator evaluator;
  bp::solver::Rng rng(31);
  for (int trial = 0; trial < 6; ++trial) {
    std::array<Card, 5> board;
    CardMask used = 0;
    for (Card& c : board) {
      do c = static_cast<Card>(rng.UniformBelow(52));
      while (used & MaskOf(c));
      used |= MaskOf(c);
    }
    if (trial == 0) board = {MakeCard(12, 0), MakeCard(11, 0), MakeCard(10, 0), MakeCard(9, 0), MakeCard(8, 0)};  // royal flush: all tie
    used = 0;
    for (Card c : board) used |= MaskOf(c);
    std::array<float, kNumHolePairs> ehs;
    ehs.fill(-1);
    RiverEhs(evaluator, board.data(), ehs.data());
    int checked = 0;
    for (int p = 0; p < kNumHolePairs; ++p) {
      const auto h = HolePairCards(p);
      if ((used & MaskOf(h[0])) || (used & MaskOf(h[1]))) {
        REQUIRE(ehs[static_cast<std::size_t>(p)] == -1);  // untouched
        continue;
      }
      if (p % 7 != 0) continue;  // a seventh of the pairs, brute force
      const Card mine[7] = {h[0], h[1], board[0], board[1], board[2], board[3], board[4]};
      const auto s = evaluator.Strength7(mine);
      double score = 0;
      int opponents = 0;
      for (int x = 0; x < 52; ++x)
        for (int y = x + 1; y < 52; ++y) {
          const CardMask o = MaskOf(static_cast<Card>(x)) | MaskOf(static_cast<Card>(y));
          if (o & (used | MaskOf(h[0]) | MaskOf(h[1]))) continue;
          const Card theirs[7] = {static_cast<Card>(x), static_cast<Card>(y), board[0], board[1], board[2], board[3], board[4]};
          const auto t = evaluator.Strength7(theirs);
          score += s > t ? 1.0 : s == t ? 0.5 : 0.0;
          ++opponents;
        }
      REQUIRE(opponents == 990);
      REQUIRE(ehs[static_cast<std::size_t>(p)] == doctest::Approx(score / 990).epsilon(1e-6));
      if (trial == 0) REQUIRE(ehs[static_cast<std::size_t>(p)] == 0.5f);
      ++checked;
    }
    CHECK(checked > 100);
  }
}

TEST_CASE("EHS histogram bins") {
  CHECK(EhsBin(0.0f, 50) == 0);
  CHECK(EhsBin(0.0199f, 50) == 0);
  CHECK(EhsBin(0.02f, 50) == 1);
  CHECK(EhsBin(0.999f, 50) == 49);
  CHECK(EhsBin(1.0f, 50) == 49);
}
