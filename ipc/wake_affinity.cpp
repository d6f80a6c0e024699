#include "ipc/wake_affinity.h"

namespace bp::ipc {

CpuMask CpuMask::OfThisThread() {
  CpuMask mask;
  CPU_ZERO(&mask.set_);
  if (::sched_getaffinity(0, sizeof(mask.set_), &mask.set_) != 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &mask.set_);  // unknown: anywhere
  }
  return mask;
}

void CpuMask::ApplyToThisThread() const { ::sched_setaffinity(0, sizeof(set_), &set_); }

void BindHere(WakeAffinity& affinity, pid_t sleeper) {
  if (affinity.follow.load(std::memory_order_relaxed) == 0) return;
  const int here = ::sched_getcpu();
  if (here < 0 || here == affinity.bound.load(std::memory_order_relaxed)) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(here, &set);
  if (::sched_setaffinity(sleeper, sizeof(set), &set) != 0) {
    affinity.follow.store(0, std::memory_order_relaxed);
    affinity.failures.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  affinity.bound.store(here, std::memory_order_relaxed);
  affinity.binds.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace bp::ipc
