// scaling_bench: how train_blueprint scales with workers on this machine, and
// how many workers the coordinator's single-writer apply could feed.
//
// Runs the real trainer on --config (Leduc by default) for --seconds once per
// entry of --workers (1,2 by default; e.g. 1,2,4,8,15), in the same
// invocation, and reads each run's metrics.jsonl. Per worker count:
//   iterations/s    median after a warm-up of 3 s
//   speedup         iterations/s / that of the first count, and its
//                   efficiency (speedup per added worker ratio)
//   worker cpu      each worker's median cpu_pct after 3 s: the median over
//                   the workers and the lowest
//   coordinator cpu the coordinator's median cpu_pct
//   apply busy      the share of wall time the coordinator spent applying
//   apply us/batch  coordinator seconds applying per batch
// and, from the largest count's apply time (measured under real contention):
//   workers it can feed = batches/s the coordinator can apply /
//                         batches/s one worker produces (median after 3 s)
// --coordinator-cpu free,follow runs each count above 1 once per setting
// (run.coordinator_cpu), side by side. A count above the machine's cores is
// run, and marked oversubscribed. A no-limit config needs its bucket file.
// train_blueprint is the one next to this binary (a build tree's or a
// bundle's), or --train-blueprint.
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
#include <sstream>
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
  double apply_busy = 0;  // apply seconds / wall seconds
  double batches_per_s_per_worker = 0;
  double median_worker_cpu = 0;  // the median over workers of their median cpu_pct
  double lowest_worker_cpu = 0;  // the lowest of the workers' median cpu_pct
  double coordinator_cpu_pct = 0;
  bool ok = false;
  std::string error;
};

struct Setup {
  std::string train_blueprint;
  std::string config;
  double seconds = 15;
  std::string batch = "1000";
  std::vector<std::string> sets;  // extra --set KEY=VALUE
};

