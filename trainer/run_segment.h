// RunSegment: the one shared-memory segment of a run (the regions of
// trainer/shared_state.h), planned, admitted against the machine's memory,
// created and initialised.
//
// Planning sizes the delta slabs: each holds the smaller of a whole table's
// deltas and what the largest batch can touch (solver/delta_bound.h), and
// each worker gets queue_depth + 4 of them. Admission: the segment plus the
// workers' private deltas must fit the available memory (MemAvailable), or
// the run stops before anything is created, naming what needs what.
//
// The coordinator thread creates and owns it; the name is removed when the
// coordinator ends (ipc::Segment), and a segment left by a killed one is
// removed at the next start. Forked workers inherit the mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/check.h"
#include "ipc/segment.h"
#include "ipc/slab_pool.h"
#include "trainer/config.h"
#include "trainer/run_log.h"
#include "trainer/shared_state.h"
#include "trainer/shared_tables.h"

namespace bp::trainer {

struct SegmentPlan {
  std::uint32_t workers = 0;
  std::uint32_t slabs_per_worker = 0;
  std::uint64_t slab_bytes = 0;
  std::uint64_t entries = 0;           // regrets
  std::uint64_t strategy_entries = 0;  // strategy sums (a prefix)
  std::size_t regret_bytes = 0;        // sizeof the regret type
  std::uint64_t private_bytes = 0;     // the workers' private deltas, all together
  ipc::SegmentLayout layout;
};

// What a game asks of the segment (solver/delta_bound.h bounds).
struct TableNeeds {
  std::uint64_t infosets = 0, entries = 0, strategy_entries = 0;
  std::uint64_t per_iteration_bytes = 0;  // MaxDeltaBytesPerIteration
  std::uint64_t per_update_bytes = 0;     // MaxStrategyUpdateBytes (sampled strategy updates)
  std::size_t regret_bytes = 0;
};

// Plans the segment for `workers` and batches of up to `largest_batch`
// iterations, logs the slab size, and checks it against the available
// memory (std::runtime_error with the breakdown if it does not fit).
SegmentPlan PlanSegment(const Config& config, std::uint32_t workers, std::uint64_t largest_batch,
                        const TableNeeds& needs, RunLog& log);

class RunSegment {
 public:
  // Removes stale segments of dead runs, creates this run's (populated),
  // and initialises every region; `follow`: run.coordinator_cpu resolved.
  static RunSegment Create(const SegmentPlan& plan, bool follow, RunLog& log);

  const std::string& name() const { return segment_.name(); }
  // Removes the segment's name now: the memory lives while the coordinator
  // and its workers (forked from it, respawned ones too) map it, and goes
  // with the last of them, whatever kills them (runs over MPI ranks, whose
  // launcher SIGKILLs a whole job when one rank dies).
  void UnlinkName() { segment_.Unlink(); }
  std::uint32_t workers() const { return plan_.workers; }
  CoordinatorShared& shared() const { return *shared_; }
  ipc::ControlBlock& control(std::uint32_t w) const { return control_[w]; }
  BatchQueue& batches(std::uint32_t w) const { return batches_[w]; }
  ResultQueue& results(std::uint32_t w) const { return results_[w]; }
  ipc::SlabPool& slabs() { return *slabs_; }
  std::byte* slab_region() const { return slab_region_; }
  // A worker's queues and slabs as new (after it died: what it left there
  // is gone with it).
  void ResetWorker(std::uint32_t w);

  // The tables as R; Requires: sizeof(R) is the plan's regret size.
  template <class R>
  SharedTables<R> Tables() const {
    BP_CHECK_EQ(sizeof(R), plan_.regret_bytes);
    return {{reinterpret_cast<R*>(regrets_), plan_.entries}, {strategy_, plan_.strategy_entries}};
  }

 private:
  RunSegment(ipc::Segment segment, const SegmentPlan& plan) : segment_(std::move(segment)), plan_(plan) {}

  ipc::Segment segment_;
  SegmentPlan plan_;
  CoordinatorShared* shared_ = nullptr;
  ipc::ControlBlock* control_ = nullptr;
  BatchQueue* batches_ = nullptr;
  ResultQueue* results_ = nullptr;
  std::byte* slab_region_ = nullptr;
  std::optional<ipc::SlabPool> slabs_;
  std::byte* regrets_ = nullptr;
  double* strategy_ = nullptr;
};

}  // namespace bp::trainer
