// BackgroundWriter: runs the coordinator's file writes (checkpoints, strategy
// snapshots) one at a time on a thread of their own, so the coordinator
// goes on applying batches meanwhile.
//
// A job is a function that returns the line to log when it is done; an
// exception becomes "<what> failed: <message>" and marks the writer failed
// (the run then ends with exit code 1). The coordinator thread owns the
// object: it starts a job (after joining the previous one), asks whether
// one is running, and joins finished ones to log their line. The job's
// thread touches only what its function captured and, under the mutex, the
// outcome. Threads it starts run on the run's CPUs (`cpus`), not on the one
// the coordinator may be bound to (run.coordinator_cpu: follow).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ipc/wake_affinity.h"

namespace bp::trainer {

class BackgroundWriter {
 public:
  explicit BackgroundWriter(ipc::CpuMask cpus) : cpus_(cpus) {}
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;
  ~BackgroundWriter() { Join(); }

  struct Outcome {
    std::string what;  // as Start was told: "checkpoint", "snapshot"
    std::string line;
    bool failed = false;
  };

  // Joins the previous job, then starts `job` on a new thread.
  void Start(const char* what, std::function<std::string()> job);
  // A job is running (or finished and not joined yet: Join it to log it).
  bool busy() const { return busy_.load(std::memory_order_acquire); }
  bool started() const { return thread_.joinable(); }
  // Waits for the job (if any) and returns what it had to say.
  std::optional<Outcome> Join();
  // Whether any job failed.
  bool failed() const { return failed_; }

 private:
  ipc::CpuMask cpus_;
  std::thread thread_;
  std::atomic<bool> busy_{false};
  std::mutex mutex_;
  Outcome outcome_;  // under mutex_
  bool failed_ = false;
};

}  // namespace bp::trainer
