// scaling_bench: how train_blueprint scales with workers on this machine, and
// how many workers the coordinator's single-writer apply could feed.
//
// Runs the real trainer on Leduc for --seconds with 1 worker, then with 2
// twice, the coordinator's wake-ups left to the kernel (run.coordinator_cpu:
// free) and bound to the waking worker's CPU (follow), in the same
// invocation, and reads their metrics.jsonl:
//   throughput    median iterations/s after a warm-up of 3 s
//   worker cpu    each worker's median cpu_pct after 3 s: the lowest of them
//   speedup_2v1   throughput(2) / throughput(1), with what run.coordinator_cpu:
//                 auto picks on this machine (follow when 2 workers fill it)
//   apply time    coordinator seconds spent applying, per batch (measured in
//                 the 2-worker run, so under real cache contention)
//   workers it can feed = batches/s the coordinator can apply /
//                         batches/s one worker produces (median after 3 s)
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/machine.h"
#include "base/memory.h"
#include "ipc/segment.h"
#include "trainer/checkpoint.h"
#include "trainer/median.h"
#include "trainer/metrics.h"
#include "trainer/run_dir.h"
#include "trainer/proc_stats.h"

namespace fs = std::filesystem;

namespace {

using bp::trainer::Median;

struct Result {
  int workers = 0;
  std::string coordinator_cpu;
  double iterations_per_s = 0;
  double apply_s_per_batch = 0;
  double batches_per_s_per_worker = 0;
  double lowest_worker_cpu = 0;  // the lowest of the workers' median cpu_pct
  double coordinator_cpu_pct = 0;
};

Result Measure(int workers, const std::string& coordinator_cpu, double seconds, const std::string& batch) {
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("bp-scaling-{}-{}-{}", ::getpid(), workers, coordinator_cpu);
  fs::remove_all(dir);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    const std::string w = std::to_string(workers), budget = fmt::format("{}s", seconds);
    ::execl(TRAIN_BLUEPRINT, TRAIN_BLUEPRINT, "--config", CONFIG_DIR "/leduc.yaml", "--num-workers", w.c_str(),
            "--time-budget", budget.c_str(), "--batch-size", batch.c_str(), "--logdir", dir.c_str(),
            "--checkpoint-interval", "off", "--set", "logging.exploitability_interval=0", "--set",
            ("run.coordinator_cpu=" + coordinator_cpu).c_str(), nullptr);
    ::_exit(127);
  }
  ::waitpid(pid, nullptr, 0);
  Result r;
  r.workers = workers;
  r.coordinator_cpu = coordinator_cpu;
  std::vector<double> rates, batch_rates, coordinator;
  std::vector<std::vector<double>> cpu(static_cast<std::size_t>(workers));
  std::ifstream in(bp::trainer::RunDir(dir).Metrics());
  nlohmann::json last, previous;
  for (std::string line; std::getline(in, line);) {
    const auto row = nlohmann::json::parse(line);
    if (row.value(bp::trainer::metrics::kFinal, false)) continue;
    previous = last;
    last = row;
    if (row[bp::trainer::metrics::kTime].get<double>() <= 3) continue;
    rates.push_back(row[bp::trainer::metrics::kIterationsPerS].get<double>());
    if (!previous.is_null() && row[bp::trainer::metrics::kTime].get<double>() > previous[bp::trainer::metrics::kTime].get<double>()) {
      batch_rates.push_back((row[bp::trainer::metrics::kBatchesApplied].get<double>() - previous[bp::trainer::metrics::kBatchesApplied].get<double>()) /
                            (row[bp::trainer::metrics::kTime].get<double>() - previous[bp::trainer::metrics::kTime].get<double>()));
    }
    for (std::size_t w = 0; w < cpu.size() && w < row[bp::trainer::metrics::kWorkers].size(); ++w) {
      cpu[w].push_back(row[bp::trainer::metrics::kWorkers][w][bp::trainer::metrics::kCpuPct].get<double>());
    }
    coordinator.push_back(row[bp::trainer::metrics::kCoordinatorCpuPct].get<double>());
  }
  r.iterations_per_s = Median(rates);
  r.lowest_worker_cpu = 100;
  for (const auto& c : cpu) r.lowest_worker_cpu = std::min(r.lowest_worker_cpu, Median(c));
  r.coordinator_cpu_pct = Median(coordinator);
  if (!last.is_null() && last[bp::trainer::metrics::kBatchesApplied].get<double>() > 0) {
    r.apply_s_per_batch = last[bp::trainer::metrics::kApplySeconds].get<double>() / last[bp::trainer::metrics::kBatchesApplied].get<double>();
  }
  if (!batch_rates.empty()) r.batches_per_s_per_worker = Median(batch_rates) / workers;
  fs::remove_all(dir);
  return r;
}

