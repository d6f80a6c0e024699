#include "ipc/wake_event.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>

namespace bp::ipc {

namespace {
// Shared (not FUTEX_PRIVATE) futex operations: the word lives in memory that
// several processes map, possibly at different addresses.
long Futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value, const timespec* timeout) {
  return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, value, timeout, nullptr, 0);
}
}  // namespace

void WakeEvent::WakeAll() { Futex(&sequence_, FUTEX_WAKE, INT_MAX, nullptr); }

void WakeEvent::SleepWhileEqual(std::uint32_t seen, std::chrono::nanoseconds timeout) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000000000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1000000000);
  Futex(&sequence_, FUTEX_WAIT, seen, &ts);  // EAGAIN, EINTR, ETIMEDOUT: the caller rechecks
}

}  // namespace bp::ipc
