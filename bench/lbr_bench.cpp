// lbr_bench: local best response speed, in hands per second and per core,
// for blueprints (a hunl_quick and a hunl_200bb run's, say), under the
// paper's three settings, on 1 thread and on every available core, side by
// side in one run.
//   build/bench/lbr_bench runs/hunl_quick/blueprint.bin runs/hunl_200bb/blueprint.bin
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <string>
#include <vector>

#include "abstraction/hand_evaluator.h"
#include "bench/machine.h"
#include "trainer/blueprint.h"
#include "trainer/lbr.h"
#include "trainer/proc_stats.h"
#include "trainer/run_command.h"

using namespace bp;

int main(int argc, char** argv) {
  CLI::App app{"LBR hands per second (and per core) for each blueprint under fc 1-4, fcpa 3-4 and 56 3-4, on 1 "
               "thread and on every available core."};
  std::vector<std::string> blueprints;
  std::uint64_t deals = 500;
  std::vector<int> thread_counts;
  app.add_option("blueprints", blueprints, "Blueprint files")->required();
  app.add_option("--deals", deals, "Duplicate deals per measurement (2 hands each)")->capture_default_str();
  app.add_option("--threads", thread_counts, "Thread counts to measure (default: 1 and every available core)");
  BP_BENCH_PARSE(app, argc, argv);
  return trainer::RunCommand([&] {
    if (thread_counts.empty()) thread_counts = {1, trainer::AvailableCores()};
    fmt::print("machine: {}\n", bench::MachineDescription());
    fmt::print("{} duplicate deals ({} hands) per row\n", deals, 2 * deals);
    fmt::print("{:<44} {:<9} {:>7} {:>10} {:>14} {:>10}\n", "blueprint", "LBR", "threads", "hands/s", "hands/s/core",
               "mbb/g");
    const abstraction::HandEvaluator evaluator;
    for (const std::string& path : blueprints) {
      const trainer::Blueprint blueprint = trainer::Blueprint::Open(path);
      const trainer::BlueprintStrategy strategy(blueprint);
      for (const auto& [actions, streets] : {std::pair{"fc", "1-4"}, std::pair{"fcpa", "3-4"}, std::pair{"56", "3-4"}}) {
        const trainer::LbrSettings s = trainer::MakeLbrSettings(actions, streets);
        for (const int threads : thread_counts) {
          const auto r = trainer::RunLbr(strategy, evaluator, s, deals, 1, threads);
          const double rate = static_cast<double>(r.hands) / r.seconds;
          fmt::print("{:<44} {:<9} {:>7} {:>10.1f} {:>14.1f} {:>+10.0f}\n", path, fmt::format("{} {}", actions, streets),
                     threads, rate, rate / threads, r.overall.mean);
          std::fflush(stdout);
        }
      }
    }
    return 0;
  });
}
