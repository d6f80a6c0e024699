// delta_bench: how a worker keeps a batch's private deltas, two ways side by
// side in one run, on Leduc and the NLHE configs:
//   dense   one double per table entry for regret and strategy-sum deltas and
//           one byte per entry marking touched infosets (the trainer's first
//           design: 17 bytes per entry, or 9 where only the preflop has sums,
//           per worker, written in full when a worker starts);
//   sparse  solver::DeltaAccess: a hash map of the infosets the batch touched
//           (what the trainer uses).
// For each, a worker's loop in this process on a table first trained for
// --warm-iterations: Iterate(batch) then EmitAndClear into a slab, for
// --seconds per repetition, alternating variants, medians of --reps.
// Reports iterations/s, the private bytes per worker, and the time from
// constructing the access object to the end of the first batch.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "trainer/game_registry.h"
#include "bench/machine.h"
#include "solver/delta_bound.h"
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

// The first design, kept here as the baseline.
template <class R>
class DenseDeltaAccess {
 public:
  DenseDeltaAccess(const R* base, std::uint64_t entries, std::uint64_t strategy_entries)
      : base_(base), regret_(entries, 0.0), strategy_(strategy_entries, 0.0), touched_(entries, 0) {}
  template <int kN = 0>
  void Regrets(std::uint64_t b, int n, double* out) const {
    for (int a = 0; a < n; ++a) {
      out[a] = solver::RegretCodec<R>::Decode(std::atomic_ref<const R>(base_[b + a]).load(std::memory_order_relaxed)) +
               regret_[b + a];
    }
  }
  template <int kN = 0>
  void AddRegrets(std::uint64_t b, int n, const double* d) {
    Touch(b, n);
    for (int a = 0; a < n; ++a) regret_[b + a] += d[a];
  }
  template <int kN = 0>
  void AddStrategy(std::uint64_t b, int n, const double* s) {
    Touch(b, n);
    for (int a = 0; a < n; ++a) strategy_[b + a] += s[a];
  }
  std::uint64_t EmitAndClear(std::byte* out) {
    std::byte* p = out;
    std::sort(blocks_.begin(), blocks_.end());
    for (std::uint64_t b : blocks_) {
      const int n = touched_[b];
      const std::uint64_t header = b << 8 | static_cast<std::uint64_t>(n);
      std::memcpy(p, &header, sizeof(header));
      p += sizeof(header);
      for (int a = 0; a < n; ++a) {
        const std::uint64_t e = b + static_cast<std::uint64_t>(a);
        const bool has = e < strategy_.size();
        const solver::DeltaPair pair{static_cast<float>(regret_[e]), has ? static_cast<float>(strategy_[e]) : 0.0f};
        std::memcpy(p, &pair, sizeof(pair));
        p += sizeof(pair);
        regret_[e] = 0.0;
        if (has) strategy_[e] = 0.0;
      }
      touched_[b] = 0;
    }
    blocks_.clear();
    return static_cast<std::uint64_t>(p - out);
  }
  std::uint64_t HeldBytes() const {
    return regret_.size() * sizeof(double) + strategy_.size() * sizeof(double) + touched_.size() +
           blocks_.capacity() * sizeof(std::uint64_t);
  }

 private:
  void Touch(std::uint64_t b, int n) {
    if (touched_[b]) return;
    touched_[b] = static_cast<std::uint8_t>(n);
    blocks_.push_back(b);
  }
  const R* base_;
  std::vector<double> regret_, strategy_;
  std::vector<std::uint8_t> touched_;
  std::vector<std::uint64_t> blocks_;
};

struct Sample {
  double iterations_per_s = 0;
  double held_bytes = 0;
  double first_batch_s = 0;
};

template <class Access, class G, class R>
Sample RunOnce(const G& game, const solver::TableLayout& layout, const solver::BasicTables<R>& tables,
               std::uint64_t strategy_entries, const solver::SamplingOptions& options, std::uint64_t batch,
               double seconds, std::vector<std::byte>& slab, std::uint64_t seed) {
  const auto t0 = Clock::now();
  solver::ExternalSampling<G, Access> es(game, layout, Access(tables.regrets().data(), layout.num_entries(),
                                                               strategy_entries),
                                         seed, options);
  es.Iterate(batch);
  es.access().EmitAndClear(slab.data());
  Sample s;
  s.first_batch_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::uint64_t done = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    es.Iterate(batch);
    es.access().EmitAndClear(slab.data());
    done += batch;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  s.iterations_per_s = static_cast<double>(done) / elapsed;
  s.held_bytes = static_cast<double>(es.access().HeldBytes());
  return s;
}

struct Row {
  std::string game;
  std::uint64_t entries = 0;
  std::uint64_t batch = 0;
  Sample dense, sparse;
};

