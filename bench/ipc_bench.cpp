// ipc_bench: the shared-memory layer between two processes on this machine.
//   - queue throughput: 64-byte descriptors, producer and consumer spinning
//   - one-way latency (median, p99): consumer spinning on try_pop, and
//     consumer asleep on the wake-up (pop_for with no spin)
//   - slab round trip: 64 KiB payloads written by one process, read and
//     released by the other (MB/s)
//   - the cost of try_push on a full queue
//   - wake-ups while both CPUs compute: two processes pinned to cpus 0 and 1
//     compute and each wakes a third, sleeping process every --wake-period-us
//     (as workers wake the coordinator after every batch); the sleeper's CPU
//     per sleep/wake cycle and the computers' work rate, with the sleeper
//     left where the kernel puts it ("free") and bound to each waker's CPU
//     before the wake-up ("follow", ipc/wake_affinity.h), alternated, medians
// Timestamps are CLOCK_MONOTONIC, which all processes share.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sched.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

#include "bench/machine.h"
#include "ipc/segment.h"
#include "ipc/slab_pool.h"
#include "ipc/spsc_queue.h"
#include "ipc/wake_affinity.h"
#include "ipc/wake_event.h"

namespace {

using namespace bp::ipc;
using Clock = std::chrono::steady_clock;

struct Descriptor {
  std::uint64_t seq;
  std::int64_t sent_ns;
  std::uint64_t words[6];
};
static_assert(sizeof(Descriptor) == 64);

using Queue = SpscQueue<Descriptor, 4096>;

struct Shared {
  Queue queue;
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint32_t> go{0};
  // Wake-ups while both CPUs compute.
  WakeEvent posted_event;
  WakeAffinity affinity;
  std::atomic<std::uint64_t> posted{0};
  std::atomic<std::uint64_t> work{0};
  std::atomic<std::uint32_t> stop{0};
};

struct BusyWakeups {
  double wakes_per_s = 0;
  double sleeper_cpu_pct = 0;      // 100 = one core
  double sleeper_us_per_wake = 0;  // its CPU time per sleep/wake cycle
  double work_per_s = 0;           // the two computers' work units
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::int64_t NowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

void PinTo(int cpu) {
  const int n = static_cast<int>(std::thread::hardware_concurrency());
  if (n < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu % n, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

template <class F>
pid_t Child(F&& body) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  return pid;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

struct Bench {
  Segment segment;
  Shared* shared;
  std::byte* slabs;

  Bench() : segment(Make()) {
    shared = new (segment.RegionAs<void>("shared")) Shared();
    slabs = segment.RegionAs<std::byte>("slabs");
  }
  static Segment Make() {
    SegmentLayout layout;
    layout.Add("shared", sizeof(Shared));
    layout.Add("slabs", SlabPool::RegionBytes(1, 16, 64 * 1024));
    return Segment::Create(Segment::UniqueName(), layout);
  }
  void Reset() {
    shared->~Shared();
    shared = new (segment.RegionAs<void>("shared")) Shared();
  }

  // bulk: the consumer drains up to 64 descriptors per pop.
  double Throughput(std::uint64_t count, bool bulk) {
    Reset();
    Shared* s = shared;
    const pid_t consumer = Child([&] {
      PinTo(1);
      Consumer<Queue> in(&s->queue);
      Descriptor batch[64];
      std::uint64_t got = 0, bad = 0;
      s->go.store(1);
      while (got < count) {
        const std::size_t n = bulk ? in.TryPopMany(batch, 64) : (in.TryPop(batch[0]) ? 1 : 0);
        for (std::size_t k = 0; k < n; ++k) bad += batch[k].seq != got++;
      }
      s->received.store(bad == 0 ? got : 0);
    });
    PinTo(0);
    while (s->go.load() == 0) CpuRelax();
    Producer<Queue> out(&s->queue, nullptr);
    const auto start = Clock::now();
    Descriptor d{};
    for (std::uint64_t i = 0; i < count; ++i) {
      d.seq = i;
      while (!out.TryPush(d)) CpuRelax();
    }
    waitpid(consumer, nullptr, 0);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return shared->received.load() == count ? static_cast<double>(count) / seconds : 0.0;
  }

  // One-way latency of `samples` descriptors sent one at a time, `gap` apart.
  std::vector<double> Latency(std::uint64_t samples, bool sleeping, std::chrono::microseconds gap) {
    Reset();
    Shared* s = shared;
    std::vector<double> result;
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return result;
    const pid_t consumer = Child([&] {
      PinTo(1);
      Consumer<Queue> in(&s->queue);
      std::vector<double> lat;
      lat.reserve(samples);
      Descriptor d{};
      s->go.store(1);
      while (lat.size() < samples) {
        const bool got = sleeping ? in.PopFor(d, std::chrono::seconds(10), /*spin=*/0) : in.TryPop(d);
        if (!got) continue;
        lat.push_back(static_cast<double>(NowNs() - d.sent_ns) / 1000.0);
        s->received.fetch_add(1, std::memory_order_release);
      }
      (void)!write(pipe_fds[1], lat.data(), lat.size() * sizeof(double));
    });
    PinTo(0);
    while (s->go.load() == 0) CpuRelax();
    Producer<Queue> out(&s->queue, nullptr);
    for (std::uint64_t i = 0; i < samples; ++i) {
      const auto next = Clock::now() + gap;
      while (Clock::now() < next) {
        if (sleeping) std::this_thread::sleep_until(next);
      }
      Descriptor d{i, NowNs(), {}};
      while (!out.TryPush(d)) CpuRelax();
      while (s->received.load(std::memory_order_acquire) <= i) CpuRelax();
    }
    result.resize(samples);
    std::size_t bytes = 0;
    auto* dst = reinterpret_cast<char*>(result.data());
    while (bytes < samples * sizeof(double)) {
      const auto r = read(pipe_fds[0], dst + bytes, samples * sizeof(double) - bytes);
      if (r <= 0) break;
      bytes += static_cast<std::size_t>(r);
    }
    waitpid(consumer, nullptr, 0);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return result;
  }

  // Baseline for the wake-up: the same ping, one byte through a pipe, the
  // reader blocked in read(2). Shows the platform's cost of waking a
  // sleeping process on another core.
  std::vector<double> PipeLatency(std::uint64_t samples, std::chrono::microseconds gap) {
    int to_child[2], back[2];
    std::vector<double> result;
    if (pipe(to_child) != 0 || pipe(back) != 0) return result;
    const pid_t consumer = Child([&] {
      PinTo(1);
      std::int64_t sent = 0;
      for (std::uint64_t i = 0; i < samples; ++i) {
        if (read(to_child[0], &sent, sizeof(sent)) != sizeof(sent)) return;
        const double us = static_cast<double>(NowNs() - sent) / 1000.0;
        (void)!write(back[1], &us, sizeof(us));
      }
    });
    PinTo(0);
    for (std::uint64_t i = 0; i < samples; ++i) {
      std::this_thread::sleep_for(gap);
      const std::int64_t now = NowNs();
      (void)!write(to_child[1], &now, sizeof(now));
      double us = 0;
      if (read(back[0], &us, sizeof(us)) != sizeof(us)) break;
      result.push_back(us);
    }
    waitpid(consumer, nullptr, 0);
    for (int fd : {to_child[0], to_child[1], back[0], back[1]}) close(fd);
    return result;
  }

  // 64 KiB payloads: the child fills slabs and sends them, this process
  // reads every byte and releases the slab.
  double SlabMegabytesPerSecond(std::uint64_t messages) {
    Reset();
    Shared* s = shared;
    constexpr std::uint64_t kBytes = 64 * 1024;
    SlabPool::Create(slabs, 1, 16, kBytes);
    std::byte* region = slabs;
    const auto start = Clock::now();
    const pid_t owner = Child([&] {
      PinTo(1);
      SlabPool pool = SlabPool::Open(region);
      Producer<Queue> out(&s->queue, nullptr);
      for (std::uint64_t i = 0; i < messages; ++i) {
        const auto slab = pool.AcquireFor(0, std::chrono::seconds(10));
        if (!slab) return;
        std::memset(pool.Data(*slab), static_cast<int>(i & 0xff), kBytes);
        Descriptor d{i, 0, {*slab, kBytes}};
        out.PushFor(d, std::chrono::seconds(10));
      }
    });
    PinTo(0);
    SlabPool pool = SlabPool::Open(region);
    Consumer<Queue> in(&s->queue);
    std::uint64_t checksum = 0;
    for (std::uint64_t i = 0; i < messages; ++i) {
      Descriptor d{};
      if (!in.PopFor(d, std::chrono::seconds(10))) break;
      const auto* words = reinterpret_cast<const std::uint64_t*>(pool.Data(static_cast<std::uint32_t>(d.words[0])));
      for (std::uint64_t w = 0; w < kBytes / 8; ++w) checksum += words[w];
      pool.Release(static_cast<std::uint32_t>(d.words[0]));
    }
    waitpid(owner, nullptr, 0);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    volatile std::uint64_t sink = checksum;  // keeps the reads
    (void)sink;
    return static_cast<double>(messages * kBytes) / seconds / 1e6;
  }

  // This process sleeps on posted_event with `mask` as its CPUs; two
  // children pinned to cpus 0 and 1 compute and post every `period`.
  BusyWakeups Wakeups(bool follow, const CpuMask& mask, double seconds, std::chrono::microseconds period) {
    Reset();
    Shared* s = shared;
    s->affinity.follow.store(follow ? 1 : 0);
    mask.ApplyToThisThread();
    const pid_t sleeper = getpid();
    std::vector<pid_t> computers;
    for (int cpu = 0; cpu < 2; ++cpu) {
      computers.push_back(Child([&, cpu] {
        PinTo(cpu);
        volatile double x = 1;
        std::uint64_t units = 0;
        auto next = Clock::now() + period;
        while (s->stop.load(std::memory_order_relaxed) == 0) {
          for (int i = 0; i < 200; ++i) x = x * 1.0000001 + 1;  // one unit of work
          ++units;
          if (Clock::now() < next) continue;
          next += period;
          s->posted.fetch_add(1);
          if (s->posted_event.waiters() != 0) BindHere(s->affinity, sleeper);
          s->posted_event.Notify();
        }
        s->work.fetch_add(units);
      }));
    }
    std::uint64_t seen = 0, wakes = 0;
    const double cpu0 = ThreadCpuSeconds();
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
      if (s->posted_event.Wait([&] { return s->posted.load() != seen; }, std::chrono::milliseconds(20))) {
        seen = s->posted.load();
        ++wakes;
      }
    }
    const double cpu = ThreadCpuSeconds() - cpu0;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    s->stop.store(1);
    for (pid_t c : computers) waitpid(c, nullptr, 0);
    mask.ApplyToThisThread();
    BusyWakeups r;
    r.wakes_per_s = static_cast<double>(wakes) / elapsed;
    r.sleeper_cpu_pct = 100 * cpu / elapsed;
    r.sleeper_us_per_wake = wakes > 0 ? cpu / static_cast<double>(wakes) * 1e6 : 0;
    r.work_per_s = static_cast<double>(s->work.load()) / elapsed;
    return r;
  }

  double TryPushFullNs(std::uint64_t tries) {
    Reset();
    Producer<Queue> out(&shared->queue, nullptr);
    Descriptor d{};
    while (out.TryPush(d)) {
    }
    std::uint64_t failures = 0;
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < tries; ++i) failures += out.TryPush(d) ? 0 : 1;
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    return failures == tries ? ns / static_cast<double>(tries) : 0.0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Shared-memory queue, wake-up and slab benchmarks between two processes."};
  std::uint64_t descriptors = 20000000;
  std::uint64_t samples = 20000;
  bool json = false;
  app.add_option("--descriptors", descriptors, "Descriptors for the throughput run")->capture_default_str();
  app.add_option("--samples", samples, "Latency samples per mode")->capture_default_str();
  double wake_seconds = 3;
  int wake_period_us = 540;
  int wake_reps = 3;
  app.add_option("--wake-seconds", wake_seconds, "Seconds per wake-up run")->capture_default_str();
  app.add_option("--wake-period-us", wake_period_us, "How often each computer wakes the sleeper (us)")
      ->capture_default_str();
  app.add_option("--wake-reps", wake_reps, "Runs of each wake-up variant (alternated)")->capture_default_str();
  app.add_flag("--json", json, "Print one JSON object instead of a table");
  BP_BENCH_PARSE(app, argc, argv);
  const CpuMask start_mask = CpuMask::OfThisThread();

  Segment::RemoveStale();
  Bench bench;
  const double rate_single = bench.Throughput(descriptors, false);
  const double rate = bench.Throughput(descriptors, true);
  const auto spin = bench.Latency(samples, false, std::chrono::microseconds(20));
  const auto wake = bench.Latency(samples / 4, true, std::chrono::microseconds(500));
  const auto pipe_wake = bench.PipeLatency(samples / 4, std::chrono::microseconds(500));
  const double slab = bench.SlabMegabytesPerSecond(20000);
  const double full = bench.TryPushFullNs(10000000);
  // Both variants, alternated; the median of each measure.
  const bool two_cpus = start_mask.Contains(0) && start_mask.Contains(1);
  std::vector<BusyWakeups> runs[2];
  for (int rep = 0; two_cpus && rep < wake_reps; ++rep) {
    for (int follow = 0; follow < 2; ++follow) {
      runs[follow].push_back(
          bench.Wakeups(follow == 1, start_mask, wake_seconds, std::chrono::microseconds(wake_period_us)));
    }
  }
  auto median = [&](int follow, double BusyWakeups::*field) {
    std::vector<double> v;
    for (const auto& r : runs[follow]) v.push_back(r.*field);
    return v.empty() ? 0.0 : Percentile(v, 0.5);
  };

  nlohmann::json result = {{"descriptors_per_s", rate},
                           {"latency_spin_median_us", Percentile(spin, 0.5)},
                           {"latency_spin_p99_us", Percentile(spin, 0.99)},
                           {"latency_wake_median_us", Percentile(wake, 0.5)},
                           {"latency_wake_p99_us", Percentile(wake, 0.99)},
                           {"descriptors_per_s_single_pop", rate_single},
                           {"latency_pipe_wake_median_us", Percentile(pipe_wake, 0.5)},
                           {"slab_mb_per_s", slab},
                           {"try_push_full_ns", full}};
  for (int follow = 0; follow < 2 && two_cpus; ++follow) {
    const std::string v = follow ? "follow" : "free";
    result["busy_wakes_per_s_" + v] = median(follow, &BusyWakeups::wakes_per_s);
    result["busy_sleeper_cpu_pct_" + v] = median(follow, &BusyWakeups::sleeper_cpu_pct);
    result["busy_sleeper_us_per_wake_" + v] = median(follow, &BusyWakeups::sleeper_us_per_wake);
    result["busy_work_per_s_" + v] = median(follow, &BusyWakeups::work_per_s);
  }
  if (json) {
    fmt::print("{}\n", result.dump());
    return 0;
  }
  fmt::print("ipc_bench: 2 processes, 64-byte descriptors, producer on cpu 0, consumer on cpu 1\n");
  fmt::print("machine: {}\n", bp::bench::MachineDescription());
  fmt::print("{:<52} {:>12}\n", "measure", "value");
  fmt::print("{:<52} {:>12.0f}\n", "queue throughput, bulk pop (descriptors/s)", rate);
  fmt::print("{:<52} {:>12.0f}\n", "queue throughput, one pop at a time (descriptors/s)", rate_single);
  fmt::print("{:<52} {:>12.2f}\n", "latency, consumer spinning, median (us)", Percentile(spin, 0.5));
  fmt::print("{:<52} {:>12.2f}\n", "latency, consumer spinning, p99 (us)", Percentile(spin, 0.99));
  fmt::print("{:<52} {:>12.2f}\n", "latency, consumer asleep on wake-up, median (us)", Percentile(wake, 0.5));
  fmt::print("{:<52} {:>12.2f}\n", "latency, consumer asleep on wake-up, p99 (us)", Percentile(wake, 0.99));
  fmt::print("{:<52} {:>12.2f}\n", "baseline: pipe reader woken, median (us)",
             Percentile(pipe_wake, 0.5));
  fmt::print("{:<52} {:>12.2f}\n", "baseline: pipe reader woken, p99 (us)",
             Percentile(pipe_wake, 0.99));
  fmt::print("{:<52} {:>12.0f}\n", "slab round trip, 64 KiB payloads (MB/s)", slab);
  fmt::print("{:<52} {:>12.2f}\n", "try_push on a full queue (ns)", full);
  if (!two_cpus) {
    fmt::print("\nwake-ups while both CPUs compute: needs cpus 0 and 1\n");
    return 0;
  }
  fmt::print("\nwake-ups while both CPUs compute: computers on cpus 0 and 1 each wake the sleeper every {} us; "
             "{} x {} s per variant, medians\n",
             wake_period_us, wake_reps, wake_seconds);
  fmt::print("{:<8} {:>10} {:>16} {:>18} {:>16} {:>10}\n", "sleeper", "wakes/s", "sleeper cpu %", "sleeper us/wake",
             "work units/s", "work");
  const double base_work = median(0, &BusyWakeups::work_per_s);
  for (int follow = 0; follow < 2; ++follow) {
    const double work = median(follow, &BusyWakeups::work_per_s);
    fmt::print("{:<8} {:>10.0f} {:>16.1f} {:>18.1f} {:>16.0f} {:>9.3f}x\n", follow ? "follow" : "free",
               median(follow, &BusyWakeups::wakes_per_s), median(follow, &BusyWakeups::sleeper_cpu_pct),
               median(follow, &BusyWakeups::sleeper_us_per_wake), work, base_work > 0 ? work / base_work : 0.0);
  }
  return 0;
}
