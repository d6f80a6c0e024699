// SharedTables<R>: the run's regret table (R: the game's regret type,
// solver::RegretOf, double or int32) and strategy-sum table (double; a
// prefix of the entries when solver.average is preflop), as typed views
// over the shared segment's "regrets" and "strategy" regions
// (trainer/run_segment.h owns the memory).
//
// Written only by the coordinator thread: applying batches, discounting,
// loading a checkpoint. Read meanwhile by the workers (other processes) and
// by the writer thread's background snapshots, both with relaxed atomic
// loads of the regrets; so regrets are stored here with relaxed atomic
// stores where others may read them (std::atomic_ref). CopyTo, on the
// coordinator thread, is the consistent copy a checkpoint takes.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/core.h>

#include "solver/table_access.h"
#include "solver/tables.h"
#include "trainer/checkpoint.h"

namespace bp::trainer {

template <class R>
struct SharedTables {
  std::span<R> regrets;
  std::span<double> strategy_sum;

  solver::BasicTableView<R> view() const { return {regrets, strategy_sum}; }

  // Applies a batch's deltas (solver/table_access.h wire format), raising
  // regrets to `floor` (utility units); false if the bytes are malformed.
  bool Apply(std::span<const std::byte> deltas, double floor) const { return solver::ApplyDeltas(deltas, view(), floor); }

  // Linear CFR: every regret and strategy sum times `factor`.
  void Discount(double factor) const {
    for (R& stored : regrets) {
      std::atomic_ref<R> r(stored);
      r.store(solver::RegretCodec<R>::Scale(r.load(std::memory_order_relaxed), factor), std::memory_order_relaxed);
    }
    for (double& sum : strategy_sum) sum *= factor;
  }

  // Both tables into a checkpoint's, reusing their memory when they hold R.
  void CopyTo(CheckpointData& out) const {
    if (!std::holds_alternative<std::vector<R>>(out.regrets)) out.regrets = std::vector<R>();
    out.Regrets<R>().assign(regrets.begin(), regrets.end());
    out.strategy_sum.assign(strategy_sum.begin(), strategy_sum.end());
  }

  // A checkpoint's tables into these; CheckpointError if its regret type or
  // its sizes are not this run's.
  void LoadFrom(const CheckpointData& in) const {
    if (!std::holds_alternative<std::vector<R>>(in.regrets)) {
      throw CheckpointError(fmt::format("checkpoint holds {} regrets, this game uses {} regrets",
                                        in.int_regrets() ? "int32" : "double", solver::RegretCodec<R>::kName));
    }
    if (in.num_regrets() != regrets.size() || in.strategy_sum.size() != strategy_sum.size()) {
      throw CheckpointError(fmt::format("checkpoint holds {} regrets and {} strategy sums, this run needs {} and {}",
                                        in.num_regrets(), in.strategy_sum.size(), regrets.size(),
                                        strategy_sum.size()));
    }
    const std::vector<R>& r = in.Regrets<R>();
    std::copy(r.begin(), r.end(), regrets.begin());
    std::copy(in.strategy_sum.begin(), in.strategy_sum.end(), strategy_sum.begin());
  }
};

}  // namespace bp::trainer
