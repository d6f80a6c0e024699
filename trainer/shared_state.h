// The trainer's shared-memory state: what the coordinator and its workers
// share, and the 64-byte descriptors they exchange.
//
// Regions of the segment (ipc/segment.h has its header; trainer/run_segment.h
// plans and creates it):
//   "coordinator"  CoordinatorShared: the wake-up every worker notifies, and
//                  where the coordinator is bound (ipc/wake_affinity.h)
//   "control"      ControlBlock[workers]
//   "batches"      BatchQueue[workers]    coordinator -> worker
//   "results"      ResultQueue[workers]   worker -> coordinator
//   "slabs"        SlabPool: per worker, slabs of batch deltas
//   "regrets"      R[entries], R the game's regret type (solver::RegretOf:
//                  double, or int32 for nlhe); written only by the coordinator
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
struct alignas(64) BatchDescriptor {
  std::uint64_t batch_id;
  std::uint64_t first_iteration;
  std::uint64_t count;  // iterations
  std::uint64_t seed;   // the batch's RNG seed
  std::uint32_t flags;  // kBatchStop: exit after the batches before this one; kBatchPrune, kBatchAverage
  std::uint8_t reserved[28];
};
inline constexpr std::uint32_t kBatchStop = 1;
inline constexpr std::uint32_t kBatchPrune = 2;    // negative-regret pruning on (solver.prune_start reached)
inline constexpr std::uint32_t kBatchAverage = 4;  // strategy-sum updates on (solver.average_start reached)

// A finished batch: its deltas are in `slab`.
struct alignas(64) BatchResult {
  std::uint64_t batch_id;
  std::uint64_t bytes;    // of deltas in the slab (solver/table_access.h wire format)
  std::uint64_t count;    // iterations done
  std::uint64_t busy_ns;  // time spent on the batch
  std::uint32_t slab;
  std::uint32_t worker;
  std::uint8_t reserved[24];
};
static_assert(sizeof(BatchDescriptor) == 64 && std::is_trivially_copyable_v<BatchDescriptor>);
static_assert(sizeof(BatchResult) == 64 && std::is_trivially_copyable_v<BatchResult>);

inline constexpr std::size_t kBatchQueueCapacity = 16;
inline constexpr std::size_t kResultQueueCapacity = ipc::kMaxSlabsPerOwner;  // never fuller than the slabs
using BatchQueue = ipc::SpscQueue<BatchDescriptor, kBatchQueueCapacity>;
using ResultQueue = ipc::SpscQueue<BatchResult, kResultQueueCapacity>;

struct CoordinatorShared {
  ipc::WakeEvent results;  // notified on every result push
  ipc::WakeAffinity cpu;   // run.coordinator_cpu: follow
};

// How a worker process ends (its exit status), explained in the
// coordinator's log (trainer/worker_pool.h, DescribeWorkerEnd).
enum class WorkerExit : int {
  kStopped = 0,       // told to stop (kBatchStop)
  kOrphaned = 3,      // its coordinator is gone
  kSlabOverflow = 4,  // a batch's deltas did not fit its slab: a bug (solver/delta_bound.h)
  kFailed = 5,        // an exception in the worker (its message is on standard error)
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
