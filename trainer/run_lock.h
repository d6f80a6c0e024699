// RunLock: at most one train_blueprint per run directory. Two coordinators
// on one LOGDIR (a --resume-from while the run still goes on, or a second
// run started into it before its first checkpoint) would interleave their
// logs and metrics and prune each other's checkpoints.
//
// A POSIX record lock (fcntl F_SETLK) on LOGDIR/.lock, held while the object
// lives: the kernel drops it when the process ends however it ends (SIGKILL
// included), so a stale lock never blocks the next start, and forked workers
// do not inherit it. The file holds the holder's pid, for people.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace bp::trainer {

class RunLock {
 public:
  // Creates `logdir` if needed and locks it. Throws ConfigError naming the
  // directory and the pid of the process that holds it.
  static RunLock Acquire(const std::filesystem::path& logdir);

  // The pid of the train_blueprint that holds `logdir`'s lock, if one does
  // (for tools that read a run while it trains). Takes no lock.
  static std::optional<pid_t> Holder(const std::filesystem::path& logdir);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace bp::trainer
