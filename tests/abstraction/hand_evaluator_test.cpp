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
