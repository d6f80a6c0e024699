// StopToken: how the coordinator and its worker pool learn of the signals
// that concern them, without reading globals: a stop request (SIGINT,
// SIGTERM, SIGUSR1) and a child that changed state (SIGCHLD, so waitpid has news).
// The flags are the async-signal-safe sig_atomic_t a handler may write;
// InstallSignalHandlers (trainer/train.cpp) points a token at the ones its
// handlers set, a test at its own. Copyable; reads and clears are plain
// loads and stores of those flags.
#pragma once

#include <csignal>

namespace bp::trainer {

class StopToken {
 public:
  StopToken(volatile std::sig_atomic_t* stop, volatile std::sig_atomic_t* child) : stop_(stop), child_(child) {}

  bool stop_requested() const { return *stop_ != 0; }
  bool child_changed() const { return *child_ != 0; }
  // Whether a child changed state since the last call.
  bool TakeChildChange() {
    if (*child_ == 0) return false;
    *child_ = 0;
    return true;
  }

 private:
  volatile std::sig_atomic_t* stop_;
  volatile std::sig_atomic_t* child_;
};

// Sets SIGINT, SIGTERM and SIGUSR1 to request a stop (no SA_RESTART: a sleeping
// coordinator wakes up) and SIGCHLD to note a child's change, once per
// process; returns the token that sees them.
StopToken InstallSignalHandlers();

}  // namespace bp::trainer
