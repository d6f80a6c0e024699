#include "solver/exact_evaluator.h"

#include <doctest/doctest.h>

#include "abstraction/kuhn.h"
#include "abstraction/leduc.h"
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "support/game_walk.h"

using bp::abstraction::KuhnPoker;
using bp::abstraction::LeducHoldem;
using bp::solver::ExactEvaluator;
using bp::solver::TableLayout;
using bp::solver::TabularPolicy;

TEST_CASE("uniform policy: Kuhn NashConv 0.916667, exploitability 0.458333") {
  KuhnPoker g;
  TableLayout layout(g);
  ExactEvaluator eval(g, layout);
  const auto uniform = TabularPolicy::Uniform(layout);
  CHECK(eval.NashConv(uniform) == doctest::Approx(0.916667).epsilon(1e-6));
  CHECK(eval.Exploitability(uniform) == doctest::Approx(0.458333).epsilon(1e-6));
  const auto values = eval.ExpectedValues(uniform);
  CHECK(values[0] + values[1] == doctest::Approx(0.0));
  CHECK(values[0] == doctest::Approx(0.125));  // random play favours player 0 in Kuhn
}

TEST_CASE("uniform policy: Leduc NashConv 4.747222, exploitability 2.373611") {
  LeducHoldem g;
  TableLayout layout(g);
  ExactEvaluator eval(g, layout);
  const auto uniform = TabularPolicy::Uniform(layout);
  CHECK(eval.NashConv(uniform) == doctest::Approx(4.747222).epsilon(1e-6));
  CHECK(eval.Exploitability(uniform) == doctest::Approx(2.373611).epsilon(1e-6));
  const auto values = eval.ExpectedValues(uniform);
  CHECK(values[0] + values[1] == doctest::Approx(0.0));
}

TEST_CASE("Kuhn's analytic equilibrium family has zero exploitability and value -1/18") {
  KuhnPoker g;
  TableLayout layout(g);
  ExactEvaluator eval(g, layout);
  for (double alpha : {0.0, 0.1, 1.0 / 3}) {
    CAPTURE(alpha);
    auto policy = TabularPolicy::Uniform(layout);
    auto set = [&](const char* history, int card, double pass) {
      auto probs = policy.MutableAt(FollowHistory(g, history), static_cast<std::uint32_t>(card));
      probs[0] = pass;
      probs[1] = 1.0 - pass;
    };
    // Player 0: bet J with alpha, never bet Q, bet K with 3 alpha; after
    // pass-bet call with Q at alpha + 1/3, fold J, call K.
    set("", 0, 1 - alpha);
    set("", 1, 1.0);
    set("", 2, 1 - 3 * alpha);
    set("pb", 0, 1.0);
    set("pb", 1, 1 - (alpha + 1.0 / 3));
    set("pb", 2, 0.0);
    // Player 1: after a pass bet J 1/3, pass Q, bet K; facing a bet fold J,
    // call Q 1/3, call K.
    set("p", 0, 2.0 / 3);
    set("p", 1, 1.0);
    set("p", 2, 0.0);
    set("b", 0, 1.0);
    set("b", 1, 2.0 / 3);
    set("b", 2, 0.0);
    CHECK(eval.NashConv(policy) == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(eval.ExpectedValues(policy)[0] == doctest::Approx(-1.0 / 18).epsilon(1e-12));
  }
}

TEST_CASE("best response is at least the on-policy value for every player") {
  LeducHoldem g;
  TableLayout layout(g);
  ExactEvaluator eval(g, layout);
  // An arbitrary deterministic-ish policy: always the last action.
  auto policy = TabularPolicy::Uniform(layout);
  for (std::uint32_t n = 0; n < g.NumNodes(); ++n) {
    if (g.IsTerminal(n)) continue;
    for (std::uint32_t b = 0; b < g.NumBuckets(g.Street(n)); ++b) {
      auto probs = policy.MutableAt(n, b);
      for (auto& p : probs) p = 0.0;
      probs.back() = 1.0;
    }
  }
  const auto values = eval.ExpectedValues(policy);
  for (int p = 0; p < 2; ++p) CHECK(eval.BestResponseValue(policy, p) >= values[p] - 1e-12);
  CHECK(values[0] == doctest::Approx(0.0));  // always raise/call: symmetric showdowns
  CHECK(eval.NashConv(policy) > 1.0);        // and very exploitable
}
