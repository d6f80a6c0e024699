// solver_bench: speed and convergence of the serial external-sampling MCCFR
// solver on Kuhn or Leduc. Runs N iterations on one thread and reports, at
// 10^3, 10^4, ... and N: iterations, solve seconds (evaluation excluded),
// iterations per second, and exact exploitability of the average strategy.
// An iteration is one traversal for each player.
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
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "solver/tables.h"

namespace {

std::vector<std::uint64_t> Checkpoints(std::uint64_t total) {
  std::vector<std::uint64_t> points;
  for (std::uint64_t p = 1000; p < total; p *= 10) points.push_back(p);
  points.push_back(total);
  return points;
}

template <class G>
void Run(const std::string& name, std::uint64_t iterations, std::uint64_t seed, bool json) {
  G game;
  bp::solver::TableLayout layout(game);
  bp::solver::Tables tables(layout.num_entries());
  bp::solver::ExternalSampling solver(game, layout, tables.View(), seed);
  bp::solver::ExactEvaluator eval(game, layout);
  if (!json) {
    fmt::print("solver_bench: {} ({} infosets), external-sampling MCCFR, 1 thread, seed {}\n", name,
               layout.num_infosets(), seed);
    fmt::print("machine: {}\n", bp::bench::MachineDescription());
    fmt::print("{:>12} {:>10} {:>14} {:>15}\n", "iterations", "seconds", "iterations/s", "exploitability");
  }
  double seconds = 0.0;
  for (std::uint64_t point : Checkpoints(iterations)) {
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
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Serial external-sampling MCCFR on Kuhn or Leduc: throughput and exploitability."};
  std::string game = "leduc";
  std::uint64_t iterations = 1000000;
  std::uint64_t seed = 1;
  bool json = false;
  app.add_option("--game", game, "Game to solve")->check(CLI::IsMember({"kuhn", "leduc"}))->capture_default_str();
  app.add_option("--iterations", iterations, "Total iterations (one traversal per player each)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_flag("--json", json, "One JSON object per checkpoint line instead of a table");
  CLI11_PARSE(app, argc, argv);

  if (game == "kuhn") {
    Run<bp::abstraction::KuhnPoker>(game, iterations, seed, json);
  } else {
    Run<bp::abstraction::LeducHoldem>(game, iterations, seed, json);
  }
  return 0;
}
