// nlhe_bench: no-limit hold'em training speed on this machine.
//
// For each config (hunl_quick, hunl_200bb) and 1 and 2 workers, runs the
// real train_blueprint for --seconds and reads its metrics.jsonl and
// train.log:
//   iterations/s per worker   median after a warm-up of 3 s, divided by workers
//   nodes/s                   iterations/s x decision nodes visited per
//                             iteration (counted in-process on the same game,
//                             seed and sampling, over --count-iterations)
//   bytes per infoset-action  the shared segment (tables and delta slabs) /
//                             table entries
//   worker anon RSS           a worker's anonymous resident memory (its
//                             deltas, and copy-on-write pages of the bucket
//                             table it reads), median after warm-up
//   miss latency    this machine's latency of a random dependent load over
//                   a table the size of the config's regrets (a pointer
//                   chase through every cache line of it, in a random
//                   cycle), and the node rate per worker that would follow
//                   if each decision node cost one such miss
//   vs bound        nodes/s per worker / that rate
// The configs' bucket files must exist (build_buckets makes them).
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "abstraction/nlhe_game.h"
#include "bench/machine.h"
#include "solver/external_sampling.h"
#include "solver/rng.h"
#include "solver/table_access.h"
#include "solver/table_layout.h"
#include "solver/tables.h"
#include "trainer/config.h"
#include "trainer/game_registry.h"
#include "trainer/median.h"
#include "trainer/metrics.h"
#include "trainer/run_dir.h"

namespace fs = std::filesystem;
using namespace bp;

namespace {

using bp::trainer::Median;

// Direct table access that counts the decision nodes a traversal visits
// (each reads its regrets once).
template <class Regret>
class CountingAccess {
 public:
  CountingAccess(solver::BasicTableView<Regret> tables, std::uint64_t* visits) : direct_(tables), visits_(visits) {}
  template <int kN = 0>
  void Regrets(std::uint64_t base, int n, double* out) {
    ++*visits_;
    direct_.template Regrets<kN>(base, n, out);
  }
  template <int kN = 0>
  void AddRegrets(std::uint64_t base, int n, const double* delta) {
    direct_.template AddRegrets<kN>(base, n, delta);
  }
  template <int kN = 0>
  void AddStrategy(std::uint64_t base, int n, const double* sigma) {
    direct_.template AddStrategy<kN>(base, n, sigma);
  }
  void Prefetch(std::uint64_t base) const { direct_.Prefetch(base); }

 private:
  solver::BasicDirectAccess<Regret> direct_;
  std::uint64_t* visits_;
};

// Nanoseconds per dependent load over `bytes` of memory: a random cycle
// through all its 64-byte lines (Sattolo's shuffle), chased for about
// `loads` steps after one warm-up lap of up to as many.
double MissLatencyNs(std::uint64_t bytes, std::uint64_t loads = 20000000) {
  constexpr std::uint64_t kLine = 64 / sizeof(std::uint64_t);
  const std::uint64_t lines = std::max<std::uint64_t>(bytes / 64, 2);
  std::vector<std::uint64_t> memory(lines * kLine);
  std::vector<std::uint32_t> order(lines);
  for (std::uint64_t i = 0; i < lines; ++i) order[i] = static_cast<std::uint32_t>(i);
  solver::Rng rng(7);
  for (std::uint64_t i = lines - 1; i > 0; --i) std::swap(order[i], order[rng.UniformBelow(static_cast<std::uint32_t>(i))]);
  for (std::uint64_t i = 0; i < lines; ++i) memory[order[i] * kLine] = order[(i + 1) % lines] * kLine;
  std::uint64_t at = 0;
  for (std::uint64_t i = 0; i < std::min(lines, loads); ++i) at = memory[at];
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < loads; ++i) at = memory[at];
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  if (at == ~std::uint64_t{0}) std::fprintf(stderr, "unreachable\n");  // keeps the chase
  return ns / static_cast<double>(loads);
}

struct Row {
  std::string config;
  int workers = 0;
  double miss_ns = 0;
  double regret_mib = 0;
  double iterations_per_s = 0;
  double nodes_per_s = 0;
  double bytes_per_infoset_action = 0;
  double median_worker_cpu = 0;
  double worker_anon_mib = 0;
};

struct Counted {
  double nodes_per_iteration;
  std::uint64_t entries;
  std::uint64_t regret_bytes;
};

// Decision nodes visited per iteration, table entries and regret bytes of a config.
Counted NodesPerIteration(const std::string& config_path, std::uint64_t iterations) {
  const trainer::Config config = trainer::LoadConfig(config_path, {});
  if (config.game.name != trainer::GameName::kNlhe) {
    throw std::runtime_error(config_path + ": nlhe_bench measures nlhe configs");
  }
  return trainer::WithGame(config, {}, [&](const auto& game) {
    using G = std::decay_t<decltype(game)>;
    const solver::TableLayout layout(game);
    solver::BasicTables<solver::RegretOf<G>> tables(layout.num_entries());
    std::uint64_t visits = 0;
    solver::ExternalSampling<G, CountingAccess<solver::RegretOf<G>>> es(
        game, layout, CountingAccess<solver::RegretOf<G>>(tables.View(), &visits), 1);
    es.Iterate(iterations);
    return Counted{static_cast<double>(visits) / static_cast<double>(iterations), layout.num_entries(),
                   layout.num_entries() * sizeof(solver::RegretOf<G>)};
  });
}

