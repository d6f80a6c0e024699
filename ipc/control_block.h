// ControlBlock: one per worker, in shared memory: its pid and state, a
// heartbeat (written while waiting and during batches), and counters that the worker bumps and the coordinator reads for
// metrics. PutCounters is the part a queue producer updates (see
// spsc_queue.h). All fields are lock-free atomics, so a process dying
// mid-update leaves each counter either before or after the update.
// Zero-initialised is the valid initial state.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

namespace bp::ipc {

struct PutCounters {
  std::atomic<std::uint64_t> puts{0};          // items pushed
  std::atomic<std::uint64_t> put_waits{0};     // pushes that found the queue full and had to wait
  std::atomic<std::uint64_t> put_timeouts{0};  // pushes that gave up at their timeout
};

enum class WorkerState : std::uint32_t { kEmpty = 0, kIdle, kBusy, kExited };

struct alignas(64) ControlBlock {
  std::atomic<std::int32_t> pid{0};
  std::atomic<WorkerState> state{WorkerState::kEmpty};
  std::atomic<std::uint64_t> heartbeat_ns{0};  // CLOCK_MONOTONIC of the last heartbeat
  std::atomic<std::uint64_t> batches_done{0};
  std::atomic<std::uint64_t> iterations_done{0};
  std::atomic<std::uint64_t> busy_ns{0};       // time spent computing batches
  PutCounters put;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<WorkerState>::is_always_lock_free);
static_assert(std::is_standard_layout_v<ControlBlock>);
static_assert(std::is_trivially_destructible_v<ControlBlock>);
static_assert(sizeof(ControlBlock) == 64);  // one cache line per worker

}  // namespace bp::ipc
