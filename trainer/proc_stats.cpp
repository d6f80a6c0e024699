#include "trainer/proc_stats.h"

#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace bp::trainer {

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  // The command name (field 2) may hold spaces; fields resume after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::uint64_t ResidentBytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t AnonResidentBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("RssAnon:", 0) == 0) return std::stoull(line.substr(8)) * 1024;  // "RssAnon:   1234 kB"
  }
  return 0;
}

int AvailableCores() {
  cpu_set_t set;
  int cores = 0;
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) cores = CPU_COUNT(&set);
  if (cores <= 0) cores = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  double quota_cores = 0;
  {
    std::ifstream v2("/sys/fs/cgroup/cpu.max");
    std::string quota, period;
    if (v2 >> quota >> period && quota != "max") {
      const double p = std::strtod(period.c_str(), nullptr);
      if (p > 0) quota_cores = std::strtod(quota.c_str(), nullptr) / p;
    }
  }
  if (quota_cores <= 0) {
    std::ifstream q("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), p("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    double quota = -1, period = 0;
    if (q >> quota && p >> period && quota > 0 && period > 0) quota_cores = quota / period;
  }
  if (quota_cores > 0) cores = std::min(cores, std::max(1, static_cast<int>(std::ceil(quota_cores))));
  return std::max(1, cores);
}

}  // namespace bp::trainer
