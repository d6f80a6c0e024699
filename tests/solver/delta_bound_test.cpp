#include "solver/delta_bound.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "abstraction/leduc.h"
#include "abstraction/preflop_game.h"
#include "solver/external_sampling.h"
#include "solver/table_layout.h"
#include "solver/tables.h"

using namespace bp;

TEST_CASE("delta bound: exact on push/fold; never exceeded by Leduc batches, and reached by some") {
  // Push/fold: each traversal touches the root (2 actions) and the big
  // blind's node (2 actions): 2 x (8 + 16) bytes, for each of two players.
  const auto equity = abstraction::PreflopEquity::Empty();
  abstraction::TableConfig table;
  table.players = 2;
  table.stacks.fill(1000);
  abstraction::BettingAbstraction betting;
  betting.streets[0] = {1, abstraction::ParseSizes("allin"), false};
  for (int s = 1; s < 4; ++s) betting.streets[static_cast<std::size_t>(s)] = {0, {}, true};
  const abstraction::PreflopGame pushfold(table, betting, equity);
  CHECK(solver::MaxDeltaBytesPerIteration(pushfold) == 96);

  const abstraction::LeducHoldem leduc;
  const solver::TableLayout layout(leduc);
  const std::uint64_t bound = solver::MaxDeltaBytesPerIteration(leduc);
  CHECK(bound < solver::MaxDeltaBytes(layout.num_infosets(), layout.num_entries()));
  solver::Tables tables(layout.num_entries());
  solver::ExternalSampling<abstraction::LeducHoldem, solver::DeltaAccess> es(
      leduc, layout, solver::DeltaAccess(tables.View().regrets.data(), layout.num_entries()), 3);
  std::vector<std::byte> slab(solver::MaxDeltaBytes(layout.num_infosets(), layout.num_entries()));
  std::uint64_t largest_single = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    es.Iterate(1);
    const std::uint64_t bytes = es.access().EmitBytes();
    REQUIRE(bytes <= bound);
    largest_single = std::max(largest_single, bytes);
    es.access().EmitAndClear(slab.data());
  }
  CHECK(largest_single > bound / 2);  // the bound is not loose by more than 2x here
  for (int trial = 0; trial < 200; ++trial) {
    es.Iterate(5);
    REQUIRE(es.access().EmitBytes() <= 5 * bound);
    es.access().EmitAndClear(slab.data());
  }

  CHECK(solver::MaxDeltaBytesPerBatch(5, 10, 7, 3) == 5 * 10 + 2 * 7);  // 5 iterations hold at most 2 multiples of 3
  CHECK(solver::MaxDeltaBytesPerBatch(5, 10, 7, 0) == 5 * 10);
  // Sampled strategy updates (one per player every k-th iteration) stay
  // within k-iteration batches' bound plus ceil(k / interval) update bounds.
  solver::SamplingOptions sampled;
  sampled.sampled_average_interval = 3;
  const std::uint64_t update = solver::MaxStrategyUpdateBytes(leduc, leduc.NumStreets());
  CHECK(update > 0);
  CHECK(solver::MaxStrategyUpdateBytes(leduc, 1) < update);
  solver::ExternalSampling<abstraction::LeducHoldem, solver::DeltaAccess> counts(
      leduc, layout, solver::DeltaAccess(tables.View().regrets.data(), layout.num_entries()), 4, sampled);
  for (int trial = 0; trial < 2000; ++trial) {
    counts.Iterate(5);
    REQUIRE(counts.access().EmitBytes() <= solver::MaxDeltaBytesPerBatch(5, bound, update, 3));
    counts.access().EmitAndClear(slab.data());
  }
}
