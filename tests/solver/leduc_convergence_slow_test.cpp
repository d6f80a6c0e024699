// Slow: 10^7 Leduc iterations (about ten seconds in Release).
#include <doctest/doctest.h>

#include <cmath>

#include "abstraction/leduc.h"
#include "solver/exact_evaluator.h"
#include "solver/external_sampling.h"
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "solver/tables.h"

using namespace bp;

TEST_CASE("Leduc: exploitability <= 0.012 after 10^7 iterations, value near -0.0856064") {
  abstraction::LeducHoldem game;
  solver::TableLayout layout(game);
  solver::Tables tables(layout.num_entries());
  solver::ExternalSampling es(game, layout, tables.View(), 1);
  es.Iterate(10000000);
  solver::ExactEvaluator eval(game, layout);
  const auto policy = solver::TabularPolicy::Average(layout, tables.strategy_sum());
  const double exploitability = eval.Exploitability(policy);
  MESSAGE("Leduc exploitability after 10^7 iterations: ", exploitability);
  CHECK(exploitability <= 0.012);
  CHECK(std::abs(eval.ExpectedValues(policy)[0] - (-0.0856064)) <= 0.005);
}
