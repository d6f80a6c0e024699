// SpscQueue: a bounded single-producer single-consumer queue of small
// trivially-copyable descriptors, placed in shared memory, built on
// Boost.Lockfree's spsc_queue with compile-time capacity (a ring buffer whose
// storage is inline and whose read/write indices are lock-free atomics: no
// pointers, so it works across processes mapping it at any address).
//
// Producer and Consumer are process-local handles (they hold pointers, so they
// never live in shared memory). Exactly one process pushes and one pops.
//   TryPush/TryPop  never block.
//   PushFor/PopFor  spin briefly, yield, then sleep on a WakeEvent, and return false
//                   at the timeout instead of blocking forever.
// A push that found the queue full is counted in PutCounters::put_waits, one
// that gave up in put_timeouts (the sender's control block). A successful push
// notifies the consumer's WakeEvent (the queue's own, or one shared by several
// queues so that one consumer can sleep on all of them); a pop notifies the
// queue's space event, on which a waiting producer sleeps.
#pragma once

#include <boost/lockfree/spsc_queue.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <type_traits>

#include "ipc/control_block.h"
#include "ipc/wake_event.h"

namespace bp::ipc {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spin iterations before a blocking call yields, and yields before it sleeps.
// Yielding first lets a peer that shares our core fill (or drain) the queue,
// so that under oversubscription items move in runs rather than one futex
// wake-up per item.
inline constexpr int kDefaultSpin = 256;
inline constexpr int kYieldsBeforeSleep = 8;

// Calls attempt() up to `spin` times with a pause between, then (if spin > 0)
// up to kYieldsBeforeSleep times with a yield between; true once it succeeds.
template <class Attempt>
bool SpinThenYield(Attempt&& attempt, int spin) {
  for (int i = 0; i < spin; ++i) {
    CpuRelax();
    if (attempt()) return true;
  }
  for (int i = 0; i < (spin > 0 ? kYieldsBeforeSleep : 0); ++i) {
    std::this_thread::yield();
    if (attempt()) return true;
  }
  return false;
}

template <class T, std::size_t kCapacity>
class SpscQueue {
  static_assert(std::is_trivially_copyable_v<T>, "queue items are copied bytewise between processes");
  static_assert(sizeof(T) <= 64, "queue items are small descriptors");
  static_assert(std::atomic<std::size_t>::is_always_lock_free, "indices must be lock-free across processes");

 public:
  static constexpr std::size_t capacity() { return kCapacity; }

  bool TryPush(const T& item) { return ring_.push(item); }
  bool TryPop(T& out) { return ring_.pop(out); }
  // Pops up to `max` items into `out`; returns how many.
  std::size_t TryPopMany(T* out, std::size_t max) { return ring_.pop(out, max); }
  // Items waiting; exact from the consumer, a lower bound from elsewhere.
  std::size_t ReadAvailable() const { return ring_.read_available(); }
  // Free slots; exact from the producer.
  std::size_t WriteAvailable() const { return ring_.write_available(); }

  WakeEvent& items_event() { return items_; }
  WakeEvent& space_event() { return space_; }

 private:
  boost::lockfree::spsc_queue<T, boost::lockfree::capacity<kCapacity>> ring_;
  WakeEvent items_;
  WakeEvent space_;
};

template <class Queue>
class Producer {
 public:
  // `notify`: the event the consumer sleeps on (default: the queue's own).
  // `counters` may be null. All pointers must outlive the handle.
  Producer(Queue* queue, PutCounters* counters, WakeEvent* notify = nullptr)
      : queue_(queue), counters_(counters), notify_(notify ? notify : &queue->items_event()) {}

  template <class T>
  bool TryPush(const T& item) {
    if (!queue_->TryPush(item)) return false;
    Pushed();
    return true;
  }

  template <class T>
  bool PushFor(const T& item, std::chrono::nanoseconds timeout, int spin = kDefaultSpin) {
    if (TryPush(item)) return true;
    if (counters_) counters_->put_waits.fetch_add(1, std::memory_order_relaxed);
    if (SpinThenYield([&] { return TryPush(item); }, spin)) return true;
    bool pushed = false;
    queue_->space_event().Wait([&] { return pushed = queue_->TryPush(item); }, timeout);
    if (pushed) {
      Pushed();
      return true;
    }
    if (counters_) counters_->put_timeouts.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

 private:
  void Pushed() {
    if (counters_) counters_->puts.fetch_add(1, std::memory_order_relaxed);
    notify_->Notify();
  }

  Queue* queue_;
  PutCounters* counters_;
  WakeEvent* notify_;
};

template <class Queue>
class Consumer {
 public:
  explicit Consumer(Queue* queue) : queue_(queue) {}

  template <class T>
  bool TryPop(T& out) {
    if (!queue_->TryPop(out)) return false;
    queue_->space_event().Notify();
    return true;
  }

  // Pops up to `max` waiting items at once (one index update and one
  // notification for all of them); returns how many. Never blocks.
  template <class T>
  std::size_t TryPopMany(T* out, std::size_t max) {
    const std::size_t n = queue_->TryPopMany(out, max);
    if (n > 0) queue_->space_event().Notify();
    return n;
  }

  // Sleeps on the queue's items event (or `wait_on`, if the producer notifies
  // a shared event) until an item arrives or the timeout passes.
  template <class T>
  bool PopFor(T& out, std::chrono::nanoseconds timeout, int spin = kDefaultSpin, WakeEvent* wait_on = nullptr) {
    if (TryPop(out) || SpinThenYield([&] { return TryPop(out); }, spin)) return true;
    WakeEvent& event = wait_on ? *wait_on : queue_->items_event();
    bool popped = false;
    event.Wait([&] { return popped = queue_->TryPop(out); }, timeout);
    if (popped) queue_->space_event().Notify();
    return popped;
  }

 private:
  Queue* queue_;
};

}  // namespace bp::ipc
