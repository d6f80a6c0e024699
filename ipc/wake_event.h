// WakeEvent: lets a process sleep until another process signals it, across
// processes, on a futex in shared memory (an "event count").
//
// A waiter calls Wait(ready, timeout): it returns as soon as ready() is true,
// sleeping in the kernel in between, and gives up at the timeout. A signaller
// first makes its change visible (e.g. pushes to a queue), then calls
// Notify(), which costs one fence and one load when nobody sleeps and a futex
// wake when somebody does. No wake-up is lost: a waiter announces itself
// before its last check of ready(), and Notify() checks for waiters after the
// change (both ordered by sequentially consistent fences).
//
// Lives in shared memory: trivially copyable, no pointers, zero-initialised is
// the valid initial state. Any number of waiters and signallers.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace bp::ipc {

class WakeEvent {
 public:
  void Notify() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_relaxed) != 0) {
      sequence_.fetch_add(1, std::memory_order_seq_cst);
      WakeAll();
    }
  }

  // Returns true once ready() holds, false if the timeout passed first.
  template <class Ready>
  bool Wait(Ready&& ready, std::chrono::nanoseconds timeout) {
    if (ready()) return true;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    bool ok = false;
    for (;;) {
      const std::uint32_t seen = sequence_.load(std::memory_order_seq_cst);
      if (ready()) {
        ok = true;
        break;
      }
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::nanoseconds::zero()) break;
      SleepWhileEqual(seen, std::chrono::duration_cast<std::chrono::nanoseconds>(left));
    }
    waiters_.fetch_sub(1, std::memory_order_seq_cst);
    return ok;
  }

  std::uint32_t waiters() const { return waiters_.load(std::memory_order_relaxed); }

 private:
  void WakeAll();
  void SleepWhileEqual(std::uint32_t seen, std::chrono::nanoseconds timeout);

  std::atomic<std::uint32_t> sequence_{0};
  std::atomic<std::uint32_t> waiters_{0};
};

static_assert(sizeof(WakeEvent) == 8);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

}  // namespace bp::ipc