template <class G>
Row Compare(const std::string& name, const G& game, const trainer::Config& config, std::uint64_t warm,
            double seconds, int reps) {
  using R = solver::RegretOf<G>;
  const solver::TableLayout layout(game);
  const int streets = game.NumStreets();
  const solver::SamplingOptions options = config.solver.SamplingOptionsFor(streets);
  const std::uint64_t strategy_entries = layout.street_end(std::min(options.average_streets, streets) - 1);
  solver::BasicTables<R> tables(layout.num_entries(), strategy_entries);
  {
    solver::ExternalSampling<G, solver::BasicDirectAccess<R>> trainer(game, layout, tables.View(), 1, options);
    trainer.Iterate(warm);
  }
  const std::uint64_t batch = config.run.batch_size;
  const std::uint64_t every = options.sampled_average_interval;
  const std::uint64_t per_update = every > 0 ? solver::MaxStrategyUpdateBytes(game, options.average_streets) : 0;
  const std::uint64_t bound =
      std::min(solver::MaxDeltaBytes(layout.num_infosets(), layout.num_entries()),
               solver::MaxDeltaBytesPerBatch(batch, solver::MaxDeltaBytesPerIteration(game), per_update, every));
  std::vector<std::byte> slab(bound);
  std::vector<Sample> dense, sparse;
  for (int r = 0; r < reps; ++r) {
    dense.push_back(RunOnce<DenseDeltaAccess<R>>(game, layout, tables, strategy_entries, options, batch, seconds, slab,
                                                 100 + r));
    sparse.push_back(RunOnce<solver::BasicDeltaAccess<R>>(game, layout, tables, strategy_entries, options, batch,
                                                          seconds, slab, 100 + r));
  }
  const auto median = [](const std::vector<Sample>& v, double Sample::*field) {
    std::vector<double> x;
    for (const Sample& s : v) x.push_back(s.*field);
    return trainer::Median(x);
  };
  Row row{name, layout.num_entries(), batch, {}, {}};
  for (auto [out, in] : {std::pair{&row.dense, &dense}, std::pair{&row.sparse, &sparse}}) {
    out->iterations_per_s = median(*in, &Sample::iterations_per_s);
    out->held_bytes = median(*in, &Sample::held_bytes);
    out->first_batch_s = median(*in, &Sample::first_batch_s);
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A worker's private deltas: dense per-entry arrays versus a sparse map of the touched infosets."};
  double seconds = 3;
  int reps = 3;
  std::uint64_t warm = 200000;
  std::vector<std::string> configs = {"leduc", "hunl_quick", "hunl_200bb"};
  bool json = false;
  app.add_option("--seconds", seconds, "Seconds per variant and repetition")->capture_default_str();
  app.add_option("--reps", reps, "Repetitions (medians are reported)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--warm-iterations", warm, "Serial iterations that train the table first")->capture_default_str();
  app.add_option("--configs", configs, "Configs under configs/ (without .yaml)")->capture_default_str();
  app.add_flag("--json", json, "One JSON object per line");
  BP_BENCH_PARSE(app, argc, argv);
  try {
    std::vector<Row> rows;
    for (const std::string& name : configs) {
      const trainer::Config config = trainer::LoadConfig(std::string(CONFIG_DIR) + "/" + name + ".yaml", {});
      rows.push_back(trainer::WithGame(config, {}, [&](const auto& game) { return Compare(name, game, config, warm, seconds, reps); }));
    }
    if (json) {
      for (const Row& r : rows) {
        for (const auto& [variant, s] : {std::pair{"dense", r.dense}, std::pair{"sparse", r.sparse}}) {
          fmt::print("{}\n", nlohmann::json{{"config", r.game},
                                            {"variant", variant},
                                            {"iterations_per_s", s.iterations_per_s},
                                            {"private_bytes", s.held_bytes},
                                            {"first_batch_s", s.first_batch_s}}
                                 .dump());
        }
      }
      return 0;
    }
    fmt::print("delta_bench: a worker's batch loop in one process, {} s x {} repetitions per variant, medians\n",
               seconds, reps);
    fmt::print("machine: {}\n", bench::MachineDescription());
    fmt::print("{:<12} {:>12} {:>6} {:>8} {:>14} {:>16} {:>15} {:>10}\n", "config", "entries", "batch", "variant",
               "iterations/s", "private MiB", "first batch s", "speed");
    for (const Row& r : rows) {
      for (const auto& [variant, s] : {std::pair{"dense", r.dense}, std::pair{"sparse", r.sparse}}) {
        fmt::print("{:<12} {:>12} {:>6} {:>8} {:>14.0f} {:>16.2f} {:>15.3f} {:>9.2f}x\n", r.game, r.entries, r.batch,
                   variant, s.iterations_per_s, s.held_bytes / 1048576.0, s.first_batch_s,
                   s.iterations_per_s / r.dense.iterations_per_s);
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
