// eval_blueprint: the strength of a blueprint. Against fixed opponents
// (trainer/head_to_head.h), by local best response (trainer/lbr.h), against
// another blueprint (trainer/match.h), and the strength curve of a run
// (trainer/strength_curve.h).
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "abstraction/bucket_file.h"
#include "abstraction/preflop_equity.h"
#include "trainer/blueprint.h"
#include "trainer/head_to_head.h"
#include "trainer/lbr.h"
#include "trainer/match.h"
#include "trainer/metrics.h"
#include "trainer/proc_stats.h"
#include "trainer/run_command.h"
#include "trainer/run_dir.h"
#include "trainer/run_lock.h"
#include "trainer/strength_curve.h"

using namespace bp::trainer;
namespace fs = std::filesystem;

namespace {

struct Options {
  std::string path, buckets, against, against_buckets, curve, preflop_equity;
  std::vector<std::string> opponents;
  std::uint64_t deals = 0, seed = 1;
  int threads = 0;
  bool threads_given = false;
  bool json = false, lbr = false, follow = false;
  LbrSettings settings;
  double poll_s = 10;
};

std::string EquityNote(const LbrSettings& s) {
  return fmt::format("equity exact on the river and turn, over {} sampled runouts on the flop, {} preflop",
                     s.flop_samples,
                     s.preflop_equity != nullptr ? "exact (preflop equity table)"
                                                 : fmt::format("over {} sampled boards", s.preflop_samples));
}

std::string Signed(double v) { return fmt::format("{:+.0f}", v); }

void PrintLbrRow(const Options& o, const std::string& opponent, const DuplicateResult& r, std::uint64_t iterations) {
  const double hands_per_s = r.seconds > 0 ? static_cast<double>(r.hands) / r.seconds : 0;
  if (o.json) {
    const nlohmann::json row = {{"mode", "lbr"},
                                {"blueprint", o.path},
                                {"iterations", iterations},
                                {"opponent", opponent},
                                {"actions", o.settings.actions},
                                {"streets", o.settings.streets},
                                {"flop_samples", o.settings.flop_samples},
                                {"preflop_samples", o.settings.preflop_samples},
                                {"preflop_equity", o.settings.preflop_equity != nullptr},
                                {"seed", o.seed},
                                {"deals", r.deals},
                                {"hands", r.hands},
                                {"mbb", r.overall.mean},
                                {"ci95", r.overall.ci95},
                                {"seat0_mbb", r.seat[0].mean},
                                {"seat0_ci95", r.seat[0].ci95},
                                {"seat1_mbb", r.seat[1].mean},
                                {"seat1_ci95", r.seat[1].ci95},
                                {"seconds", r.seconds},
                                {"threads", r.threads},
                                {"hands_per_s", hands_per_s}};
    fmt::print("{}\n", row.dump());
  } else {
    fmt::print("{:<10} {:>10} {:>9} {:>18} {:>18} {:>9.1f} {:>8.1f}s\n", opponent, Signed(r.overall.mean),
               fmt::format("{:.0f}", r.overall.ci95), Signed(r.seat[0].mean) + fmt::format(" +/- {:.0f}", r.seat[0].ci95),
               Signed(r.seat[1].mean) + fmt::format(" +/- {:.0f}", r.seat[1].ci95), hands_per_s, r.seconds);
  }
  std::fflush(stdout);
}

void PrintLbrHeader(const Options& o, const std::string& what, std::uint64_t deals) {
  if (o.json) return;
  fmt::print("{}\nLBR {} on streets {}; {}\n{} duplicate deals ({} hands), seed {}, {} thread(s)\n", what,
             o.settings.actions, o.settings.streets, EquityNote(o.settings), deals, 2 * deals, o.seed, o.threads);
  fmt::print("LBR's winnings in mbb per hand (a thousandth of a big blind), 95% intervals\n");
  fmt::print("{:<10} {:>10} {:>9} {:>18} {:>18} {:>9} {:>9}\n", "opponent", "LBR mbb/g", "+/- 95%", "LBR as seat 0",
             "LBR as seat 1", "hands/s", "time");
}

int RunLbrOnBlueprint(const Options& o) {
  const Blueprint blueprint = Blueprint::Open(o.path, o.buckets);
  const bp::abstraction::HandEvaluator evaluator;
  const std::uint64_t deals = o.deals > 0 ? o.deals : 2000;
  PrintLbrHeader(o, fmt::format("blueprint {}: {} iterations", o.path, blueprint.iterations()), deals);
  const std::string label = o.json ? "" : "LBR";
  std::vector<std::string> against = o.opponents;
  if (against.empty()) against = {"blueprint"};
  for (const std::string& name : against) {
    DuplicateResult r;
    if (name == "blueprint") {
      r = RunLbr(BlueprintStrategy(blueprint), evaluator, o.settings, deals, o.seed, o.threads, label);
    } else {
      const FixedStrategy fixed(blueprint.game().tree(), ParseOpponent(name));
      r = RunLbr(fixed, evaluator, o.settings, deals, o.seed, o.threads, label);
    }
    PrintLbrRow(o, name, r, blueprint.iterations());
  }
  return 0;
}

int RunAgainst(const Options& o) {
  const Blueprint a = Blueprint::Open(o.path, o.buckets);
  const Blueprint b = Blueprint::Open(o.against, o.against_buckets);
  const bp::abstraction::HandEvaluator evaluator;
  const std::uint64_t deals = o.deals > 0 ? o.deals : 100000;
  if (!o.json) {
    fmt::print("A {}: {} iterations\nB {}: {} iterations\n{} duplicate deals ({} hands), seed {}, {} thread(s)\n",
               o.path, a.iterations(), o.against, b.iterations(), deals, 2 * deals, o.seed, o.threads);
  }
  const DuplicateResult r = PlayMatch(BlueprintStrategy(a), BlueprintStrategy(b), evaluator, deals, o.seed, o.threads,
                                      o.json ? "" : "match", o.settings.preflop_equity);
  if (o.json) {
    const nlohmann::json row = {{"mode", "match"},           {"a", o.path},
                                {"b", o.against},            {"deals", r.deals},
                                {"hands", r.hands},          {"mbb", r.overall.mean},
                                {"ci95", r.overall.ci95},    {"bb_per_100", r.overall.mean / 10},
                                {"ci95_bb_per_100", r.overall.ci95 / 10}, {"seat0_mbb", r.seat[0].mean},
                                {"seat0_ci95", r.seat[0].ci95}, {"seat1_mbb", r.seat[1].mean},
                                {"seat1_ci95", r.seat[1].ci95}, {"seconds", r.seconds},
                                {"threads", r.threads}};
    fmt::print("{}\n", row.dump());
  } else {
    fmt::print("A's winnings: {:+.1f} mbb per hand +/- {:.1f} (95%), {:+.2f} bb/100; A as seat 0 {:+.1f} +/- {:.1f}, "
               "as seat 1 {:+.1f} +/- {:.1f}; {:.1f} s\n",
               r.overall.mean, r.overall.ci95, r.overall.mean / 10, r.seat[0].mean, r.seat[0].ci95, r.seat[1].mean,
               r.seat[1].ci95, r.seconds);
  }
  return 0;
}

int RunCurve(Options o) {
  const RunDir run(o.curve);
  if (!fs::is_directory(run.root())) throw ConfigError(fmt::format("--curve: {}: not a run directory", o.curve));
  const std::optional<pid_t> training = RunLock::Holder(run.root());
  if (training && !o.threads_given) {
    throw ConfigError(fmt::format("--curve: {} is training now (pid {}); say how many cores the evaluation may use "
                                  "with --threads N, leaving the others to the training",
                                  o.curve, *training));
  }
  const bp::abstraction::HandEvaluator evaluator;
  const std::uint64_t deals = o.deals > 0 ? o.deals : 2000;
  bool header = false;
  for (;;) {
    std::vector<std::string> skipped;
    const std::vector<CurveRow> done = ReadCurve(run.Lbr(), skipped);
    for (const std::string& s : skipped) fmt::print(stderr, "note: {}\n", s);
    std::vector<std::pair<std::uint64_t, fs::path>> todo;
    const auto points = run.ListCurvePoints();
    for (const auto& [iterations, path] : points) {
      bool seen = false;
      for (const CurveRow& r : done) {
        seen = seen || (r.iterations == iterations && r.actions == o.settings.actions && r.streets == o.settings.streets);
      }
      if (!seen) todo.emplace_back(iterations, path);
    }
    if (!header) {
      header = true;
      if (points.empty() && !o.follow) {
        throw ConfigError(fmt::format("--curve: {} has no curve points ({}/blueprint-<iteration>.bin, written with "
                                      "each checkpoint of an nlhe run with checkpoint.curve on)",
                                      o.curve, run.Curve().string()));
      }
      if (!o.json) {
        fmt::print("curve of {}: {} point(s), {} to evaluate; LBR {} on streets {}; {}\n{} duplicate deals ({} hands) "
                   "per point, seed {}, {} thread(s); appending to {}\n",
                   o.curve, points.size(), todo.size(), o.settings.actions, o.settings.streets,
                   EquityNote(o.settings), deals, 2 * deals, o.seed, o.threads, run.Lbr().string());
        fmt::print("{:>14} {:>10} {:>10} {:>9} {:>9}\n", "iterations", "t (s)", "LBR mbb/g", "+/- 95%", "time");
      }
    }
    std::vector<std::string> metrics_skipped;
    const std::vector<MetricsRow> metrics = ReadMetricsFile(run.Metrics(), metrics_skipped);
    for (const auto& [iterations, path] : todo) {
      const Blueprint blueprint = Blueprint::Open(path.string(), o.buckets);
      const DuplicateResult r = RunLbr(BlueprintStrategy(blueprint), evaluator, o.settings, deals, o.seed, o.threads,
                                       o.json ? "" : fmt::format("point {}", iterations));
      CurveRow row;
      row.iterations = iterations;
      row.t = TrainingSecondsAt(metrics, iterations);
      row.actions = o.settings.actions;
      row.streets = o.settings.streets;
      row.flop_samples = o.settings.flop_samples;
      row.preflop_samples = o.settings.preflop_samples;
      row.preflop_equity = o.settings.preflop_equity != nullptr;
      row.seed = o.seed;
      row.deals = r.deals;
      row.hands = r.hands;
      row.mbb = r.overall.mean;
      row.ci95 = r.overall.ci95;
      row.seat0_mbb = r.seat[0].mean;
      row.seat0_ci95 = r.seat[0].ci95;
      row.seat1_mbb = r.seat[1].mean;
      row.seat1_ci95 = r.seat[1].ci95;
      row.seconds = r.seconds;
      row.threads = r.threads;
      bp::base::AppendFile(run.Lbr()).Append(CurveRowJson(row) + "\n");
      if (o.json) {
        fmt::print("{}\n", CurveRowJson(row));
      } else {
        fmt::print("{:>14} {:>10.0f} {:>10} {:>9.0f} {:>8.1f}s\n", iterations, row.t, Signed(row.mbb), row.ci95,
                   r.seconds);
      }
      std::fflush(stdout);
    }
    if (!o.follow) break;
    if (todo.empty() && !RunLock::Holder(run.root())) break;  // the run ended and every point is done
    if (todo.empty()) std::this_thread::sleep_for(std::chrono::duration<double>(o.poll_s));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "The strength of a no-limit blueprint (LOGDIR/blueprint.bin of an nlhe run).\n"
      "  Fixed opponents (default): plays the blueprint against simple opponents in its own betting tree and\n"
      "    reports its win rate in bb/100 with a 95% interval; duplicate deals, the blueprint in every seat.\n"
      "    fold (folds to any bet), call (checks or calls; the smallest raise where it may not limp), random\n"
      "    (uniform over the tree's actions), allin (the largest action).\n"
      "  --lbr: local best response (Lisy and Bowling 2017) against a heads-up blueprint: LBR knows its cards and\n"
      "    the board, keeps the blueprint's range by Bayes' rule, and takes the action of highest value against it\n"
      "    as if the hand then checked down. Reports LBR's winnings in mbb per hand (lower is better for the\n"
      "    blueprint; an always-fold bot loses 750), per seat and overall, with 95% intervals and hands/s.\n"
      "    The paper's settings: --lbr-actions fc --lbr-streets 1-4; fcpa with 3-4; 56 with 3-4.\n"
      "    With --opponent, LBR plays those fixed opponents (in the blueprint's tree) instead.\n"
      "  --against B: the blueprint (A) against blueprint B; the trees and card abstractions may differ, the\n"
      "    table may not. A's winnings in mbb per hand and bb/100; a blueprint against itself scores exactly 0.\n"
      "  --lbr --curve LOGDIR: LBR at each point of a run's strength curve (LOGDIR/curve/, one point per\n"
      "    checkpoint), appended to LOGDIR/lbr.jsonl; points already there are skipped; --follow waits for\n"
      "    new points until the run ends. While the run trains, --threads must say how many cores to use.\n"
      "  eval_blueprint runs/hunl_quick/blueprint.bin\n"
      "  eval_blueprint runs/hunl_quick/blueprint.bin --lbr --lbr-actions fc --lbr-streets 1-4 --deals 5000\n"
      "  eval_blueprint runs/a/blueprint.bin --against runs/b/blueprint.bin --deals 200000 --json\n"
      "  eval_blueprint --lbr --curve runs/hunl_quick --threads 1 --follow\n"
      "Exit codes: 0 done, 1 runtime failure, 2 bad usage or input."};
  Options o;
  std::string actions = "fcpa", streets;
  app.add_option("blueprint", o.path, "The blueprint file (not with --curve)");
  app.add_option("--opponent", o.opponents,
                 "fold, call, random or allin (repeatable; default: call and random); with --lbr also blueprint "
                 "(the default there)");
  app.add_option("--deals", o.deals,
                 "Duplicate deals (hands = 2 x deals); default 500000 against fixed opponents, 2000 for LBR (per "
                 "point of a curve), 100000 for --against")
      ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{1} << 40));
  app.add_option("--seed", o.seed, "Seed of the deals and of the sampled actions")->capture_default_str();
  auto* threads = app.add_option("--threads", o.threads,
                                 "Threads for --lbr and --against, 0 = one per available core")
                      ->capture_default_str()
                      ->check(CLI::Range(0, 4096));
  app.add_option("--buckets", o.buckets, "Bucket file, if not the one named in the blueprint's config");
  app.add_flag("--json", o.json, "One JSON object per result instead of the table");
  app.add_flag("--lbr", o.lbr, "Local best response");
  app.add_option("--lbr-actions", actions, "LBR's raises: fc (none), fcpa (pot, all-in), 56 (0.05 x 1.15^k pot, "
                                           "k = 0..54, and all-in) or pot fractions such as '0.5, 1, allin'")
      ->capture_default_str();
  app.add_option("--lbr-streets", streets,
                 "Streets (1 preflop .. 4 river) where LBR folds and raises, e.g. 1-4, 3-4, 1,3-4; elsewhere it "
                 "checks or calls (default: 1-4 for fc, else 3-4)");
  app.add_option("--lbr-flop-samples", o.settings.flop_samples, "Turn and river cards sampled for equity on the flop")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--lbr-preflop-samples", o.settings.preflop_samples,
                 "Boards sampled for equity on the preflop (without --preflop-equity)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--preflop-equity", o.preflop_equity,
                 "Exact preflop equity table (abstraction.preflop_equity of the push/fold game) for LBR's preflop "
                 "equity");
  app.add_option("--against", o.against, "Blueprint B to play against");
  app.add_option("--against-buckets", o.against_buckets, "B's bucket file, if not the one named in B's config");
  app.add_option("--curve", o.curve, "A run directory: LBR at each of its curve points (with --lbr)");
  app.add_flag("--follow", o.follow, "With --curve: wait for new points until the run ends");
  app.add_option("--poll", o.poll_s, "With --follow: seconds between looks for new points")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return RunCommand([&] {
    o.threads_given = threads->count() > 0;
    if (o.threads == 0) o.threads = AvailableCores();
    const bool curve = !o.curve.empty();
    if (curve && !o.lbr) throw ConfigError("--curve: expected together with --lbr");
    if (curve && !o.path.empty()) throw ConfigError("--curve: expected no blueprint file (the run's points are used)");
    if (!curve && o.path.empty()) throw ConfigError("blueprint: expected a blueprint file (or --lbr --curve LOGDIR)");
    if (!o.against.empty() && o.lbr) throw ConfigError("--against: expected without --lbr");
    if (!o.against.empty() && !o.opponents.empty()) throw ConfigError("--against: expected without --opponent");
    if (o.follow && !curve) throw ConfigError("--follow: expected with --curve");
    std::optional<bp::abstraction::PreflopEquity> preflop;
    if (o.lbr) {
      const LbrSettings parsed = MakeLbrSettings(actions, streets);
      o.settings.actions = parsed.actions;
      o.settings.sizes = parsed.sizes;
      o.settings.streets = parsed.streets;
      o.settings.plays = parsed.plays;
      if (!o.preflop_equity.empty()) {
        preflop = bp::abstraction::PreflopEquity::Load(o.preflop_equity);
        o.settings.preflop_equity = &*preflop;
      }
      for (const std::string& name : o.opponents) {
        if (name != "blueprint") ParseOpponent(name);
      }
      return curve ? RunCurve(o) : RunLbrOnBlueprint(o);
    }
    if (!o.against.empty()) {
      if (!o.preflop_equity.empty()) {
        preflop = bp::abstraction::PreflopEquity::Load(o.preflop_equity);
        o.settings.preflop_equity = &*preflop;
      }
      return RunAgainst(o);
    }

    // Fixed opponents.
    std::vector<Opponent> kinds;
    for (const std::string& name : o.opponents.empty() ? std::vector<std::string>{"call", "random"} : o.opponents) {
      kinds.push_back(ParseOpponent(name));
    }
    const std::uint64_t deals = o.deals > 0 ? o.deals : 500000;
    const Blueprint blueprint = Blueprint::Open(o.path, o.buckets);
    const int players = blueprint.game().NumPlayers();
    if (!o.json) {
      fmt::print("blueprint {}: {} iterations, {} players, {} deals per opponent ({} hands), seed {}\n", o.path,
                 blueprint.iterations(), players, deals, deals * static_cast<std::uint64_t>(players), o.seed);
      fmt::print("{:<8} {:>12} {:>10} {:>10}\n", "opponent", "bb/100", "+/- 95%", "time");
    }
    for (const Opponent kind : kinds) {
      const auto start = std::chrono::steady_clock::now();
      const bool tty = !o.json && ::isatty(::fileno(stderr));
      const HeadToHeadResult r = PlayHeadToHead(blueprint, kind, deals, o.seed, [&](std::uint64_t done) {
        if (tty) fmt::print(stderr, "\r{}: {}/{} deals", OpponentName(kind), done, deals);
      });
      if (tty) fmt::print(stderr, "\r\033[K");
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (o.json) {
        const nlohmann::json row = {{"blueprint", o.path},         {"opponent", r.opponent},
                                    {"deals", r.deals},            {"hands", r.hands},
                                    {"bb_per_100", r.bb_per_100},  {"ci95_bb_per_100", r.ci95_bb_per_100},
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
