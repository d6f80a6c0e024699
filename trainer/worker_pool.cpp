#include "trainer/worker_pool.h"

#include <fmt/core.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "trainer/shared_state.h"

namespace bp::trainer {

namespace {

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const char* ExitMeaning(int code) {
  switch (static_cast<WorkerExit>(code)) {
    case WorkerExit::kStopped: return "stopped when told to";
    case WorkerExit::kOrphaned: return "its coordinator was gone";
    case WorkerExit::kSlabOverflow: return "its deltas did not fit its slab: a bug";
    case WorkerExit::kFailed: return "it failed; its message is above";
  }
  return nullptr;
}

}  // namespace

std::string DescribeWorkerEnd(int status) {
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (WIFEXITED(status)) {
    const char* meaning = ExitMeaning(WEXITSTATUS(status));
    return meaning ? fmt::format("exited with status {} ({})", WEXITSTATUS(status), meaning)
                   : fmt::format("exited with status {}", WEXITSTATUS(status));
  }
  return "stopped";
}

WorkerPool::WorkerPool(std::uint32_t workers, std::size_t max_deaths_per_minute, StopToken stop, Body body)
    : max_deaths_per_minute_(max_deaths_per_minute),
      stop_(stop),
      body_(std::move(body)),
      pids_(workers, 0),
      forked_ns_(workers, 0) {}

WorkerPool::~WorkerPool() {
  for (pid_t& pid : pids_) {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      pid = 0;
    }
  }
}

pid_t WorkerPool::Fork(std::uint32_t index) {
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork failed for worker {}: {}", index, std::strerror(errno)));
  if (pid == 0) {
    body_(index);
    ::_exit(static_cast<int>(WorkerExit::kFailed));  // a body returns only by mistake
  }
  pids_[index] = pid;
  forked_ns_[index] = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  return pid;
}

void WorkerPool::Kill(std::uint32_t index) {
  if (alive(index)) ::kill(pids_[index], SIGKILL);
}

std::vector<WorkerPool::Death> WorkerPool::Reap(double now) {
  std::vector<Death> deaths;
  if (!stop_.TakeChildChange() && now - last_reap_ < 1.0) return deaths;
  last_reap_ = now;
  int status = 0;
  for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
    const auto found = std::find(pids_.begin(), pids_.end(), pid);
    if (found == pids_.end()) continue;
    *found = 0;
    recent_deaths_.push_back(now);
    std::erase_if(recent_deaths_, [&](double t) { return now - t > 60; });
    deaths.push_back({static_cast<std::uint32_t>(found - pids_.begin()), pid, status,
                      recent_deaths_.size() > max_deaths_per_minute_});
  }
  return deaths;
}

void WorkerPool::Stop(const std::function<void(std::uint32_t)>& ask, RunLog& log) {
  for (std::uint32_t w = 0; w < size(); ++w) {
    if (alive(w)) ask(w);
  }
  const double deadline = SteadySeconds() + 2.0;
  for (;;) {
    bool any = false;
    for (pid_t& pid : pids_) {
      if (pid <= 0) continue;
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = 0;
      } else {
        any = true;
      }
    }
    if (!any) return;
    if (SteadySeconds() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (std::uint32_t w = 0; w < size(); ++w) {
    if (!alive(w)) continue;
    log.Warn("worker {} (pid {}) did not stop within 2 s; killing it", w, pids_[w]);
    ::kill(pids_[w], SIGKILL);
    ::waitpid(pids_[w], nullptr, 0);
    pids_[w] = 0;
  }
}

}  // namespace bp::trainer
