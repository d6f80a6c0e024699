#include "ipc/wake_affinity.h"

#include <doctest/doctest.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "support/process.h"

using namespace bp::ipc;

namespace {

std::vector<int> CpusOf(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(::sched_getaffinity(tid, sizeof(set), &set) == 0);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  return cpus;
}

void PinThisThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  REQUIRE(::sched_setaffinity(0, sizeof(set), &set) == 0);
}

// A child that sleeps until killed.
pid_t Sleeper() {
  return ForkChild([] {
    for (;;) ::pause();
    return 0;
  });
}

void Kill(pid_t pid) {
  ::kill(pid, SIGKILL);
  WaitChild(pid);
}

}  // namespace

TEST_CASE("BindHere binds the sleeper to the waker's CPU, once per CPU") {
  const std::vector<int> ours = CpusOf(0);
  const pid_t sleeper = Sleeper();
  WakeAffinity affinity;
  affinity.follow.store(1);
  std::thread waker([&] {
    for (int cpu : {ours.front(), ours.back()}) {
      PinThisThread(cpu);
      BindHere(affinity, sleeper);
      CHECK(CpusOf(sleeper) == std::vector<int>{cpu});
      CHECK(affinity.bound.load() == cpu);
      BindHere(affinity, sleeper);  // bound here already: no second bind
    }
  });
  waker.join();
  CHECK(affinity.binds.load() == (ours.size() > 1 ? 2u : 1u));
  CHECK(affinity.failures.load() == 0);
  Kill(sleeper);
}

TEST_CASE("BindHere does nothing while following is off") {
  const pid_t sleeper = Sleeper();
  const std::vector<int> before = CpusOf(sleeper);
  WakeAffinity affinity;  // follow = 0
  BindHere(affinity, sleeper);
  CHECK(CpusOf(sleeper) == before);
  CHECK(affinity.binds.load() == 0);
  CHECK(affinity.bound.load() == -1);
  Kill(sleeper);
}

TEST_CASE("a bind the kernel refuses turns following off and is counted") {
  const pid_t gone = Sleeper();
  Kill(gone);  // reaped: its id names no thread now
  WakeAffinity affinity;
  affinity.follow.store(1);
  BindHere(affinity, gone);
  CHECK(affinity.follow.load() == 0);
  CHECK(affinity.failures.load() == 1);
  CHECK(affinity.binds.load() == 0);
  BindHere(affinity, gone);  // off now: not tried again
  CHECK(affinity.failures.load() == 1);
}

TEST_CASE("CpuMask gives a bound thread its original CPUs back") {
  const CpuMask original = CpuMask::OfThisThread();
  const std::vector<int> ours = CpusOf(0);
  CHECK(original.Count() == static_cast<int>(ours.size()));
  for (int c : ours) CHECK(original.Contains(c));
  CHECK_FALSE(original.Contains(-1));
  std::thread t([&] {
    PinThisThread(ours.back());
    CHECK(CpusOf(0) == std::vector<int>{ours.back()});
    original.ApplyToThisThread();
    CHECK(CpusOf(0) == ours);
  });
  t.join();
  CHECK(CpusOf(0) == ours);  // only the calling thread changed
}
