// WakeAffinity: makes a process that sleeps on a WakeEvent wake up on the CPU
// of whoever wakes it.
//
// When every CPU is busy, a wake-up from another CPU costs an
// inter-processor interrupt to the sleeper's CPU, and on virtual machines
// that is expensive. Measured on a 2-vCPU virtual machine (bench/ipc_bench,
// "wake-ups while both CPUs compute"): 31-33 µs of the sleeper's CPU per
// sleep/wake cycle when the waker is on the other CPU, 9-10 µs when it is
// on the sleeper's own. A waker that calls BindHere() before it notifies first
// restricts the sleeper to the waker's CPU (unless it is restricted there
// already), so the kernel queues the sleeper locally: the wake-up preempts the
// waker instead of interrupting another CPU.
//
// The binding is the sleeping thread's affinity mask (for a process's main
// thread, its pid). The sleeper keeps its original mask (CpuMask) to give
// back to whatever it starts and to itself when nobody follows any more.
//
// Lives in shared memory: zero-initialised except `bound` (-1), no pointers.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>

namespace bp::ipc {

// The CPUs a thread may run on.
class CpuMask {
 public:
  static CpuMask OfThisThread();
  // Restricts the calling thread (not its whole process) to this mask.
  void ApplyToThisThread() const;
  bool Contains(int cpu) const { return cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set_); }
  int Count() const { return CPU_COUNT(&set_); }

 private:
  cpu_set_t set_{};
};

struct WakeAffinity {
  std::atomic<std::uint32_t> follow{0};    // 1: wakers bind the sleeper to their CPU
  std::atomic<std::int32_t> bound{-1};     // the CPU it is bound to; -1: none
  std::atomic<std::uint64_t> binds{0};     // how often a waker bound it
  std::atomic<std::uint64_t> failures{0};  // binds the kernel refused (following then stops)
};

// Called by a waker just before it wakes `sleeper` (a thread id): binds the
// sleeper to the calling thread's CPU unless following is off or it is bound
// there already. Never blocks; a refused bind turns following off.
void BindHere(WakeAffinity& affinity, pid_t sleeper);

}  // namespace bp::ipc
