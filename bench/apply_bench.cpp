// apply_bench: the coordinator's apply of a batch's deltas (solver::
// ApplyDeltas) under the conditions of a run, two ways side by side:
//   plain      record after record, with a short fixed prefetch of the slab
//              (the trainer's first design);
//   lookahead  ApplyDeltas: a cursor 64 records ahead asks for the
//              destination lines writable and for the slab early.
// Slabs are real batches (external sampling with DeltaAccess on Leduc or an
// NLHE config). A second thread plays the workers: before each apply it
// rewrites the slab on its own core, and it reads regrets at random places
// all along, so that the applying thread meets lines held by another core
// as in a run. Reports microseconds per batch (medians of --reps) and per
// entry.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "trainer/game_registry.h"
#include "bench/machine.h"
#include "solver/external_sampling.h"
#include "solver/table_access.h"
#include "solver/table_layout.h"
#include "solver/tables.h"
#include "trainer/config.h"
#include "trainer/median.h"
#include "trainer/worker.h"

using namespace bp;
using Clock = std::chrono::steady_clock;

namespace {

std::atomic<double> sink{0};  // keeps the reader's loads

// The first design, kept here as the baseline.
template <class R>
bool PlainApply(std::span<const std::byte> bytes, solver::BasicTableView<R> tables, double regret_floor) {
  const R floor = solver::RegretCodec<R>::Floor(regret_floor);
  const std::byte* p = bytes.data();
  const std::byte* end = p + bytes.size();
  while (p < end) {
    __builtin_prefetch(p + 512);
    std::uint64_t header;
    std::memcpy(&header, p, sizeof(header));
    p += sizeof(header);
    const std::uint64_t base = header >> 8;
    const int n = static_cast<int>(header & 0xff);
    if (n < 1 || n > 16 || base + n > tables.regrets.size()) return false;
    for (int a = 0; a < n; ++a) {
      solver::DeltaPair d;
      std::memcpy(&d, p, sizeof(d));
      p += sizeof(d);
      std::atomic_ref<R> r(tables.regrets[base + a]);
      r.store(solver::RegretCodec<R>::Add(r.load(std::memory_order_relaxed), d.regret, floor),
              std::memory_order_relaxed);
      if (base + a < tables.strategy_sum.size()) tables.strategy_sum[base + a] += d.strategy;
    }
  }
  return true;
}

void Pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core % std::max(1u, std::thread::hardware_concurrency()), &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct Row {
  std::string config;
  double entries_per_batch = 0;
  double plain_us = 0, lookahead_us = 0;
};

template <class G>
Row Measure(const std::string& name, const G& game, const trainer::Config& config, int batches, int reps) {
  using R = solver::RegretOf<G>;
  const solver::TableLayout layout(game);
  const int streets = game.NumStreets();
  const solver::SamplingOptions options = config.solver.SamplingOptionsFor(streets);
  const std::uint64_t strategy_entries = layout.street_end(std::min(options.average_streets, streets) - 1);
  solver::BasicTables<R> tables(layout.num_entries(), strategy_entries);
  // Real batches, each kept as a pristine copy.
  std::vector<std::vector<std::byte>> pristine;
  std::uint64_t entries = 0;
  {
    solver::ExternalSampling<G, solver::BasicDeltaAccess<R>> es(
        game, layout, solver::BasicDeltaAccess<R>(tables.regrets().data(), layout.num_entries(), strategy_entries), 1,
        options);
    for (int b = 0; b < batches; ++b) {
      es.Iterate(config.run.batch_size);
      std::vector<std::byte> slab(es.access().EmitBytes());
      es.access().EmitAndClear(slab.data());
      for (std::size_t at = 0; at < slab.size();) {
        std::uint64_t h;
        std::memcpy(&h, slab.data() + at, sizeof(h));
        entries += h & 0xff;
        at += sizeof(h) + (h & 0xff) * sizeof(solver::DeltaPair);
      }
      pristine.push_back(std::move(slab));
    }
  }
  std::vector<std::byte> slab;
  std::atomic<int> turn{0};  // 0: the worker thread prepares, 1: the applying thread applies, 2: stop
  std::size_t next = 0;
  std::thread worker([&] {
    Pin(1);
    const R* regrets = tables.regrets().data();
    const std::uint64_t entries_in_table = layout.num_entries();
    std::uint64_t state = 12345;
    double local = 0;
    while (true) {
      while (turn.load(std::memory_order_acquire) == 1) {
        // Read regrets at random places at about a traversal's pace (Leduc:
        // one regret read every 10 to 20 ns; the random-number steps stand
        // for the traversal's own work).
        for (int i = 0; i < 64; ++i) {
          for (int work = 0; work < 12; ++work) state = state * 6364136223846793005ULL + 1442695040888963407ULL;
          local += static_cast<double>(
              std::atomic_ref<const R>(regrets[(state >> 33) % entries_in_table]).load(std::memory_order_relaxed));
        }
      }
      if (turn.load(std::memory_order_acquire) == 2) {
        sink.store(local);
        return;
      }
      slab.assign(pristine[next].begin(), pristine[next].end());  // written on this core
      turn.store(1, std::memory_order_release);
    }
  });
  Pin(0);
  std::vector<double> plain, lookahead;
  for (int rep = 0; rep < reps; ++rep) {
    for (int variant = 0; variant < 2; ++variant) {
      double seconds = 0;
      for (std::size_t b = 0; b < pristine.size(); ++b) {
        while (turn.load(std::memory_order_acquire) != 1) {
        }
        const auto t0 = Clock::now();
        const bool ok = variant == 0 ? PlainApply<R>(slab, tables.View(), config.solver.regret_floor)
                                     : solver::ApplyDeltas<R>(slab, tables.View(), config.solver.regret_floor);
        seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        if (!ok) throw std::runtime_error("malformed slab");
        next = (b + 1) % pristine.size();
        turn.store(0, std::memory_order_release);
      }
      (variant == 0 ? plain : lookahead).push_back(seconds / static_cast<double>(pristine.size()) * 1e6);
    }
  }
  while (turn.load(std::memory_order_acquire) != 1) {
  }
  turn.store(2, std::memory_order_release);
  worker.join();
  return Row{name, static_cast<double>(entries) / static_cast<double>(pristine.size()), trainer::Median(plain),
             trainer::Median(lookahead)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The coordinator's apply of a batch's deltas: plain versus look-ahead prefetching."};
  int batches = 200, reps = 15;
  std::vector<std::string> configs = {"leduc", "hunl_quick", "hunl_200bb"};
  bool json = false;
  app.add_option("--batches", batches, "Distinct real batches per configuration")->capture_default_str();
  app.add_option("--reps", reps, "Repetitions (medians are reported)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--configs", configs, "Configs under configs/ (without .yaml)")->capture_default_str();
  app.add_flag("--json", json, "One JSON object per line");
  BP_BENCH_PARSE(app, argc, argv);
  try {
    std::vector<Row> rows;
    for (const std::string& name : configs) {
      const trainer::Config config = trainer::LoadConfig(std::string(CONFIG_DIR) + "/" + name + ".yaml", {});
      rows.push_back(trainer::WithGame(config, {}, [&](const auto& game) { return Measure(name, game, config, batches, reps); }));
    }
    if (json) {
      for (const Row& r : rows) {
        fmt::print("{}\n", nlohmann::json{{"config", r.config},
                                          {"entries_per_batch", r.entries_per_batch},
                                          {"plain_us_per_batch", r.plain_us},
                                          {"lookahead_us_per_batch", r.lookahead_us}}
                               .dump());
      }
      return 0;
    }
    fmt::print("apply_bench: applying real batches while another core reads the table and writes the slabs; "
               "{} batches x {} repetitions, medians\n",
               batches, reps);
    fmt::print("machine: {}\n", bench::MachineDescription());
    fmt::print("{:<12} {:>14} {:>16} {:>16} {:>14} {:>8}\n", "config", "entries/batch", "plain us/batch",
               "lookahead us", "lookahead ns/e", "speedup");
    for (const Row& r : rows) {
      fmt::print("{:<12} {:>14.0f} {:>16.2f} {:>16.2f} {:>14.2f} {:>7.2f}x\n", r.config, r.entries_per_batch,
                 r.plain_us, r.lookahead_us, r.lookahead_us * 1e3 / r.entries_per_batch, r.plain_us / r.lookahead_us);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
