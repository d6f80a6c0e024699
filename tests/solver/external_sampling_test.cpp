#include "solver/external_sampling.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "abstraction/kuhn.h"
#include "abstraction/leduc.h"
#include "solver/exact_evaluator.h"
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "solver/tables.h"

using bp::abstraction::KuhnPoker;
using bp::abstraction::LeducHoldem;
using bp::solver::ExactEvaluator;
using bp::solver::ExternalSampling;
using bp::solver::TableLayout;
using bp::solver::Tables;
using bp::solver::TabularPolicy;

namespace {
template <class G>
struct Solved {
  G game;
  TableLayout layout{game};
  Tables tables{layout.num_entries()};

  explicit Solved(std::uint64_t iterations, std::uint64_t seed = 1) {
    ExternalSampling solver(game, layout, tables.View(), seed);
    solver.Iterate(iterations);
  }
  TabularPolicy Average() const { return TabularPolicy::Average(layout, tables.strategy_sum()); }
};
}  // namespace

TEST_CASE("the same seed gives identical tables, another seed different ones") {
  Solved<LeducHoldem> a(20000, 11), b(20000, 11), c(20000, 12);
  CHECK(std::ranges::equal(a.tables.regrets(), b.tables.regrets()));
  CHECK(std::ranges::equal(a.tables.strategy_sum(), b.tables.strategy_sum()));
  CHECK_FALSE(std::ranges::equal(a.tables.regrets(), c.tables.regrets()));
}

TEST_CASE("iterating in pieces equals iterating in one go") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables whole(layout.num_entries()), pieces(layout.num_entries());
  ExternalSampling one(game, layout, whole.View(), 3);
  one.Iterate(3000);
  ExternalSampling two(game, layout, pieces.View(), 3);
  two.Iterate(1000);
  two.Iterate(2000);
  CHECK(two.iterations() == 3000);
  CHECK(std::ranges::equal(whole.regrets(), pieces.regrets()));
  CHECK(std::ranges::equal(whole.strategy_sum(), pieces.strategy_sum()));
}

TEST_CASE("Kuhn: exploitability <= 0.003 after 10^6 iterations, value near -1/18") {
  Solved<KuhnPoker> s(1000000);
  ExactEvaluator eval(s.game, s.layout);
  const auto policy = s.Average();
  const double exploitability = eval.Exploitability(policy);
  MESSAGE("Kuhn exploitability after 10^6 iterations: ", exploitability);
  CHECK(exploitability <= 0.003);
  CHECK(std::abs(eval.ExpectedValues(policy)[0] - (-1.0 / 18)) <= 0.005);
}

TEST_CASE("Leduc: exploitability <= 0.03 after 10^6 iterations, value near -0.0856064") {
  Solved<LeducHoldem> s(1000000);
  ExactEvaluator eval(s.game, s.layout);
  const auto policy = s.Average();
  const double exploitability = eval.Exploitability(policy);
  MESSAGE("Leduc exploitability after 10^6 iterations: ", exploitability);
  CHECK(exploitability <= 0.03);
  CHECK(std::abs(eval.ExpectedValues(policy)[0] - (-0.0856064)) <= 0.005);
}

TEST_CASE("exploitability falls as iterations grow") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables tables(layout.num_entries());
  ExactEvaluator eval(game, layout);
  ExternalSampling solver(game, layout, tables.View(), 5);
  double previous = eval.Exploitability(TabularPolicy::Uniform(layout));
  for (std::uint64_t step : {1000u, 9000u, 90000u}) {
    solver.Iterate(step);
    const double now = eval.Exploitability(TabularPolicy::Average(layout, tables.strategy_sum()));
    CAPTURE(solver.iterations());
    CHECK(now < previous);
    previous = now;
  }
}
