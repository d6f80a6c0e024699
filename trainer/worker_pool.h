// WorkerPool: the worker processes of a run. It forks them (after everything
// read-only is loaded, so they share it for free), notices the ones that
// died (waitpid when SIGCHLD said so, and once a second in case a signal
// was missed), counts deaths over the last minute, and stops them all at the
// end. It knows nothing of batches: what a death means for them is the
// coordinator's business (trainer/batch_ledger.h).
//
// Owned by the coordinator thread. Fork copies only the calling thread, so
// Requires of Fork: no other thread of this process is running (the
// coordinator joins its writer and evaluator threads first). The destructor
// kills (SIGKILL) and reaps whatever worker is still alive, so no worker
// outlives its pool; one whose coordinator is SIGKILLed dies of
// PR_SET_PDEATHSIG instead (trainer/worker.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "trainer/run_log.h"
#include "trainer/stop_token.h"

namespace bp::trainer {

// "exited with status 4 (its deltas did not fit its slab: a bug)", "killed by
// signal 9 (Killed)": a worker's waitpid status in words.
std::string DescribeWorkerEnd(int status);

class WorkerPool {
 public:
  // Runs in the forked child, as worker `index`; never returns.
  using Body = std::function<void(std::uint32_t index)>;

  WorkerPool(std::uint32_t workers, std::size_t max_deaths_per_minute, StopToken stop, Body body);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  std::uint32_t size() const { return static_cast<std::uint32_t>(pids_.size()); }
  pid_t pid(std::uint32_t index) const { return pids_[index]; }
  bool alive(std::uint32_t index) const { return pids_[index] > 0; }

  // Forks worker `index` (dead or not started). Throws std::runtime_error
  // if fork fails.
  pid_t Fork(std::uint32_t index);

  struct Death {
    std::uint32_t index;
    pid_t pid;
    int status;         // waitpid's
    bool too_many;      // more than max_deaths_per_minute deaths in the last minute, this one included
  };
  // The workers that died since the last call; `now` is a steady clock in
  // seconds. Cheap when nothing happened: no system call.
  std::vector<Death> Reap(double now);

  // Sends SIGKILL to worker `index` (a hung one); Reap notices its death.
  void Kill(std::uint32_t index);
  // Steady-clock nanoseconds when worker `index` was last forked.
  std::uint64_t forked_ns(std::uint32_t index) const { return forked_ns_[index]; }

  // Asks every live worker to stop (`ask(index)`), waits up to 2 s for them
  // to exit, then kills the rest, saying so in `log`.
  void Stop(const std::function<void(std::uint32_t)>& ask, RunLog& log);

 private:
  std::size_t max_deaths_per_minute_;
  StopToken stop_;
  Body body_;
  std::vector<pid_t> pids_;
  std::vector<std::uint64_t> forked_ns_;
  double last_reap_ = -1e300;
  std::vector<double> recent_deaths_;  // times of deaths in the last minute
};

}  // namespace bp::trainer
