// Process statistics from /proc, for metrics: CPU time of a process (to turn
// into a CPU percentage over an interval, 100 = one full core), resident
// memory, and the number of cores this process may use (affinity mask and
// cgroup CPU quota).
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace bp::trainer {

// utime + stime of `pid` in seconds, or a negative value if it is gone.
double ProcessCpuSeconds(pid_t pid);
// Resident set size of this process in bytes.
std::uint64_t ResidentBytes();
// Anonymous resident memory of `pid` in bytes (RssAnon: its private memory,
// and copy-on-write pages it still shares with its parent; the shared
// segment is not included); 0 if it is gone.
std::uint64_t AnonResidentBytes(pid_t pid);
// Cores available to this process: the affinity mask, capped by a cgroup
// (v2 cpu.max or v1 cfs quota) if one is set; at least 1.
int AvailableCores();

}  // namespace bp::trainer
