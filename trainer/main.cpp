// train_blueprint: trains a blueprint strategy with parallel external-sampling
// MCCFR (a coordinator process and forked single-threaded workers), and
// inspects runs and checkpoints. Flags follow the Python trainer our users
// come from; a flag overrides the YAML key of the same meaning.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <cstdio>
#include <iostream>
#include <string>

#include "abstraction/bucket_file.h"
#include "trainer/blueprint.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "distributed/replica_sync.h"
#include "trainer/play.h"
#include "trainer/rank_sync.h"
#include "trainer/query.h"
#include "trainer/run_command.h"
#include "trainer/train_main.h"
#include "trainer/yaml_schema.h"

using namespace bp::trainer;

namespace {

int QueryBlueprint(const std::string& file, int seat, const std::string& history_text, const std::string& hole_text,
                   const std::string& board_text, const std::string& buckets) {
  const auto hole = ParseCardList(hole_text, "--hole", 2, 2);
  const auto board = board_text.empty() ? std::vector<bp::abstraction::Card>{}
                                        : ParseCardList(board_text, "--board", 3, 5);
  CheckDisjoint(hole, board);
  const std::vector<std::string> history = ParseHistory(history_text);
  const Blueprint blueprint = Blueprint::Open(file, buckets);
  const auto actions = blueprint.Query(seat, history, hole.data(), board);
  fmt::print("seat {} with {} on {} after '{}' ({} iterations):\n", seat, hole_text,
             board_text.empty() ? "the preflop" : board_text, history_text, blueprint.iterations());
  for (const auto& a : actions) fmt::print("  {:>8} {:6.2f}%\n", a.name, 100 * a.probability);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Started by mpirun: one rank of a run over several machines. MPI is
  // initialised before anything else (and never without a launcher).
  std::optional<bp::distributed::MpiSession> mpi;
  DistributedContext distributed;
  if (bp::distributed::LaunchedByMpi()) {
    mpi.emplace(&argc, &argv);
    distributed.rank = mpi->rank();
    distributed.size = mpi->size();
    SetCurrentDistributed(&distributed);
  }
  CLI::App app{
      "Parallel MCCFR blueprint trainer.\n"
      "  train_blueprint --config configs/leduc.yaml --num-workers 2 --time-budget 60s --logdir runs/leduc\n"
      "  train_blueprint --resume-from runs/leduc\n"
      "  train_blueprint inspect runs/leduc [--plot run.svg]\n"
      "  train_blueprint inspect runs/leduc/checkpoints/ckpt-N.bin --infoset 'Ks:r'\n"
      "  train_blueprint tree --config my_nlhe.yaml --buckets-per-street 169,200,200,200\n"
      "  train_blueprint query runs/hunl_quick/blueprint.bin --seat 1 --history r300-c --hole AsKd --board 2c7hKs\n"
      "  train_blueprint play runs/hunl_quick/blueprint.bin [--seed 7] [--reveal]\n"
      "Exit codes: 0 done, 1 runtime failure, 2 bad usage or config."};
  app.set_help_all_flag("--help-all", "Help for every subcommand");

  TrainOptions train;
  std::string iters, time_budget, num_workers, batch_size, logdir, seed, checkpoint_interval, snapshot_interval,
      buckets;
  std::vector<std::string> sets;
  bool deterministic = false, pin = false;
  app.add_option("--config", train.config_path, "YAML config file (configs/*.yaml); optional with --resume-from");
  app.add_option("--iters", iters, "Stop after this many iterations in total (run.iterations; 0 = no limit)");
  app.add_option("--time-budget", time_budget, "Stop after this long, e.g. 90s, 30m, 8h (run.time_budget)");
  app.add_option("--num-workers", num_workers,
                 "Worker processes; 0 = one per available core, respecting affinity and cgroup quota "
                 "(run.num_workers)");
  app.add_option("--batch-size", batch_size, "Iterations per batch sent to a worker (run.batch_size)");
  app.add_option("--buckets", buckets, "Card abstraction file from build_buckets (abstraction.buckets; nlhe only)");
  app.add_option("--logdir", logdir, "Run directory: train.log, metrics.jsonl, checkpoints/ (logging.logdir)");
  app.add_option("--seed", seed, "Random seed (run.seed)");
  app.add_option("--checkpoint-interval", checkpoint_interval,
                 "Checkpoint every N iterations or every duration such as 30m, or off (checkpoint.interval)");
  app.add_option("--snapshot-interval", snapshot_interval,
                 "Save the current strategy of the streets without strategy sums (nlhe: after the preflop) every N "
                 "iterations or duration, or off; the blueprint plays their mean (checkpoint.snapshot_interval)");
  app.add_option("--resume-from", train.resume_from,
                 "Resume from a run directory (newest valid checkpoint) or a checkpoint file");
  app.add_option("--set", sets, "Override any config key: --set run.queue_depth=4 (repeatable)");
  app.add_flag("--deterministic", deterministic,
               "One batch in flight at a time: reproducible bit for bit (run.deterministic)");
  app.add_flag("--pin-workers", pin, "Pin worker i to core i (run.pin_workers)");

  InspectOptions inspect;
  CLI::App* inspect_cmd = app.add_subcommand("inspect", "Summarise a run directory, or query a checkpoint");
  inspect_cmd->add_option("target", inspect.target, "Run directory or checkpoint file")->required();
  inspect_cmd->add_option("--plot", inspect.plot, "Draw throughput, worker CPU and exploitability to FILE.svg or FILE.png");
  inspect_cmd->add_option("--infoset", inspect.infoset,
                          "Print the average strategy at this infoset (checkpoint), e.g. 'K:' or 'Js Qh:cc/r'");
  inspect_cmd->add_flag("--preflop-chart", inspect.preflop_chart,
                        "13x13 chart of a seat's first preflop decision (nlhe, nlhe_preflop checkpoints)");
  inspect_cmd->add_option("--position", inspect.position,
                          "Seat for --preflop-chart: a number (0 = button) or btn, sb, bb, utg, hj, co")
      ->capture_default_str();
  inspect_cmd->add_option("--facing", inspect.facing,
                          "Actions before the seat's decision, e.g. r300 or c-r400 (default: everyone before folds)");
  inspect_cmd->add_option("--out", inspect.out, "Also draw the chart to FILE.svg or FILE.png");

  TreeOptions tree;
  std::vector<std::string> tree_sets;
  CLI::App* tree_cmd = app.add_subcommand(
      "tree", "Build the betting tree of an nlhe config and print its size: nodes per street, infoset-actions and "
              "the memory of the regret tables");
  tree_cmd->add_option("--config", tree.config_path, "YAML config with game.name: nlhe")->required();
  tree_cmd->add_option("--buckets-per-street", tree.buckets_per_street,
                       "Card buckets on the preflop, flop, turn and river, for the table size")
      ->capture_default_str();
  std::string tree_buckets;
  tree_cmd->add_option("--buckets", tree_buckets,
                       "Take the bucket counts from this build_buckets file (abstraction.buckets)");
  tree_cmd->add_option("--set", tree_sets, "Override any config key: --set betting.flop.max_raises=1 (repeatable)");

  std::string query_file, query_history, query_hole, query_board, query_buckets;
  int query_seat = 0;
  CLI::App* query_cmd = app.add_subcommand("query", "Action probabilities of a blueprint.bin for one situation");
  query_cmd->add_option("blueprint", query_file, "LOGDIR/blueprint.bin of an nlhe run")->required();
  query_cmd->add_option("--seat", query_seat, "The seat to act (0 is the button)")->required();
  query_cmd->add_option("--history", query_history,
                        "Actions so far joined by '-': f, k, c, r<chips> (raise to a street total), a (all-in)");
  query_cmd->add_option("--hole", query_hole, "The seat's hole cards, e.g. AsKd")->required();
  query_cmd->add_option("--board", query_board, "Board cards, e.g. 2c7hKs (none preflop)");
  query_cmd->add_option("--buckets", query_buckets, "Bucket file, if not the one named in the blueprint's config");

  PlayOptions play;
  std::string play_seed;
  CLI::App* play_cmd = app.add_subcommand(
      "play", "Play heads-up hands against a blueprint in the terminal: f fold, k check, c call, b<chips>/r<chips> "
              "bet or raise to a street total, a all-in, q quit; the score in bb/100 with its 95% interval");
  play_cmd->add_option("blueprint", play.blueprint, "LOGDIR/blueprint.bin of a heads-up nlhe run")->required();
  play_cmd->add_option("--seed", play_seed, "Seed of the cards and the bot's choices: the same seed and input "
                                            "replay the same session (default: a random seed, printed)");
  play_cmd->add_option("--hands", play.hands, "Stop after this many hands (0 = until input ends or q)")
      ->capture_default_str();
  play_cmd->add_flag("--reveal", play.reveal, "After each hand, show the bot's action probabilities at its decisions");
  play_cmd->add_option("--buckets", play.buckets, "Bucket file, if not the one named in the blueprint's config");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  return RunCommand([&] {
    if (*inspect_cmd) return Inspect(inspect);
    if (*play_cmd) {
      if (!play_seed.empty()) {
        try {
          play.seed = ParseUInt(play_seed, 0, UINT64_MAX);
        } catch (const Expected& e) {
          throw ConfigError(fmt::format("--seed: expected {}, found '{}'", e.what, Printable(play_seed)));
        }
      }
      return Play(play, std::cin, stdout);
    }
    if (*query_cmd) return QueryBlueprint(query_file, query_seat, query_history, query_hole, query_board, query_buckets);
    if (*tree_cmd) {
      if (!tree_buckets.empty()) tree.overrides.push_back({"abstraction.buckets", tree_buckets, "--buckets"});
      tree.buckets_given = !tree_buckets.empty();
      tree.buckets_per_street_given = tree_cmd->count("--buckets-per-street") > 0;
      for (const std::string& s : tree_sets) tree.overrides.push_back(ParseSetOverride(s));
      return PrintTree(tree);
    }
    auto add = [&](const std::string& value, const char* key, const char* flag) {
      if (!value.empty()) train.overrides.push_back({key, value, flag});
    };
    add(iters, "run.iterations", "--iters");
    add(time_budget, "run.time_budget", "--time-budget");
    add(num_workers, "run.num_workers", "--num-workers");
    add(batch_size, "run.batch_size", "--batch-size");
    add(logdir, "logging.logdir", "--logdir");
    add(buckets, "abstraction.buckets", "--buckets");
    add(seed, "run.seed", "--seed");
    add(checkpoint_interval, "checkpoint.interval", "--checkpoint-interval");
    add(snapshot_interval, "checkpoint.snapshot_interval", "--snapshot-interval");
    if (deterministic) add("true", "run.deterministic", "--deterministic");
    if (pin) add("true", "run.pin_workers", "--pin-workers");
    for (const std::string& s : sets) train.overrides.push_back(ParseSetOverride(s));
    train.logdir_given = !logdir.empty();
    if (train.config_path.empty() && train.resume_from.empty()) {
      throw ConfigError("command line: expected --config FILE (or --resume-from RUN), found neither; see --help");
    }
    return Train(train);
  });
}
