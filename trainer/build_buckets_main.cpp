// build_buckets: builds the card abstraction (a bucket file) by full
// enumeration of every canonical hand and k-means per street. Flags follow
// the Python tool our users come from; a flag overrides the YAML key of the
// same meaning.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <unistd.h>

#include <csignal>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "abstraction/bucket_file.h"
#include "trainer/bucket_config.h"
#include "abstraction/street.h"
#include "trainer/build_buckets.h"
#include "trainer/run_command.h"

using namespace bp::trainer;

namespace {

// Stages finished so far are already in OUT.parts/ (each written to a
// temporary file and renamed), so an interrupted build just says so and ends.
// The message is composed before the handler is installed (a signal handler
// may only write and exit).
char interrupt_message[1024];
std::size_t interrupt_message_size = 0;

void OnInterrupt(int sig) {
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, interrupt_message, interrupt_message_size);
  ::_exit(128 + sig);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Builds a card abstraction: lossless preflop (169 classes) and k-means buckets on the flop, turn and river,\n"
      "from features of every canonical hand computed by full enumeration.\n"
      "  build_buckets --config configs/abstraction_small.yaml\n"
      "  build_buckets --config configs/abstraction_200.yaml --out assets/buckets_200.bin --threads 2\n"
      "An interrupted build keeps its finished stages in OUT.parts/; run the same command again to go on.\n"
      "Exit codes: 0 done, 1 runtime failure, 2 bad usage or config."};
  std::string config_path, out, threads, seed, k_preflop, k_flop, k_turn, k_river;
  std::vector<std::string> sets;
  bool keep_parts = false, print_config = false;
  app.add_option("--config", config_path, "YAML file (configs/abstraction_*.yaml)")->required();
  app.add_option("--out", out, "Bucket file to write (build.out)");
  app.add_option("--threads", threads, "Compute threads; 0 = every available core (build.threads)");
  app.add_option("--seed", seed, "Seed of the k-means sampling and seeding (build.seed)");
  app.add_option("--k-preflop", k_preflop, "Preflop buckets, 169 = lossless (buckets.preflop)");
  app.add_option("--k-flop", k_flop, "Flop buckets (buckets.flop)");
  app.add_option("--k-turn", k_turn, "Turn buckets (buckets.turn)");
  app.add_option("--k-river", k_river, "River buckets (buckets.river)");
  app.add_option("--set", sets, "Override any config key: --set kmeans.restarts=1 (repeatable)");
  app.add_flag("--keep-parts", keep_parts, "Keep OUT.parts/ (features and tables of each stage) after the build");
  app.add_flag("--print-config", print_config, "Print the resolved configuration and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return RunCommand([&] {
    std::vector<Override> overrides;
    auto add = [&](const std::string& value, const char* key, const char* flag) {
      if (!value.empty()) overrides.push_back({key, value, flag});
    };
    add(out, "build.out", "--out");
    add(threads, "build.threads", "--threads");
    add(seed, "build.seed", "--seed");
    add(k_preflop, "buckets.preflop", "--k-preflop");
    add(k_flop, "buckets.flop", "--k-flop");
    add(k_turn, "buckets.turn", "--k-turn");
    add(k_river, "buckets.river", "--k-river");
    for (const std::string& s : sets) overrides.push_back(ParseSetOverride(s));
    const BucketConfig config = LoadBucketConfig(config_path, overrides);
    if (print_config) {
      fmt::print("{}", ToYaml(config));
      return 0;
    }
    const std::string message = fmt::format(
        "\nbuild_buckets: interrupted; finished stages are kept in {}.parts/, run the same command again to go on\n",
        config.out);
    interrupt_message_size = std::min(message.size(), sizeof interrupt_message);
    std::memcpy(interrupt_message, message.data(), interrupt_message_size);
    std::signal(SIGINT, OnInterrupt);
    std::signal(SIGTERM, OnInterrupt);
    const BuildReport r = BuildBuckets(config, stdout, keep_parts);
    fmt::print("\n{:<8} {:>12} {:>8} {:>14} {:>10}\n", "street", "classes", "buckets", "error", "time");
    for (int s = 0; s < static_cast<int>(bp::abstraction::kNumStreets); ++s) {
      const StreetReport& st = r.streets[static_cast<std::size_t>(s)];
      const std::string error = st.from_parts ? "(earlier)" : fmt::format("{:.6f}", st.error);
      fmt::print("{:<8} {:>12} {:>8} {:>14} {:>9.1f}s\n", bp::abstraction::StreetName(s), st.classes, st.buckets, error, st.seconds);
    }
    fmt::print("error: mean squared EHS distance to the centroid (river), mean EMD in equity (flop, turn, "
               "clustered preflop)\n");
    fmt::print("wrote {} (fingerprint {:016x}) in {:.1f} s with {} threads\n", config.out, r.fingerprint, r.seconds,
               r.threads);
    return 0;
  });
}
