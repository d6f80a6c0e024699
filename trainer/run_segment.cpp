#include "trainer/run_segment.h"

#include <fmt/format.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "solver/delta_bound.h"
#include "solver/table_access.h"

namespace bp::trainer {

namespace {

std::uint64_t AvailableMemoryBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  std::uint64_t value = 0;
  while (in >> key >> value >> unit) {
    if (key == "MemAvailable:") return value * 1024;
  }
  struct sysinfo info{};
  ::sysinfo(&info);
  return static_cast<std::uint64_t>(info.freeram) * info.mem_unit;
}

double MiB(double bytes) { return bytes / 1048576.0; }

}  // namespace

SegmentPlan PlanSegment(const Config& config, std::uint32_t workers, std::uint64_t largest_batch,
                        const TableNeeds& needs, RunLog& log) {
  SegmentPlan plan;
  plan.workers = workers;
  plan.slabs_per_worker = static_cast<std::uint32_t>(config.run.queue_depth) + 4;
  plan.entries = needs.entries;
  plan.strategy_entries = needs.strategy_entries;
  plan.regret_bytes = needs.regret_bytes;
  const std::uint64_t whole_table = solver::MaxDeltaBytes(needs.infosets, needs.entries);
  const std::uint64_t per_batch = solver::MaxDeltaBytesPerBatch(
      largest_batch, needs.per_iteration_bytes, needs.per_update_bytes,
      config.solver.average_update == AverageUpdate::kSampled ? config.solver.average_interval : 0);
  plan.slab_bytes = (std::min(whole_table, per_batch) + 63) / 64 * 64;
  log.Info("delta slabs of {:.1f} MiB ({}), {} per worker", MiB(static_cast<double>(plan.slab_bytes)),
           per_batch < whole_table ? fmt::format("a batch of {} iterations touches at most {:.1f} KiB per iteration",
                                                 largest_batch, static_cast<double>(needs.per_iteration_bytes) / 1024.0)
                                   : std::string("the whole table's deltas"),
           plan.slabs_per_worker);

  const std::uint64_t slab_region = ipc::SlabPool::RegionBytes(workers, plan.slabs_per_worker, plan.slab_bytes);
  plan.layout.Add("coordinator", sizeof(CoordinatorShared));
  plan.layout.Add("control", sizeof(ipc::ControlBlock) * workers);
  plan.layout.Add("batches", sizeof(BatchQueue) * workers);
  plan.layout.Add("results", sizeof(ResultQueue) * workers);
  plan.layout.Add("slabs", slab_region);
  plan.layout.Add("regrets", needs.entries * needs.regret_bytes);
  plan.layout.Add("strategy", needs.strategy_entries * sizeof(double));
  // Each worker also keeps a batch's deltas privately (a sparse map sized by
  // what a batch can touch).
  plan.private_bytes = static_cast<std::uint64_t>(workers) *
                       solver::DeltaAccess::MaxHeldBytes(needs.entries, std::min(whole_table, per_batch));
  const std::uint64_t available = AvailableMemoryBytes();
  if (plan.layout.total_size() + plan.private_bytes > available) {
    throw std::runtime_error(fmt::format(
        "the run needs {:.1f} MiB (tables {:.1f} MiB, delta slabs {:.1f} MiB, the workers' private deltas {:.1f} MiB) "
        "but only {:.1f} MiB of memory is available; use fewer workers, a smaller --batch-size or a smaller "
        "abstraction",
        MiB(static_cast<double>(plan.layout.total_size() + plan.private_bytes)),
        MiB(static_cast<double>(needs.regret_bytes * needs.entries + 8 * needs.strategy_entries)),
        MiB(static_cast<double>(slab_region)), MiB(static_cast<double>(plan.private_bytes)),
        MiB(static_cast<double>(available))));
  }
  return plan;
}

RunSegment RunSegment::Create(const SegmentPlan& plan, bool follow, RunLog& log) {
  const auto stale = ipc::Segment::RemoveStale();
  if (!stale.empty()) {
    log.Info("removed {} stale shared-memory segment(s) left by runs that died: {}", stale.size(),
             fmt::join(stale, ", "));
  }
  RunSegment s(ipc::Segment::Create(ipc::Segment::UniqueName(), plan.layout), plan);
  log.Info("shared segment /dev/shm/{}: {:.1f} MiB", s.segment_.name(), MiB(static_cast<double>(plan.layout.total_size())));
  s.shared_ = new (s.segment_.RegionAs<void>("coordinator")) CoordinatorShared();
  s.shared_->cpu.follow.store(follow ? 1 : 0);
  s.control_ = s.segment_.RegionAs<ipc::ControlBlock>("control");
  s.batches_ = s.segment_.RegionAs<BatchQueue>("batches");
  s.results_ = s.segment_.RegionAs<ResultQueue>("results");
  for (std::uint32_t w = 0; w < plan.workers; ++w) {
    new (&s.control_[w]) ipc::ControlBlock();
    new (&s.batches_[w]) BatchQueue();
    new (&s.results_[w]) ResultQueue();
  }
  s.slab_region_ = s.segment_.RegionAs<std::byte>("slabs");
  s.slabs_.emplace(ipc::SlabPool::Create(s.slab_region_, plan.workers, plan.slabs_per_worker, plan.slab_bytes));
  s.regrets_ = s.segment_.RegionAs<std::byte>("regrets");
  s.strategy_ = s.segment_.RegionAs<double>("strategy");
  return s;
}

void RunSegment::ResetWorker(std::uint32_t w) {
  new (&batches_[w]) BatchQueue();
  new (&results_[w]) ResultQueue();
  slabs_->ResetOwner(w);
  control_[w].state.store(ipc::WorkerState::kExited);
}

}  // namespace bp::trainer
