// The worker process's main loop. A worker is forked by the coordinator after
// everything read-only (game, layout) is loaded, so it shares those for free;
// it is single-threaded and lives until told to stop or until the coordinator
// dies (PR_SET_PDEATHSIG).
//
// Loop: pop a batch (sleeping on the batch queue's wake-up when empty); run its
// iterations with external sampling (or full-width CFR, solver.sampling: full) against the shared regret table (relaxed
// racy reads), accumulating this batch's deltas privately (DeltaAccess); take
// a free slab, write the deltas into it, push a result descriptor with a timed
// put. The result queue holds as many descriptors as the worker has slabs, so
// the put only waits if the coordinator is gone; every wait and timeout is
// counted in the control block, and a timed-out put is retried, never dropped.
// Its heartbeat (control block) is written while it waits and every
// kHeartbeatIterations iterations of a batch: one that stops writing it
// (stopped, stalled, looping) is killed by the coordinator's watchdog.
// Its exit status says why it ended (WorkerExit, trainer/shared_state.h).
#pragma once

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

#include "base/memory.h"
#include "ipc/control_block.h"
#include "ipc/segment.h"
#include "ipc/slab_pool.h"
#include "ipc/wake_affinity.h"
#include "solver/external_sampling.h"
#include "solver/full_width.h"
#include "solver/table_access.h"
#include "solver/table_layout.h"
#include "trainer/config.h"
#include "trainer/shared_state.h"

