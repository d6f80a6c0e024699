// Slow: evaluates all 133,784,560 seven-card hands with the reference
// evaluator (category counts) and checks the fast evaluator against it.
#include <doctest/doctest.h>

#include <array>

#include "abstraction/hand_evaluator.h"
#include "abstraction/reference_evaluator.h"

using namespace bp::abstraction;

TEST_CASE("all 133,784,560 seven-card hands: category counts, and the fast evaluator agrees on every one") {
  const HandEvaluator fast;
  std::uint64_t disagreements = 0;
  std::array<std::uint64_t, kNumCategories> counts{};
  for (int a = 0; a < 52; ++a)
    for (int b = a + 1; b < 52; ++b)
      for (int c = b + 1; c < 52; ++c)
        for (int d = c + 1; d < 52; ++d) {
          const CardMask four = MaskOf(a) | MaskOf(b) | MaskOf(c) | MaskOf(d);
          for (int e = d + 1; e < 52; ++e)
            for (int f = e + 1; f < 52; ++f)
              for (int g = f + 1; g < 52; ++g) {
                const HandRank r = ReferenceEvaluate(four | MaskOf(e) | MaskOf(f) | MaskOf(g));
                ++counts[static_cast<int>(CategoryOf(r))];
                const Card cards[7] = {static_cast<Card>(a), static_cast<Card>(b), static_cast<Card>(c),
                                       static_cast<Card>(d), static_cast<Card>(e), static_cast<Card>(f),
                                       static_cast<Card>(g)};
                disagreements += fast.Evaluate7(cards) != r ? 1 : 0;
              }
        }
  const std::array<std::uint64_t, kNumCategories> expected{23294460, 58627800, 31433400, 6461620, 6180020,
                                                           4047644,  3473184,  224848,   41584};
  std::uint64_t total = 0;
  for (int k = 0; k < kNumCategories; ++k) {
    CAPTURE(CategoryName(static_cast<HandCategory>(k)));
    CHECK(counts[k] == expected[k]);
    total += counts[k];
  }
  CHECK(total == 133784560);
  CHECK(disagreements == 0);
}
