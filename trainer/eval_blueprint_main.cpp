// eval_blueprint: plays a blueprint against fixed opponents with duplicate
// deals and reports its win rate in big blinds per 100 hands with a 95%
// interval (trainer/head_to_head.h).
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "abstraction/bucket_file.h"
#include "trainer/blueprint.h"
#include "trainer/head_to_head.h"
#include "trainer/run_command.h"

using namespace bp::trainer;

int main(int argc, char** argv) {
  CLI::App app{
      "Plays a blueprint (LOGDIR/blueprint.bin of an nlhe run) against fixed opponents and reports its win rate\n"
      "in big blinds per 100 hands with a 95% confidence interval. Duplicate deals: each deal is played with the\n"
      "blueprint in every seat, the cards staying with the seats. Both sides act in the blueprint's betting tree.\n"
      "Opponents: call (checks or calls, always; the smallest raise where it may not limp), random (uniform over the tree's actions), allin (the largest\n"
      "action, always).\n"
      "  eval_blueprint runs/hunl_quick/blueprint.bin\n"
      "  eval_blueprint runs/hunl_quick/blueprint.bin --opponent call --deals 2000000 --json\n"
      "Exit codes: 0 done, 1 runtime failure, 2 bad usage or input."};
  std::string path, buckets;
  std::vector<std::string> opponents = {"call", "random"};
  std::uint64_t deals = 500000, seed = 1;
  bool json = false;
  app.add_option("blueprint", path, "The blueprint file")->required();
  app.add_option("--opponent", opponents, "call, random or allin (repeatable; default: call and random)")
      ->capture_default_str();
  app.add_option("--deals", deals, "Duplicate deals per opponent (hands = deals x players)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{1} << 40));
  app.add_option("--seed", seed, "Seed of the deals and of the sampled actions")->capture_default_str();
  app.add_option("--buckets", buckets, "Bucket file, if not the one named in the blueprint's config");
  app.add_flag("--json", json, "Print one JSON object per opponent instead of the table");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return RunCommand([&] {
    std::vector<Opponent> kinds;
    for (const std::string& o : opponents) kinds.push_back(ParseOpponent(o));
    const Blueprint blueprint = Blueprint::Open(path, buckets);
    const int players = blueprint.game().NumPlayers();
    if (!json) {
      fmt::print("blueprint {}: {} iterations, {} players, {} deals per opponent ({} hands), seed {}\n", path,
                 blueprint.iterations(), players, deals, deals * static_cast<std::uint64_t>(players), seed);
      fmt::print("{:<8} {:>12} {:>10} {:>10}\n", "opponent", "bb/100", "+/- 95%", "time");
    }
    for (const Opponent kind : kinds) {
      const auto start = std::chrono::steady_clock::now();
      const bool tty = !json && ::isatty(::fileno(stderr));
      const HeadToHeadResult r = PlayHeadToHead(blueprint, kind, deals, seed, [&](std::uint64_t done) {
        if (tty) fmt::print(stderr, "\r{}: {}/{} deals", OpponentName(kind), done, deals);
      });
      if (tty) fmt::print(stderr, "\r\033[K");
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (json) {
        const nlohmann::json row = {{"blueprint", path},       {"opponent", r.opponent},
                                    {"deals", r.deals},        {"hands", r.hands},
                                    {"bb_per_100", r.bb_per_100}, {"ci95_bb_per_100", r.ci95_bb_per_100},
                                    {"seconds", seconds}};
        fmt::print("{}\n", row.dump());
      } else {
        fmt::print("{:<8} {:>+12.1f} {:>10.1f} {:>9.1f}s\n", r.opponent, r.bb_per_100, r.ci95_bb_per_100, seconds);
      }
      std::fflush(stdout);
    }
    return 0;
  });
}