namespace bp::trainer {

struct WorkerContext {
  std::uint32_t index;
  pid_t coordinator;
  int pin_cpu;  // -1: no pinning
  ipc::CpuMask allowed;  // the CPUs the run started with (the coordinator's own mask may be bound to one)
  std::chrono::nanoseconds put_timeout;
  ipc::ControlBlock* control;
  BatchQueue* batches;
  ResultQueue* results;
  CoordinatorShared* coordinator_shared;
  std::byte* slab_region;
  std::uint64_t strategy_entries;  // the strategy-sum prefix
  solver::SamplingOptions options;
  // Under mpirun a stop reaches the whole job's process groups as SIGTERM:
  // the worker ignores it, the coordinator decides (it dies,
  // PR_SET_PDEATHSIG follows).
  bool ignore_sigterm = false;
};

// Iterations between heartbeats within a batch.
inline constexpr std::uint64_t kHeartbeatIterations = 256;

// The clock of heartbeats (steady_clock, as the coordinator's).
inline std::uint64_t MonotonicNs() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

[[noreturn]] inline void WorkerExitWith(WorkerExit code) { ::_exit(static_cast<int>(code)); }

template <solver::Game G>
void WorkerLoop(const G& game, const solver::TableLayout& layout, const WorkerContext& ctx,
                const solver::RegretOf<G>* regrets);

// Runs in the forked child; never returns. `regrets`: the shared table.
template <solver::Game G>
[[noreturn]] void WorkerMain(const G& game, const solver::TableLayout& layout, const WorkerContext& ctx,
                             const solver::RegretOf<G>* regrets) {
  try {
    WorkerLoop(game, layout, ctx, regrets);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worker %u failed: %s\n", ctx.index, e.what());
    WorkerExitWith(WorkerExit::kFailed);
  }
  WorkerExitWith(WorkerExit::kStopped);
}

// The batch loop: pop, run, emit the deltas, push the result; returns at a
// stop descriptor. `Solver`: ExternalSampling or FullWidthCfr over a DeltaAccess.
template <class Solver, class Batches, class Results>
void RunBatches(Solver& solver, const WorkerContext& ctx, ipc::SlabPool& pool, Batches& batches, Results& results) {
  ipc::ControlBlock& control = *ctx.control;
  const std::uint64_t slab_capacity = pool.slab_bytes();
  for (;;) {
    control.heartbeat_ns.store(MonotonicNs(), std::memory_order_relaxed);
    BatchDescriptor batch{};
    if (!batches.PopFor(batch, std::chrono::milliseconds(200))) {
      if (::getppid() != ctx.coordinator) WorkerExitWith(WorkerExit::kOrphaned);
      continue;
    }
    if (batch.flags & kBatchStop) break;
    control.state.store(ipc::WorkerState::kBusy, std::memory_order_relaxed);
    const std::uint64_t start = MonotonicNs();
    solver.rng().Seed(batch.seed);
    solver.Seek(batch.first_iteration);
    solver.SetPhase((batch.flags & kBatchPrune) != 0, (batch.flags & kBatchAverage) != 0);
    // In pieces, with a heartbeat after each (the coordinator's watchdog);
    // Iterate(a) then Iterate(b) is Iterate(a + b), bit for bit.
    for (std::uint64_t done = 0; done < batch.count; done += kHeartbeatIterations) {
      solver.Iterate(std::min(kHeartbeatIterations, batch.count - done));
      control.heartbeat_ns.store(MonotonicNs(), std::memory_order_relaxed);
    }
    std::optional<std::uint32_t> slab;
    while (!(slab = pool.AcquireFor(ctx.index, std::chrono::milliseconds(200)))) {
      if (::getppid() != ctx.coordinator) WorkerExitWith(WorkerExit::kOrphaned);
    }
    // A slab holds the smaller of two upper bounds, a whole table's deltas
    // and a batch's worst case (solver/delta_bound.h): never exceeded.
    if (solver.access().EmitBytes() > slab_capacity) WorkerExitWith(WorkerExit::kSlabOverflow);
    const std::uint64_t bytes = solver.access().EmitAndClear(pool.Data(*slab));
    const std::uint64_t busy = MonotonicNs() - start;
    BatchResult result{batch.batch_id, bytes, batch.count, busy, *slab, ctx.index, {}};
    // The push below wakes the coordinator if it sleeps: make that wake-up local.
    if (ctx.coordinator_shared->results.waiters() != 0) ipc::BindHere(ctx.coordinator_shared->cpu, ctx.coordinator);
    while (!results.PushFor(result, ctx.put_timeout)) {
      if (::getppid() != ctx.coordinator) WorkerExitWith(WorkerExit::kOrphaned);
    }
    control.batches_done.fetch_add(1, std::memory_order_relaxed);
    control.iterations_done.fetch_add(batch.count, std::memory_order_relaxed);
    control.busy_ns.fetch_add(busy, std::memory_order_relaxed);
    control.state.store(ipc::WorkerState::kIdle, std::memory_order_relaxed);
  }
}

template <solver::Game G>
void WorkerLoop(const G& game, const solver::TableLayout& layout, const WorkerContext& ctx,
                const solver::RegretOf<G>* regrets) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != ctx.coordinator) WorkerExitWith(WorkerExit::kOrphaned);  // it died before prctl
  ::signal(SIGINT, SIG_IGN);  // Ctrl-C reaches the whole group; the coordinator decides
  ::signal(SIGUSR1, SIG_IGN);  // a stop (mpirun forwards it), the coordinator's to decide
  ::signal(SIGTERM, ctx.ignore_sigterm ? SIG_IGN : SIG_DFL);
  if (ctx.pin_cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(ctx.pin_cpu, &set);
    ::sched_setaffinity(0, sizeof(set), &set);
  } else {
    ctx.allowed.ApplyToThisThread();
  }
  // Map the whole regret table now (one call; its pages exist already): no
  // page fault at the first read of each page during the run.
  base::PopulatePages(const_cast<solver::RegretOf<G>*>(regrets), layout.num_entries() * sizeof(solver::RegretOf<G>),
                      /*for_write=*/false);
  ipc::ControlBlock& control = *ctx.control;
  control.pid.store(::getpid());
  control.state.store(ipc::WorkerState::kIdle);

  ipc::SlabPool pool = ipc::SlabPool::Open(ctx.slab_region);
  ipc::Consumer<BatchQueue> batches(ctx.batches);
  ipc::Producer<ResultQueue> results(ctx.results, &control.put, &ctx.coordinator_shared->results);
  using Access = solver::BasicDeltaAccess<solver::RegretOf<G>>;
  Access access(regrets, layout.num_entries(), ctx.strategy_entries);
  const auto run = [&](auto& solver) { RunBatches(solver, ctx, pool, batches, results); };
  if constexpr (solver::EnumerableGame<G>) {
    if (ctx.options.full_width) {
      solver::FullWidthCfr<G, Access> full(game, layout, std::move(access), 0, ctx.options);
      run(full);
      control.state.store(ipc::WorkerState::kExited);
      return;
    }
  } else if (ctx.options.full_width) {
    throw std::invalid_argument("full-width CFR needs a game whose deals can be enumerated");  // the config refuses it
  }
  solver::ExternalSampling<G, Access> sampling(game, layout, std::move(access), 0, ctx.options);
  run(sampling);
  control.state.store(ipc::WorkerState::kExited);
}

}  // namespace bp::trainer
