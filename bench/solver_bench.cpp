// solver_bench: speed and convergence of the serial external-sampling MCCFR
// solver on Kuhn or Leduc. Runs N iterations on one thread and reports, at
// 10^3, 10^4, ... and N: iterations, solve seconds (evaluation excluded),
// iterations per second, and exact exploitability of the average strategy.
// An iteration is one traversal for each player.
//
// --prune runs with negative-regret pruning on (SetPhase; probability and
// threshold as in SamplingOptions, or --prune-threshold); --compare-prune
// alternates plain and pruning runs, --reps each, and prints the median
// iterations/s of both and their ratio.
//
// --full-width runs full-width CFR instead (solver/full_width.h: every deal
// and every action), with --regret-floor 0 --average-weight 1 CFR+; its
// lines start at 10 iterations.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "abstraction/kuhn.h"
#include "abstraction/leduc.h"
#include "bench/machine.h"
#include "solver/exact_evaluator.h"
#include "solver/external_sampling.h"
#include "solver/full_width.h"
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "solver/tables.h"
#include "trainer/median.h"

namespace {

std::vector<std::uint64_t> Checkpoints(std::uint64_t total, std::uint64_t first) {
  std::vector<std::uint64_t> points;
  for (std::uint64_t p = first; p < total; p *= 10) points.push_back(p);
  points.push_back(total);
  return points;
}

struct Variant {
  bool prune = false;
  double prune_threshold = bp::solver::SamplingOptions{}.prune_threshold;
  bool full_width = false;
  double regret_floor = bp::solver::kNoRegretFloor;
  int regret_weight = 0;
  int average_weight = 0;
};

bp::solver::SamplingOptions OptionsOf(const Variant& variant) {
  bp::solver::SamplingOptions options;
  options.prune_threshold = variant.prune_threshold;
  options.regret_weight_power = variant.regret_weight;
  options.average_weight_power = variant.average_weight;
  options.regret_floor = variant.regret_floor;
  return options;
}

// Calls f(solver) with the variant's solver on `tables`.
template <class G, class F>
void WithSolver(const G& game, const bp::solver::TableLayout& layout, bp::solver::Tables& tables, std::uint64_t seed,
                const Variant& variant, F&& f) {
  if (variant.full_width) {
    bp::solver::FullWidthCfr solver(game, layout, tables.View(), seed, OptionsOf(variant));
    f(solver);
  } else {
    bp::solver::ExternalSampling solver(
        game, layout, bp::solver::DirectAccess(tables.View(), variant.regret_floor), seed, OptionsOf(variant));
    solver.SetPhase(variant.prune, /*average=*/true);
    f(solver);
  }
}

// Iterations per second of one run of `iterations`, without evaluations.
template <class G>
double Rate(std::uint64_t iterations, std::uint64_t seed, const Variant& variant) {
  G game;
  bp::solver::TableLayout layout(game);
  bp::solver::Tables tables(layout.num_entries());
  double seconds = 0.0;
  WithSolver(game, layout, tables, seed, variant, [&](auto& solver) {
    const auto start = std::chrono::steady_clock::now();
    solver.Iterate(iterations);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  });
  return static_cast<double>(iterations) / seconds;
}

template <class G>
void Run(const std::string& name, std::uint64_t iterations, std::uint64_t seed, bool json, const Variant& variant) {
  G game;
  bp::solver::TableLayout layout(game);
  bp::solver::Tables tables(layout.num_entries());
  bp::solver::ExactEvaluator eval(game, layout);
  if (!json) {
    const auto weight = [](int power) { return power == 0 ? "uniform" : power == 1 ? "linear" : "quadratic"; };
    fmt::print("solver_bench: {} ({} infosets), {}, 1 thread, seed {}{}{}\n", name, layout.num_infosets(),
               variant.full_width ? "full-width CFR" : "external-sampling MCCFR", seed,
               variant.prune ? fmt::format(", pruning on (threshold {:g})", variant.prune_threshold) : "",
               variant.full_width ? fmt::format(", regret floor {:g}, regret weight {}, average weight {}",
                                                variant.regret_floor, weight(variant.regret_weight),
                                                weight(variant.average_weight))
                                  : "");
    fmt::print("machine: {}\n", bp::bench::MachineDescription());
    fmt::print("{:>12} {:>10} {:>14} {:>15}\n", "iterations", "seconds", "iterations/s", "exploitability");
  }
  WithSolver(game, layout, tables, seed, variant, [&](auto& solver) {
  double seconds = 0.0;
  for (std::uint64_t point : Checkpoints(iterations, variant.full_width ? 10 : 1000)) {
    const auto start = std::chrono::steady_clock::now();
    solver.Iterate(point - solver.iterations());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double exploitability =
        eval.Exploitability(bp::solver::TabularPolicy::Average(layout, tables.strategy_sum()));
    const double rate = seconds > 0 ? static_cast<double>(point) / seconds : 0.0;
    if (json) {
      nlohmann::json line = {{"game", name},
                             {"iterations", point},
                             {"seconds", seconds},
                             {"iterations_per_s", rate},
                             {"exploitability", exploitability}};
      fmt::print("{}\n", line.dump());
    } else {
      fmt::print("{:>12} {:>10.3f} {:>14.0f} {:>15.6f}\n", point, seconds, rate, exploitability);
    }
    std::fflush(stdout);
  }
  });
}

// Plain and pruning runs alternately, `reps` each: medians and their ratio.
template <class G>
void ComparePrune(const std::string& name, std::uint64_t iterations, std::uint64_t seed, int reps,
                  double prune_threshold) {
  std::vector<double> plain, pruned;
  for (int r = 0; r < reps; ++r) {
    plain.push_back(Rate<G>(iterations, seed, Variant{false, prune_threshold}));
    pruned.push_back(Rate<G>(iterations, seed, Variant{true, prune_threshold}));
  }
  using bp::trainer::Median;
  fmt::print("solver_bench: {}, {} iterations, plain and pruning on (threshold {:g}) alternately, {} runs each\n",
             name, iterations, prune_threshold, reps);
  fmt::print("machine: {}\n", bp::bench::MachineDescription());
  fmt::print("{:>10} {:>16} {:>16}\n", "variant", "median it/s", "runs it/s");
  const auto runs = [](const std::vector<double>& v) {
    std::string out;
    for (double x : v) out += fmt::format("{}{:.0f}", out.empty() ? "" : " ", x);
    return out;
  };
  fmt::print("{:>10} {:>16.0f} {:>16}\n", "plain", Median(plain), runs(plain));
  fmt::print("{:>10} {:>16.0f} {:>16}\n", "prune", Median(pruned), runs(pruned));
  fmt::print("pruning on / plain: {:.3f}\n", Median(pruned) / Median(plain));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Serial external-sampling MCCFR on Kuhn or Leduc: throughput and exploitability."};
  std::string game = "leduc";
  std::uint64_t iterations = 1000000;
  std::uint64_t seed = 1;
  bool json = false;
  Variant variant;
  bool compare_prune = false;
  int reps = 5;
  app.add_option("--game", game, "Game to solve")->check(CLI::IsMember({"kuhn", "leduc"}))->capture_default_str();
  app.add_option("--iterations", iterations, "Total iterations (one traversal per player each)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_flag("--json", json, "One JSON object per checkpoint line instead of a table");
  app.add_flag("--prune", variant.prune, "Negative-regret pruning on (probability 0.95)");
  app.add_option("--prune-threshold", variant.prune_threshold, "Pruning threshold in utility units")
      ->capture_default_str();
  app.add_flag("--compare-prune", compare_prune, "Alternate plain and pruning runs; print medians and their ratio");
  app.add_option("--reps", reps, "Runs of each variant for --compare-prune")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_flag("--full-width", variant.full_width, "Full-width CFR (every deal, every action) instead of sampling");
  app.add_option("--regret-floor", variant.regret_floor, "Regrets below this are raised to it (0: CFR+; default none)");
  app.add_option("--regret-weight", variant.regret_weight, "Full width: iteration t's regrets weigh t^k (0 or 1)")
      ->check(CLI::Range(0, 1))
      ->capture_default_str();
  app.add_option("--average-weight", variant.average_weight,
                 "Full width: iteration t's strategy sums weigh t^k (0, 1 or 2)")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  BP_BENCH_PARSE(app, argc, argv);
  if (variant.full_width && (variant.prune || compare_prune)) {
    fmt::print(stderr, "solver_bench: --prune and --compare-prune are for external sampling, not --full-width\n");
    return 2;
  }
  if (!variant.full_width && (variant.regret_weight != 0 || variant.average_weight != 0)) {
    fmt::print(stderr, "solver_bench: --regret-weight and --average-weight need --full-width\n");
    return 2;
  }

  if (compare_prune) {
    if (game == "kuhn") {
      ComparePrune<bp::abstraction::KuhnPoker>(game, iterations, seed, reps, variant.prune_threshold);
    } else {
      ComparePrune<bp::abstraction::LeducHoldem>(game, iterations, seed, reps, variant.prune_threshold);
    }
  } else if (game == "kuhn") {
    Run<bp::abstraction::KuhnPoker>(game, iterations, seed, json, variant);
  } else {
    Run<bp::abstraction::LeducHoldem>(game, iterations, seed, json, variant);
  }
  return 0;
}
