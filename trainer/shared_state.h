// The trainer's shared-memory state: what the coordinator and its workers
// share, and the 64-byte descriptors they exchange.
//
// Regions of the segment (see ipc/segment.h for the header):
//   "coordinator"  CoordinatorShared: the wake-up every worker notifies, and
//                  where the coordinator is bound (ipc/wake_affinity.h)
//   "control"      ControlBlock[workers]
//   "tasks"        TaskQueue[workers]     coordinator -> worker
//   "results"      ResultQueue[workers]   worker -> coordinator
//   "slabs"        SlabPool: per worker, slabs of batch deltas
//   "regrets"      double[entries]   written only by the coordinator
//   "strategy"     double[strategy entries]  written only by the coordinator
//                  (a prefix of the entries when only the preflop is averaged)
// Workers read "regrets" racily with relaxed atomic loads (parallel MCCFR).
#pragma once

#include <cstdint>
#include <type_traits>

#include "ipc/control_block.h"
#include "ipc/slab_pool.h"
#include "ipc/spsc_queue.h"
#include "ipc/wake_affinity.h"
#include "ipc/wake_event.h"

namespace bp::trainer {

// A batch of iterations for one worker.
struct alignas(64) TaskDescriptor {
  std::uint64_t batch_id;
  std::uint64_t first_iteration;
  std::uint64_t count;  // iterations
  std::uint64_t seed;   // the batch's RNG seed
  std::uint32_t flags;  // kTaskStop: exit after the tasks before this one; kTaskPrune, kTaskAverage
  std::uint8_t reserved[28];
};
inline constexpr std::uint32_t kTaskStop = 1;
inline constexpr std::uint32_t kTaskPrune = 2;    // negative-regret pruning on (solver.prune_start reached)
inline constexpr std::uint32_t kTaskAverage = 4;  // strategy-sum updates on (solver.average_start reached)

// A finished batch: its deltas are in `slab`.
struct alignas(64) ResultDescriptor {
  std::uint64_t batch_id;
  std::uint64_t bytes;    // of deltas in the slab (solver/table_access.h wire format)
  std::uint64_t count;    // iterations done
  std::uint64_t busy_ns;  // time spent on the batch
  std::uint32_t slab;
  std::uint32_t worker;
  std::uint8_t reserved[24];
};
static_assert(sizeof(TaskDescriptor) == 64 && std::is_trivially_copyable_v<TaskDescriptor>);
static_assert(sizeof(ResultDescriptor) == 64 && std::is_trivially_copyable_v<ResultDescriptor>);

inline constexpr std::size_t kTaskQueueCapacity = 16;
inline constexpr std::size_t kResultQueueCapacity = ipc::kMaxSlabsPerOwner;  // never fuller than the slabs
using TaskQueue = ipc::SpscQueue<TaskDescriptor, kTaskQueueCapacity>;
using ResultQueue = ipc::SpscQueue<ResultDescriptor, kResultQueueCapacity>;

struct CoordinatorShared {
  ipc::WakeEvent results;  // notified on every result push
  ipc::WakeAffinity cpu;   // run.coordinator_cpu: follow
};

// The seed of a batch: a mix of the run seed and the batch id, so that a
// batch computes the same thing whoever runs it and whenever.
inline std::uint64_t BatchSeed(std::uint64_t run_seed, std::uint64_t batch_id) {
  std::uint64_t z = run_seed * 0x9e3779b97f4a7c15ULL + batch_id + 0x632be59bd9b4e019ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace bp::trainer
