#include "abstraction/hand_evaluator.h"

#include <doctest/doctest.h>

#include <array>

#include "solver/rng.h"

using namespace bp::abstraction;

TEST_CASE("fast evaluator: tables within 1 MiB; equals the reference on 10^6 random 5-, 6- and 7-card hands") {
  const HandEvaluator fast;
  CHECK(fast.table_bytes() <= 1024 * 1024);
  bp::solver::Rng rng(9);
  for (int trial = 0; trial < 1000000; ++trial) {
    const int n = 5 + static_cast<int>(rng.UniformBelow(3));
    CardMask hand = 0;
    while (CountCards(hand) < n) hand |= MaskOf(static_cast<Card>(rng.UniformBelow(52)));
    REQUIRE(fast.Evaluate(hand) == ReferenceEvaluate(hand));
  }
}

TEST_CASE("fast evaluator: flushes, straight flushes and wheels through the flush table") {
  const HandEvaluator fast;
  for (const char* hand : {"AsKsQsJsTs2d3c", "5d4d3d2dAd9c9h", "Ac9c7c4c2c3c8c", "KhQhJhTh9h8h7h", "2c3d4h5s6c7d8h"}) {
    CAPTURE(hand);
    const CardMask m = *ParseCards(hand);
    CHECK(fast.Evaluate(m) == ReferenceEvaluate(m));
  }
}

TEST_CASE("strengths: 7,462 ascending ranks, and comparing strengths compares hands exactly as HandRank does") {
  const HandEvaluator fast;
  for (int s = 1; s < HandEvaluator::kNumStrengths; ++s) REQUIRE(fast.RankOfStrength(s) < fast.RankOfStrength(s + 1));
  CHECK(CategoryOf(fast.RankOfStrength(1)) == HandCategory::kHighCard);
  CHECK(CategoryOf(fast.RankOfStrength(HandEvaluator::kNumStrengths)) == HandCategory::kStraightFlush);
  bp::solver::Rng rng(13);
  auto deal = [&](std::array<Card, 7>& h) {
    CardMask used = 0;
    for (Card& c : h) {
      do c = static_cast<Card>(rng.UniformBelow(52));
      while (used & MaskOf(c));
      used |= MaskOf(c);
    }
  };
  for (int trial = 0; trial < 200000; ++trial) {
    std::array<Card, 7> a, b;
    deal(a);
    deal(b);
    const auto sa = fast.Strength7(a.data()), sb = fast.Strength7(b.data());
    REQUIRE(fast.RankOfStrength(sa) == fast.Evaluate7(a.data()));
    REQUIRE((sa < sb) == (fast.Evaluate7(a.data()) < fast.Evaluate7(b.data())));
    REQUIRE((sa == sb) == (fast.Evaluate7(a.data()) == fast.Evaluate7(b.data())));
  }
}
