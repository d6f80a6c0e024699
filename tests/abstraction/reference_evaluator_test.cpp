#include "abstraction/reference_evaluator.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>

#include "solver/rng.h"

using namespace bp::abstraction;

namespace {
HandRank Eval(const char* cards) {
  const auto mask = ParseCards(cards);
  REQUIRE_MESSAGE(mask.has_value(), cards);
  return ReferenceEvaluate(*mask);
}
}  // namespace

TEST_CASE("cards parse and print; malformed and repeated cards are refused") {
  CHECK(ParseCard("As") == MakeCard(12, 3));
  CHECK(ParseCard("2c") == 0);
  CHECK(ParseCard("td") == MakeCard(8, 1));
  CHECK(CardName(51) == "As");
  CHECK(CardName(0) == "2c");
  for (Card c = 0; c < kNumCards; ++c) CHECK(ParseCard(CardName(c)) == c);
  CHECK_FALSE(ParseCard("1s").has_value());
  CHECK_FALSE(ParseCard("Ax").has_value());
  CHECK_FALSE(ParseCard("A").has_value());
  CHECK(ParseCards("AsKd Qh") == (MaskOf(MakeCard(12, 3)) | MaskOf(MakeCard(11, 1)) | MaskOf(MakeCard(10, 2))));
  CHECK_FALSE(ParseCards("AsAs").has_value());
  CHECK_FALSE(ParseCards("AsK").has_value());
  CHECK(MaskName(*ParseCards("As2c7d")) == "2c 7d As");
}

TEST_CASE("hand-built cases: categories, wheels, kickers, the best five of seven") {
  CHECK(CategoryOf(Eval("AsKsQsJsTs")) == HandCategory::kStraightFlush);
  CHECK(CategoryOf(Eval("5d4d3d2dAd")) == HandCategory::kStraightFlush);
  CHECK(Eval("6d5d4d3d2d") > Eval("5d4d3d2dAd"));         // the steel wheel is the lowest straight flush
  CHECK(Eval("6c5d4h3s2c") > Eval("5c4d3h2sAc"));         // and the wheel the lowest straight
  CHECK(CategoryOf(Eval("5c4d3h2sAc")) == HandCategory::kStraight);
  CHECK(CategoryOf(Eval("AcAdAhAsKc")) == HandCategory::kFourOfAKind);
  CHECK(Eval("AcAdAhAs2c") < Eval("AcAdAhAsKc"));
  CHECK(CategoryOf(Eval("KcKdKhQsQc")) == HandCategory::kFullHouse);
  CHECK(Eval("KcKdKh2s2c") > Eval("QcQdQhAsAc"));         // trips decide a full house
  CHECK(CategoryOf(Eval("KcKdKh2s2c2d9h")) == HandCategory::kFullHouse);  // two sets make a full house
  CHECK(Eval("KcKdKh2s2c2d9h") == Eval("KcKdKh2s2c"));
  CHECK(CategoryOf(Eval("Ac9c7c4c2c")) == HandCategory::kFlush);
  CHECK(Eval("Ac9c7c4c3c") > Eval("Ac9c7c4c2c"));
  CHECK(Eval("2c3c4c5c7cAdKd") > Eval("AcKdQhJsTc"));     // flush beats straight
  CHECK(CategoryOf(Eval("7c7d7hAsKc")) == HandCategory::kThreeOfAKind);
  // Three pairs: the top two pairs, and the third pair's rank may be the kicker.
  CHECK(Eval("AcAdKcKdQcQd2h") == Eval("AcAdKcKdQh"));
  CHECK(Eval("AcAdKcKd2c2d3h") == Eval("AcAdKcKd3h"));
  CHECK(Eval("AcAd9c8d5h4s2c") == Eval("AcAd9c8d5h"));   // the pair's three best kickers
  CHECK(Eval("AcKd9c8d5h4s2c") == Eval("AcKd9c8d5h"));
  CHECK(Eval("AcKd9c8d5h") == Eval("AhKs9d8s5c"));       // suits never break ties
  CHECK(Eval("AcKd9c8d6h") > Eval("AcKd9c8d5h"));
}

TEST_CASE("6 and 7 cards: the value is the best over every 5-card subset (10^5 random hands)") {
  bp::solver::Rng rng(3);
  for (int trial = 0; trial < 100000; ++trial) {
    const int n = 6 + static_cast<int>(rng.UniformBelow(2));
    std::array<Card, 52> deck;
    for (int i = 0; i < 52; ++i) deck[i] = static_cast<Card>(i);
    for (int i = 0; i < n; ++i) std::swap(deck[i], deck[i + rng.UniformBelow(52 - i)]);
    CardMask hand = 0;
    for (int i = 0; i < n; ++i) hand |= MaskOf(deck[i]);
    HandRank best = 0;
    for (int a = 0; a < n; ++a) {
      for (int b = a + 1; b < n; ++b) {
        if (n == 7) {
          best = std::max(best, ReferenceEvaluate(hand & ~MaskOf(deck[a]) & ~MaskOf(deck[b])));
        } else if (b == a + 1) {
          best = std::max(best, ReferenceEvaluate(hand & ~MaskOf(deck[a])));
        }
      }
    }
    if (n == 6) {
      best = std::max(best, ReferenceEvaluate(hand & ~MaskOf(deck[5])));
    }
    REQUIRE(ReferenceEvaluate(hand) == best);
  }
}

TEST_CASE("all 2,598,960 five-card hands: category counts and 7,462 distinct ranks") {
  std::array<std::uint64_t, kNumCategories> counts{};
  std::set<HandRank> distinct;
  std::uint64_t total = 0;
  for (int a = 0; a < 52; ++a)
    for (int b = a + 1; b < 52; ++b)
      for (int c = b + 1; c < 52; ++c)
        for (int d = c + 1; d < 52; ++d)
          for (int e = d + 1; e < 52; ++e) {
            const HandRank r = ReferenceEvaluate(MaskOf(a) | MaskOf(b) | MaskOf(c) | MaskOf(d) | MaskOf(e));
            ++counts[static_cast<int>(CategoryOf(r))];
            distinct.insert(r);
            ++total;
          }
  CHECK(total == 2598960);
  const std::array<std::uint64_t, kNumCategories> expected{1302540, 1098240, 123552, 54912, 10200,
                                                           5108,    3744,    624,    40};
  for (int k = 0; k < kNumCategories; ++k) {
    CAPTURE(CategoryName(static_cast<HandCategory>(k)));
    CHECK(counts[k] == expected[k]);
  }
  CHECK(distinct.size() == 7462);
}