// What a checkpoint of a 1 GiB table costs: the copy of both tables from the
// shared segment into memory the coordinator set aside at start (the only
// part it waits for) and the write, done by a background thread meanwhile.
// The checkpoint memory set aside two ways, each followed by
// a fork (the workers): plainly (zero-filled, so copy-on-write after the
// fork: the copy faults on every page) and as the trainer does
// (base::AllocatePopulatedPrivate: populated, and kept from the children).
struct CheckpointCost {
  double copy_plain_s = -1;
  double copy_kept_s = -1;
  double write_s = -1;
};

CheckpointCost CheckpointGiB() {
  const std::size_t entries = (std::size_t{1} << 30) / 2 / sizeof(double);  // regrets + sums = 1 GiB
  bp::ipc::SegmentLayout layout;
  layout.Add("regrets", entries * sizeof(double));
  layout.Add("strategy", entries * sizeof(double));
  bp::ipc::Segment segment = bp::ipc::Segment::Create(bp::ipc::Segment::UniqueName(), layout);
  double* regrets = segment.RegionAs<double>("regrets");
  double* sums = segment.RegionAs<double>("strategy");
  std::fill_n(regrets, entries, 1.5);
  std::fill_n(sums, entries, 2.5);
  CheckpointCost cost;
  for (const bool kept : {false, true}) {
    bp::trainer::CheckpointData data;
    auto& data_regrets = data.Regrets<double>();
    if (kept) {
      bp::base::AllocatePopulatedPrivate(data_regrets, entries);
      bp::base::AllocatePopulatedPrivate(data.strategy_sum, entries);
    } else {
      data_regrets.assign(entries, 0.0);
      data.strategy_sum.assign(entries, 0.0);
    }
    const pid_t worker = ::fork();
    if (worker == 0) {
      ::pause();
      ::_exit(0);
    }
    const auto t0 = std::chrono::steady_clock::now();
    data_regrets.assign(regrets, regrets + entries);
    data.strategy_sum.assign(sums, sums + entries);
    const auto t1 = std::chrono::steady_clock::now();
    ::kill(worker, SIGKILL);
    ::waitpid(worker, nullptr, 0);
    (kept ? cost.copy_kept_s : cost.copy_plain_s) = std::chrono::duration<double>(t1 - t0).count();
    if (kept) {
      const fs::path path = fs::temp_directory_path() / fmt::format("bp-scaling-ckpt-{}.bin", ::getpid());
      bp::trainer::WriteCheckpoint(path, data);
      cost.write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      fs::remove(path);
    }
  }
  return cost;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Throughput of train_blueprint with 1 and 2 workers (the coordinator's wake-ups free and following), "
               "and the coordinator's apply capacity."};
  double seconds = 15;
  std::string batch = "1000";
  bool json = false, checkpoint = false;
  app.add_flag("--checkpoint", checkpoint, "Also time a checkpoint of a 1 GiB table (needs ~4 GiB of memory)");
  app.add_option("--seconds", seconds, "Run time per configuration")->capture_default_str();
  app.add_option("--batch-size", batch, "Iterations per batch")->capture_default_str();
  app.add_flag("--json", json, "Print one JSON object");
  CLI11_PARSE(app, argc, argv);

  const Result one = Measure(1, "auto", seconds, batch);
  const Result free = Measure(2, "free", seconds, batch);
  const Result follow = Measure(2, "follow", seconds, batch);
  const bool auto_follows = bp::trainer::AvailableCores() <= 2;  // run.coordinator_cpu: auto, 2 workers
  const Result& two = auto_follows ? follow : free;
  auto speedup_of = [&](const Result& r) { return one.iterations_per_s > 0 ? r.iterations_per_s / one.iterations_per_s : 0; };
  const double speedup = speedup_of(two);
  const double apply_capacity = two.apply_s_per_batch > 0 ? 1.0 / two.apply_s_per_batch : 0;
  const double can_feed = one.batches_per_s_per_worker > 0 ? apply_capacity / one.batches_per_s_per_worker : 0;
  const CheckpointCost ckpt = checkpoint ? CheckpointGiB() : CheckpointCost{};
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"speedup_2v1", speedup},
                                      {"workers_it_can_feed", can_feed},
                                      {"iterations_per_s_1", one.iterations_per_s},
                                      {"iterations_per_s_2", two.iterations_per_s},
                                      {"apply_us_per_batch", two.apply_s_per_batch * 1e6},
                                      {"coordinator_cpu_2", two.coordinator_cpu},
                                      {"speedup_2v1_free", speedup_of(free)},
                                      {"speedup_2v1_follow", speedup_of(follow)},
                                      {"lowest_worker_cpu_pct_2_free", free.lowest_worker_cpu},
                                      {"lowest_worker_cpu_pct_2_follow", follow.lowest_worker_cpu},
                                      {"coordinator_cpu_pct_2_free", free.coordinator_cpu_pct},
                                      {"coordinator_cpu_pct_2_follow", follow.coordinator_cpu_pct},
                                      {"checkpoint_1gib_copy_s", ckpt.copy_kept_s},
                                      {"checkpoint_1gib_copy_plain_s", ckpt.copy_plain_s},
                                      {"checkpoint_1gib_write_s", ckpt.write_s}}
                           .dump());
    return 0;
  }
  fmt::print("scaling_bench: train_blueprint on Leduc, batch {} iterations, {} s per run, medians after 3 s\n", batch,
             seconds);
  fmt::print("machine: {}\n", bp::bench::MachineDescription());
  fmt::print("{:>8} {:>16} {:>14} {:>9} {:>18} {:>16} {:>16} {:>15}\n", "workers", "coordinator_cpu", "iterations/s",
             "vs 1", "lowest worker cpu", "coordinator cpu", "batches/s/worker", "apply us/batch");
  for (const Result* r : {&one, &free, &follow}) {
    fmt::print("{:>8} {:>16} {:>14.0f} {:>8.2f}x {:>17.0f}% {:>15.0f}% {:>16.0f} {:>15.1f}\n", r->workers,
               r->coordinator_cpu, r->iterations_per_s, speedup_of(*r), r->lowest_worker_cpu, r->coordinator_cpu_pct,
               r->batches_per_s_per_worker, r->apply_s_per_batch * 1e6);
  }
  fmt::print("speedup 2 vs 1 worker (run.coordinator_cpu: auto picks {} here): {:.2f}x\n", two.coordinator_cpu, speedup);
  fmt::print("coordinator apply capacity: {:.0f} batches/s; one worker produces {:.0f}: workers it can feed: {:.1f}\n",
             apply_capacity, one.batches_per_s_per_worker, can_feed);
  if (checkpoint) {
    fmt::print("checkpoint of a 1 GiB table in shared memory, after a fork: tables copied in {:.2f} s into memory set aside "
               "plainly (copy-on-write), {:.2f} s into populated memory kept from the children (the trainer's; the "
               "coordinator pauses this long), write {:.2f} s (background)\n",
               ckpt.copy_plain_s, ckpt.copy_kept_s, ckpt.write_s);
  }
  return 0;
}