Row Measure(const std::string& name, const std::string& config_path, int workers, double seconds,
            double nodes_per_iteration, std::uint64_t entries) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("bp-nlhe-bench-{}-{}-{}", ::getpid(), name, workers);
  fs::remove_all(dir);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    const std::string w = std::to_string(workers), budget = fmt::format("{}s", seconds);
    ::execl(TRAIN_BLUEPRINT, TRAIN_BLUEPRINT, "--config", config_path.c_str(), "--num-workers", w.c_str(),
            "--time-budget", budget.c_str(), "--logdir", dir.c_str(), "--checkpoint-interval", "off", nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(fmt::format("train_blueprint failed on {} with {} workers (see {})", config_path, workers,
                                         bp::trainer::RunDir(dir).Log().string()));
  }
  Row r{name, workers};
  std::vector<double> rates, cpu, anon;
  std::ifstream in(bp::trainer::RunDir(dir).Metrics());
  for (std::string line; std::getline(in, line);) {
    const auto row = nlohmann::json::parse(line);
    if (row.value(bp::trainer::metrics::kFinal, false) || row[bp::trainer::metrics::kTime].get<double>() <= 3) continue;
    rates.push_back(row[bp::trainer::metrics::kIterationsPerS].get<double>());
    double held = 0;
    for (const auto& wk : row[bp::trainer::metrics::kWorkers]) {
      cpu.push_back(wk[bp::trainer::metrics::kCpuPct].get<double>());
      held += wk.value(bp::trainer::metrics::kAnonRssBytes, 0.0);
    }
    anon.push_back(held);
  }
  r.iterations_per_s = Median(rates);
  r.nodes_per_s = r.iterations_per_s * nodes_per_iteration;
  r.median_worker_cpu = Median(cpu);
  std::ifstream log(bp::trainer::RunDir(dir).Log());
  const std::regex segment(R"(shared segment \S+: ([0-9.]+) MiB)");
  for (std::string line; std::getline(log, line);) {
    std::smatch m;
    if (std::regex_search(line, m, segment)) r.bytes_per_infoset_action = std::stod(m[1]) * 1048576.0 / static_cast<double>(entries);
  }
  r.worker_anon_mib = Median(anon) / 1048576.0 / workers;
  fs::remove_all(dir);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"No-limit hold'em training speed: iterations/s per worker, nodes/s, bytes per infoset-action."};
  double seconds = 20;
  std::uint64_t count_iterations = 100000;
  std::vector<std::string> configs = {"hunl_quick", "hunl_200bb"};
  std::vector<int> worker_counts = {1, 2};
  bool json = false;
  app.add_option("--seconds", seconds, "Run time per configuration and worker count")->capture_default_str();
  app.add_option("--count-iterations", count_iterations, "Serial iterations to count nodes per iteration")
      ->capture_default_str();
  app.add_option("--configs", configs, "Configs under configs/ (without .yaml)")->capture_default_str();
  app.add_option("--workers", worker_counts, "Worker counts to run")->delimiter(',')->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_flag("--json", json, "One JSON object per line");
  BP_BENCH_PARSE(app, argc, argv);
  try {
    std::vector<Row> rows;
    for (const std::string& name : configs) {
      const std::string path = std::string(CONFIG_DIR) + "/" + name + ".yaml";
      const Counted counted = NodesPerIteration(path, count_iterations);
      const double miss_ns = MissLatencyNs(counted.regret_bytes);
      for (int workers : worker_counts) {
        rows.push_back(Measure(name, path, workers, seconds, counted.nodes_per_iteration, counted.entries));
        rows.back().miss_ns = miss_ns;
        rows.back().regret_mib = static_cast<double>(counted.regret_bytes) / 1048576.0;
      }
    }
    if (json) {
      for (const Row& r : rows) {
        fmt::print("{}\n", nlohmann::json{{"config", r.config},
                                          {"workers", r.workers},
                                          {"iterations_per_s", r.iterations_per_s},
                                          {"nodes_per_s", r.nodes_per_s},
                                          {"regret_mib", r.regret_mib},
                                          {"miss_ns", r.miss_ns},
                                          {"bound_nodes_per_s_per_worker", 1e9 / r.miss_ns},
                                          {"vs_bound", r.nodes_per_s / r.workers / (1e9 / r.miss_ns)},
                                          {"bytes_per_infoset_action", r.bytes_per_infoset_action}}
                               .dump());
      }
      return 0;
    }
    fmt::print("nlhe_bench: train_blueprint, {} s per run, medians after 3 s; bound: one dependent miss per decision node "
               "over a table of the regrets' size; vs bound = nodes/s per worker / bound\n",
               seconds);
    fmt::print("machine: {}\n", bench::MachineDescription());
    fmt::print("{:<12} {:>8} {:>14} {:>16} {:>14} {:>12} {:>19} {:>18} {:>11} {:>9} {:>18} {:>9}\n", "config", "workers",
               "iterations/s", "it/s per worker", "nodes/s", "worker cpu", "worker anon RSS MiB", "bytes/infoset-act",
               "regret MiB", "miss ns", "bound nodes/s/wkr", "vs bound");
    for (const Row& r : rows) {
      const double bound = 1e9 / r.miss_ns;
      fmt::print("{:<12} {:>8} {:>14.0f} {:>16.0f} {:>14.0f} {:>11.0f}% {:>19.1f} {:>18.1f} {:>11.1f} {:>9.1f} {:>18.0f} {:>8.2f}x\n",
                 r.config, r.workers, r.iterations_per_s, r.iterations_per_s / r.workers, r.nodes_per_s,
                 r.median_worker_cpu, r.worker_anon_mib, r.bytes_per_infoset_action, r.regret_mib, r.miss_ns, bound,
                 r.nodes_per_s / r.workers / bound);
    }

  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