Result Measure(const Setup& setup, int workers, const std::string& coordinator_cpu) {
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("bp-scaling-{}-{}-{}", ::getpid(), workers, coordinator_cpu);
  fs::remove_all(dir);
  const fs::path log = fs::temp_directory_path() / fmt::format("bp-scaling-{}.log", ::getpid());
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen(log.c_str(), "w", stderr);
    std::vector<std::string> args{setup.train_blueprint, "--config", setup.config, "--num-workers",
                                  std::to_string(workers), "--time-budget", fmt::format("{}s", setup.seconds),
                                  "--batch-size", setup.batch, "--logdir", dir.string(), "--checkpoint-interval",
                                  "off", "--set", "run.coordinator_cpu=" + coordinator_cpu};
    for (const std::string& kv : setup.sets) {
      args.push_back("--set");
      args.push_back(kv);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(setup.train_blueprint.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  Result r;
  r.workers = workers;
  r.coordinator_cpu = coordinator_cpu;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream err(log);
    std::string line, last_line;
    while (std::getline(err, line)) {
      if (!line.empty()) last_line = line;
    }
    r.error = fmt::format("train_blueprint exited with {}: {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1, last_line);
    fs::remove_all(dir);
    fs::remove(log);
    return r;
  }
  fs::remove(log);
  namespace m = bp::trainer::metrics;
  std::vector<double> rates, batch_rates, coordinator;
  std::vector<std::vector<double>> cpu(static_cast<std::size_t>(workers));
  std::ifstream in(bp::trainer::RunDir(dir).Metrics());
  nlohmann::json last, previous, first_after_warmup;
  for (std::string line; std::getline(in, line);) {
    const auto row = nlohmann::json::parse(line);
    if (row.value(m::kFinal, false)) continue;
    previous = last;
    last = row;
    if (row[m::kTime].get<double>() <= 3) continue;
    if (first_after_warmup.is_null()) first_after_warmup = previous.is_null() ? row : previous;
    rates.push_back(row[m::kIterationsPerS].get<double>());
    if (!previous.is_null() && row[m::kTime].get<double>() > previous[m::kTime].get<double>()) {
      batch_rates.push_back((row[m::kBatchesApplied].get<double>() - previous[m::kBatchesApplied].get<double>()) /
                            (row[m::kTime].get<double>() - previous[m::kTime].get<double>()));
    }
    for (std::size_t w = 0; w < cpu.size() && w < row[m::kWorkers].size(); ++w) {
      cpu[w].push_back(row[m::kWorkers][w][m::kCpuPct].get<double>());
    }
    coordinator.push_back(row[m::kCoordinatorCpuPct].get<double>());
  }
  if (rates.empty()) {
    r.error = "no metrics after the 3 s warm-up (use more --seconds)";
    fs::remove_all(dir);
    return r;
  }
  r.ok = true;
  r.iterations_per_s = Median(rates);
  std::vector<double> worker_medians;
  for (const auto& c : cpu) {
    if (!c.empty()) worker_medians.push_back(Median(c));
  }
  r.lowest_worker_cpu = worker_medians.empty() ? 0 : *std::min_element(worker_medians.begin(), worker_medians.end());
  r.median_worker_cpu = worker_medians.empty() ? 0 : Median(worker_medians);
  r.coordinator_cpu_pct = Median(coordinator);
  if (last[m::kBatchesApplied].get<double>() > 0) {
    r.apply_s_per_batch = last[m::kApplySeconds].get<double>() / last[m::kBatchesApplied].get<double>();
  }
  const double span = last[m::kTime].get<double>() - first_after_warmup[m::kTime].get<double>();
  if (span > 0) {
    r.apply_busy = (last[m::kApplySeconds].get<double>() - first_after_warmup[m::kApplySeconds].get<double>()) / span;
  }
  if (!batch_rates.empty()) r.batches_per_s_per_worker = Median(batch_rates) / workers;
  fs::remove_all(dir);
  return r;
}

std::vector<int> ParseWorkers(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    std::size_t used = 0;
    int w = 0;
    try {
      w = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || w < 1 || w > 1024) {
      throw CLI::ValidationError("--workers", fmt::format("expected worker counts 1..1024 separated by commas, found '{}'", item));
    }
    out.push_back(w);
  }
  if (out.empty()) throw CLI::ValidationError("--workers", "expected at least one worker count");
  return out;
}

// The folder of this executable, if /proc tells it.
fs::path SelfDir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

// train_blueprint next to this executable (a bundle's bin/), or in the build folder above bench/.
std::string FindTrainBlueprint() {
  const fs::path dir = SelfDir();
  for (const fs::path& p : {dir / "train_blueprint", dir / ".." / "train_blueprint"}) {
    if (!dir.empty() && fs::exists(p)) return p.lexically_normal().string();
  }
  return TRAIN_BLUEPRINT;
}

// configs/leduc.yaml beside a bundle's bin/, else the source tree's.
std::string DefaultConfig() {
  const fs::path bundled = SelfDir() / ".." / "configs" / "leduc.yaml";
  if (!SelfDir().empty() && fs::exists(bundled)) return bundled.lexically_normal().string();
  return CONFIG_DIR "/leduc.yaml";
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
  CLI::App app{"Throughput of train_blueprint over a list of worker counts, per-worker and coordinator CPU, "
               "and how many workers the coordinator's apply could feed."};
  Setup setup;
  setup.config = DefaultConfig();
  setup.train_blueprint = FindTrainBlueprint();
  std::string workers_text = "1,2";
  std::string coordinator_cpus = "auto";
  bool json = false, checkpoint = false;
  app.add_option("--config", setup.config, "The training config (YAML)")->capture_default_str();
  app.add_option("--workers", workers_text, "Worker counts to run, separated by commas, e.g. 1,2,4,8,16")
      ->capture_default_str();
  app.add_option("--coordinator-cpu", coordinator_cpus,
                 "run.coordinator_cpu settings to run each count above 1 with, separated by commas (auto, free, follow)")
      ->capture_default_str();
  app.add_option("--seconds", setup.seconds, "Run time per worker count")->capture_default_str()->check(CLI::Range(4.0, 86400.0));
  app.add_option("--batch-size", setup.batch, "Iterations per batch")->capture_default_str();
  app.add_option("--set", setup.sets, "Extra config override KEY=VALUE for every run (repeatable)");
  app.add_option("--train-blueprint", setup.train_blueprint, "The trainer to run")->capture_default_str();
  app.add_flag("--checkpoint", checkpoint, "Also time a checkpoint of a 1 GiB table (needs ~4 GiB of memory)");
  app.add_flag("--json", json, "Print one JSON object");
  std::vector<int> counts;
  std::vector<std::string> cpus;
  try {
    app.parse(argc, argv);
    counts = ParseWorkers(workers_text);
    std::stringstream in(coordinator_cpus);
    for (std::string c; std::getline(in, c, ',');) {
      if (c != "auto" && c != "free" && c != "follow") {
        throw CLI::ValidationError("--coordinator-cpu", fmt::format("expected auto, free or follow, found '{}'", c));
      }
      cpus.push_back(c);
    }
    if (cpus.empty()) throw CLI::ValidationError("--coordinator-cpu", "expected at least one setting");
    if (!fs::exists(setup.config)) throw CLI::ValidationError("--config", "no such file: " + setup.config);
    if (::access(setup.train_blueprint.c_str(), X_OK) != 0) {
      throw CLI::ValidationError("--train-blueprint", "not an executable: " + setup.train_blueprint);
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help: 0; a usage error: 2
  }

  const int cores = bp::trainer::AvailableCores();
  std::vector<Result> results;
  for (int w : counts) {
    for (const std::string& c : cpus) {
      if (w == 1 && c != cpus.front()) continue;  // the setting matters only with several workers
      if (!json) {
        std::fprintf(stderr, "scaling_bench: %d worker%s, run.coordinator_cpu %s, %.0f s ...\n", w, w == 1 ? "" : "s",
                     c.c_str(), setup.seconds);
      }
      results.push_back(Measure(setup, w, c));
      if (!results.back().ok) {
        std::fprintf(stderr, "scaling_bench: %d workers: %s\n", w, results.back().error.c_str());
        return 1;
      }
    }
  }
  const Result& base = results.front();
  auto speedup_of = [&](const Result& r) { return base.iterations_per_s > 0 ? r.iterations_per_s / base.iterations_per_s : 0; };
  // The apply capacity under the most contention: the largest count's run.
  const Result& widest = *std::max_element(results.begin(), results.end(),
                                           [](const Result& a, const Result& b) { return a.workers < b.workers; });
  const Result* one = nullptr;
  for (const Result& r : results) {
    if (r.workers == 1) one = &r;
  }
  const double per_worker_batches = one ? one->batches_per_s_per_worker : base.batches_per_s_per_worker;
  const double apply_capacity = widest.apply_s_per_batch > 0 ? 1.0 / widest.apply_s_per_batch : 0;
  const double can_feed = per_worker_batches > 0 ? apply_capacity / per_worker_batches : 0;
  const CheckpointCost ckpt = checkpoint ? CheckpointGiB() : CheckpointCost{};
  if (json) {
    nlohmann::json runs = nlohmann::json::array();
    for (const Result& r : results) {
      runs.push_back({{"workers", r.workers},
                      {"coordinator_cpu", r.coordinator_cpu},
                      {"iterations_per_s", r.iterations_per_s},
                      {"speedup", speedup_of(r)},
                      {"median_worker_cpu_pct", r.median_worker_cpu},
                      {"lowest_worker_cpu_pct", r.lowest_worker_cpu},
                      {"coordinator_cpu_pct", r.coordinator_cpu_pct},
                      {"apply_busy", r.apply_busy},
                      {"apply_us_per_batch", r.apply_s_per_batch * 1e6},
                      {"batches_per_s_per_worker", r.batches_per_s_per_worker},
                      {"oversubscribed", r.workers > cores}});
    }
    nlohmann::json out{{"config", setup.config},
                       {"machine", bp::bench::MachineDescription()},
                       {"cores", cores},
                       {"runs", runs},
                       {"workers_it_can_feed", can_feed}};
    if (checkpoint) {
      out["checkpoint_1gib_copy_s"] = ckpt.copy_kept_s;
      out["checkpoint_1gib_copy_plain_s"] = ckpt.copy_plain_s;
      out["checkpoint_1gib_write_s"] = ckpt.write_s;
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("scaling_bench: train_blueprint on {}, batch {} iterations, {} s per run, medians after 3 s\n", setup.config,
             setup.batch, setup.seconds);
  fmt::print("machine: {}\n", bp::bench::MachineDescription());
  fmt::print("{:>8} {:>16} {:>14} {:>9} {:>10} {:>12} {:>12} {:>12} {:>11} {:>16} {:>15}\n", "workers", "coordinator_cpu",
             "iterations/s", "speedup", "per worker", "worker cpu", "lowest cpu", "coord cpu", "apply busy",
             "batches/s/worker", "apply us/batch");
  for (const Result& r : results) {
    const double speedup = speedup_of(r);
    fmt::print("{:>8} {:>16} {:>14.0f} {:>8.2f}x {:>9.2f}x {:>11.0f}% {:>11.0f}% {:>11.0f}% {:>10.0f}% {:>16.0f} {:>15.1f}{}\n",
               r.workers, r.coordinator_cpu, r.iterations_per_s, speedup, speedup * base.workers / r.workers,
               r.median_worker_cpu, r.lowest_worker_cpu, r.coordinator_cpu_pct, 100 * r.apply_busy,
               r.batches_per_s_per_worker, r.apply_s_per_batch * 1e6,
               r.workers > cores ? fmt::format("  (oversubscribed: {} cores)", cores) : "");
  }
  fmt::print("speedup is against {} worker{}; per worker = speedup x {} / workers\n", base.workers,
             base.workers == 1 ? "" : "s", base.workers);
  fmt::print("coordinator apply capacity ({} workers): {:.0f} batches/s; one worker produces {:.0f}: workers it can feed: {:.1f}\n",
             widest.workers, apply_capacity, per_worker_batches, can_feed);
  if (checkpoint) {
    fmt::print("checkpoint of a 1 GiB table in shared memory, after a fork: tables copied in {:.2f} s into memory set aside "
               "plainly (copy-on-write), {:.2f} s into populated memory kept from the children (the trainer's; the "
               "coordinator pauses this long), write {:.2f} s (background)\n",
               ckpt.copy_plain_s, ckpt.copy_kept_s, ckpt.write_s);
  }
  return 0;
}
