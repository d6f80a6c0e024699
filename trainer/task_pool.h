// TaskPool: runs a batch of independent tasks on a fixed number of compute
// threads, for the offline tools (build_buckets, the preflop equity table).
// Each Run starts exactly `threads` threads (fewer if there are fewer tasks)
// and joins them before returning; the calling thread only waits and, when
// given a label, reports progress with an ETA: a bar on a terminal, a line
// every 10 s otherwise. No threads outlive a Run.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>

#include "abstraction/kmeans.h"

namespace bp::trainer {

// "42s", "3m07s", "2h05m".
std::string FormatDuration(double seconds);

class TaskPool {
 public:
  TaskPool(int threads, std::FILE* out);

  int threads() const { return threads_; }
  void Run(std::size_t tasks, const std::function<void(std::size_t)>& body, const std::string& label = "");
  // This pool as the ParallelFor of abstraction/ (no progress report).
  abstraction::ParallelFor AsParallelFor();

 private:
  int threads_;
  std::FILE* out_;
  bool tty_;
};

}  // namespace bp::trainer
