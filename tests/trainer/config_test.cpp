#include "trainer/bucket_config.h"
#include "trainer/config.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace bp::trainer;

namespace {
std::string ErrorOf(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    ParseConfig(yaml, "bad.yaml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("malformed configs: each gives one exact message with file, line:col, key, expected and found") {
  struct Case {
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
    {"game: [kuhn",
     "bad.yaml:1:1: invalid YAML: end of sequence flow not found"},
    {"game:\n  name: holdem",
     "bad.yaml:2:9: game.name: expected one of kuhn, leduc, nlhe_preflop, nlhe, found 'holdem'"},
    {"game:\n  nmae: kuhn",
     "bad.yaml:2:3: unknown key 'game.nmae' (did you mean 'name'?)"},
    {"distributed:\n  sync_interval: off",
     "bad.yaml:2:18: distributed.sync_interval: expected auto, a duration such as 50ms or an iteration count, found 'off'"},
    {"distributed:\n  sync_interval: 0",
     "bad.yaml:2:18: distributed.sync_interval: expected auto, a duration such as 50ms or an iteration count, found '0'"},
    {"gmae:\n  name: kuhn",
     "bad.yaml:1:1: unknown section 'gmae' (did you mean 'game'?); sections are game, abstraction, betting, solver, run, checkpoint, distributed, logging"},
    {"run:\n  batch_size: abc",
     "bad.yaml:2:15: run.batch_size: expected an integer from 1 to 100000000, found 'abc'"},
    {"run:\n  batch_size: 0",
     "bad.yaml:2:15: run.batch_size: expected an integer from 1 to 100000000, found '0'"},
    {"run:\n  batch_size: -5",
     "bad.yaml:2:15: run.batch_size: expected an integer from 1 to 100000000, found '-5'"},
    {"run:\n  num_workers: 1000",
     "bad.yaml:2:16: run.num_workers: expected an integer from 0 to 256, found '1000'"},
    {"run:\n  queue_depth: 1",
     "bad.yaml:2:16: run.queue_depth: expected an integer from 2 to 16, found '1'"},
    {"run:\n  time_budget: 10 minutes",
     "bad.yaml:2:16: run.time_budget: expected a duration such as 90s, 30m, 8h (0 = no limit), found '10 minutes'"},
    {"run:\n  time_budget: -3s",
     "bad.yaml:2:16: run.time_budget: expected a duration such as 90s, 30m, 8h (0 = no limit), found '-3s'"},
    {"run:\n  deterministic: maybe",
     "bad.yaml:2:18: run.deterministic: expected true or false, found 'maybe'"},
    {"run:\n  seed: 1.5",
     "bad.yaml:2:9: run.seed: expected an integer from 0 to 18446744073709551615, found '1.5'"},
    {"run:\n  put_timeout: 0",
     "bad.yaml:2:16: run.put_timeout: expected a duration of at least 0.001s such as 90s, 30m, 8h, found '0'"},
    {"run: 5",
     "bad.yaml:1:6: run: expected a mapping of keys, found '5'"},
    {"run:\n  iterations: [1, 2]",
     "bad.yaml:2:15: run.iterations: expected a single value, found a list"},
    {"checkpoint:\n  interval: sometimes",
     "bad.yaml:2:13: checkpoint.interval: expected an iteration count (e.g. 1000000), a duration (e.g. 30m), or off, found 'sometimes'"},
    {"checkpoint:\n  keep: 0",
     "bad.yaml:2:9: checkpoint.keep: expected an integer from 1 to 1000, found '0'"},
    {"run:\n  coordinator_cpu: pinned",
     "bad.yaml:2:20: run.coordinator_cpu: expected one of auto, follow, free, found 'pinned'"},
    {"logging:\n  progress: fancy",
     "bad.yaml:2:13: logging.progress: expected one of auto, bar, lines, found 'fancy'"},
    {"logging:\n  metrics_interval: 0.01s",
     "bad.yaml:2:21: logging.metrics_interval: expected a duration of at least 0.05s such as 90s, 30m, 8h, found '0.01s'"},
    {"logging:\n  logdir: \"\"",
     "bad.yaml:2:11: logging.logdir: expected a directory path, found ''"},
    {"solver:\n  sampling: outcome",
     "bad.yaml:2:13: solver.sampling: expected one of external, full, found 'outcome'"},
    // Full-width CFR: small games only, no pruning, expected averages; iteration weights need it.
    {"game:\n  name: nlhe\nsolver:\n  sampling: full",
     "bad.yaml: solver.sampling: expected external for game nlhe (full-width CFR enumerates every deal: kuhn and leduc only), found full"},
    {"solver:\n  sampling: full\n  prune_start: 1000",
     "bad.yaml: solver.prune_start: expected off with solver.sampling full (pruning is for sampled traversals), found 1000"},
    {"solver:\n  sampling: full\n  average_update: sampled",
     "bad.yaml: solver.average_update: expected expected or auto with solver.sampling full (every infoset's strategy is summed each iteration), found sampled"},
    {"solver:\n  average_weight: linear",
     "bad.yaml: solver.average_weight: expected uniform with solver.sampling external (iteration weights are for full-width CFR; with sampling, linear CFR is solver.discount_interval), found linear"},
    {"solver:\n  regret_weight: quadratic",
     "bad.yaml: solver.regret_weight: expected uniform with solver.sampling external (iteration weights are for full-width CFR; with sampling, linear CFR is solver.discount_interval), found quadratic"},
    {"solver:\n  sampling: full\n  average_weight: cubic",
     "bad.yaml:3:19: solver.average_weight: expected one of uniform, linear, quadratic, found 'cubic'"},
    {"solver:\n  discount_interval: 1000",
     "bad.yaml: solver.discount_stop: expected an iteration count or a duration when solver.discount_interval is set, found off"},
    {"solver:\n  discount_interval: 1000\n  discount_stop: 400m",
     "bad.yaml: solver.discount_stop: expected the unit of solver.discount_interval (1000), found 400m"},
    {"solver:\n  discount_interval: often",
     "bad.yaml:2:22: solver.discount_interval: expected an iteration count (e.g. 1000000), a duration (e.g. 30m), or off, found 'often'"},
    {"solver:\n  prune_start: 10m\nrun:\n  deterministic: true",
     "bad.yaml: solver.prune_start: expected an iteration count or off when run.deterministic is true (a duration depends on the machine's speed), found 10m"},
    {"solver:\n  prune_probability: 1.5",
     "bad.yaml:2:22: solver.prune_probability: expected a number from 0 to 1, found '1.5'"},
    {"solver:\n  regret_floor: 5",
     "bad.yaml:2:17: solver.regret_floor: expected a number at most 0 (utility units: big blinds for nlhe) or off, found '5'"},
    {"solver:\n  regret_floor: -100\n  prune_threshold: -200",
     "bad.yaml: solver.prune_threshold: expected above solver.regret_floor (-100), found -200"},
    {"solver:\n  average: river",
     "bad.yaml:2:12: solver.average: expected one of auto, all, preflop, found 'river'"},
    {"solver:\n  average_update: pluribus",
     "bad.yaml:2:19: solver.average_update: expected one of auto, expected, sampled, found 'pluribus'"},
    {"solver:\n  average_interval: 0",
     "bad.yaml:2:21: solver.average_interval: expected an integer from 1 to 1099511627776, found '0'"},
    {"- game",
     "bad.yaml:1:1: expected a mapping of sections (game, abstraction, ...), found a list"},
    {"run:\n  batch_sise: 10",
     "bad.yaml:2:3: unknown key 'run.batch_sise' (did you mean 'batch_size'?)"},
    {"game:\n  players: 7\n  name: nlhe",
     "bad.yaml:2:12: game.players: expected an integer from 2 to 6, found '7'"},
    {"game:\n  players: 3\n  stacks: [100, 200]\n  name: nlhe",
     "bad.yaml: game.stacks: expected one value for every seat or 3 values (game.players), found 2"},
    {"game:\n  stacks: [100, {a: 1}]\n  name: nlhe",
     "bad.yaml:2:17: game.stacks: expected a single value in the list, found a mapping"},
    {"game:\n  stacks: 0\n  name: nlhe",
     "bad.yaml:2:11: game.stacks: expected chips from 1 to 1000000000, one value for every seat or a list of one per seat, found '0'"},
    {"game:\n  small_blind: 200\n  name: nlhe",
     "bad.yaml: game.small_blind: expected at most game.big_blind (100), found 200"},
    {"betting:\n  flop:\n    max_raise: 2",
     "bad.yaml:3:5: unknown key 'betting.flop.max_raise' (did you mean 'max_raises'?)"},
    {"betting:\n  flpo:\n    max_raises: 2",
     "bad.yaml:2:3: unknown key 'betting.flpo' (did you mean 'flop'?)"},
    {"betting:\n  flop: 3",
     "bad.yaml:2:9: betting.flop: expected a mapping of keys (max_raises, sizes), found '3'"},
    {"betting:\n  flop:\n    limp: false",
     "bad.yaml:3:5: unknown key 'betting.flop.limp' (it exists only as betting.preflop.limp)"},
    {"betting:\n  turn:\n    sizes: [[0.5, huge], [allin]]\ngame:\n  name: nlhe",
     "bad.yaml:3:12: betting.turn.sizes: expected pot fractions or allin per raise depth, e.g. [[0.5, 1, allin], [allin]] (raise depth 0: 'huge' is not a pot fraction in (0, 100] or allin), found '0.5, huge | allin'"},
    {"betting:\n  river:\n    sizes: [[0.5], 1]\ngame:\n  name: nlhe",
     "bad.yaml:3:20: betting.river.sizes: expected a list per raise depth, found '1'"},
    {"betting:\n  river:\n    max_raises: 2\n    sizes: []\ngame:\n  name: nlhe_preflop",
     "bad.yaml: betting.river.sizes: expected at least one size when max_raises is 2, found none"},
    // Keys that mean nothing for the game: a config that sets the table but
    // forgets game.name must not quietly train leduc.
    {"game:\n  players: 6\n  stacks: 10000",
     "bad.yaml:2:12: game.players: expected only with game.name nlhe or nlhe_preflop (the table of no-limit hold'em), found with game.name leduc"},
    {"game:\n  name: kuhn\nbetting:\n  flop:\n    max_raises: 1",
     "bad.yaml:5:17: betting.flop.max_raises: expected only with game.name nlhe or nlhe_preflop (the bet sizes of no-limit hold'em), found with game.name kuhn"},
    {"abstraction:\n  buckets: b.bin\ngame:\n  name: nlhe_preflop",
     "bad.yaml:2:12: abstraction.buckets: expected only with game.name nlhe (bucket files are for nlhe), found with game.name nlhe_preflop"},
    {"game:\n  name: nlhe\nabstraction:\n  preflop_equity: e.bin",
     "bad.yaml:4:19: abstraction.preflop_equity: expected only with game.name nlhe_preflop (the push/fold game's showdown equities), found with game.name nlhe"},
    // Expected strategy-sum updates are unbiased for two players only.
    {"game:\n  name: nlhe\n  players: 6\nsolver:\n  average_update: expected",
     "bad.yaml: solver.average_update: expected sampled (or auto) with 6 players, found expected (it is unbiased for two players only)"}};
  for (const Case& c : cases) {
    CAPTURE(c.yaml);
    CHECK(ErrorOf(c.yaml) == c.message);
  }
  CHECK(std::size(cases) >= 20);
}

TEST_CASE("command-line overrides are validated like the file, and name their flag") {
  CHECK(ErrorOf("", {{"run.batchsize", "5", "--set"}}) ==
        "command line (--set): unknown key 'run.batchsize' (did you mean 'run.batch_size'?)");
  CHECK(ErrorOf("", {{"run.batch_size", "x", "--batch-size"}}) ==
        "command line (--batch-size): run.batch_size: expected an integer from 1 to 100000000, found 'x'");
}

TEST_CASE("a missing file is named in the error") {
  try {
    LoadConfig("no/such/config.yaml", {});
    FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "no/such/config.yaml: cannot read config file: No such file or directory");
  }
}

TEST_CASE("defaults fill an empty file; overrides win over the file") {
  const Config c = ParseConfig("run:\n  batch_size: 7\n  time_budget: 90s\n", "c.yaml",
                               {{"run.batch_size", "9", "--batch-size"}, {"run.num_workers", "3", "--num-workers"}});
  CHECK(c.run.batch_size == 9);
  CHECK(c.run.num_workers == 3);
  CHECK(c.run.time_budget_s == 90);
  CHECK(c.game.name == GameName::kLeduc);
  CHECK(c.checkpoint.keep == 3);
}

TEST_CASE("durations and intervals parse in their units") {
  CHECK(ParseDurationSeconds("90s") == 90);
  CHECK(ParseDurationSeconds("30m") == 1800);
  CHECK(ParseDurationSeconds("8h") == 28800);
  CHECK(ParseDurationSeconds("1.5h") == 5400);
  CHECK(ParseDurationSeconds("250ms") == doctest::Approx(0.25));
  CHECK(ParseDurationSeconds("12") == 12);
  CHECK_THROWS_AS(ParseDurationSeconds("12 parsecs"), std::invalid_argument);
  const Config iters = ParseConfig("checkpoint:\n  interval: 1000000\n", "c.yaml", {});
  CHECK(iters.checkpoint.interval.unit == Interval::Unit::kIterations);
  CHECK(iters.checkpoint.interval.value == 1000000);
  const Config timed = ParseConfig("checkpoint:\n  interval: 30m\n", "c.yaml", {});
  CHECK(timed.checkpoint.interval.unit == Interval::Unit::kSeconds);
  CHECK(timed.checkpoint.interval.value == 1800);
  CHECK(ParseConfig("checkpoint:\n  interval: off\n", "c.yaml", {}).checkpoint.interval.off());
}

TEST_CASE("solver keys left out take Pluribus' values for nlhe and plain MCCFR for the small games") {
  const Config nlhe = ParseConfig("game:\n  name: nlhe\n", "c.yaml", {});
  CHECK(nlhe.solver.discount_interval->unit == Interval::Unit::kSeconds);
  CHECK(nlhe.solver.discount_interval->value == 600);
  CHECK(nlhe.solver.discount_stop->value == 24000);
  CHECK(nlhe.solver.prune_start->ToString() == "200m");
  CHECK(nlhe.solver.regret_floor == -3.1e6);
  CHECK(nlhe.solver.prune_threshold == -3.0e6);
  CHECK(nlhe.solver.prune_probability == 0.95);
  CHECK(*nlhe.solver.average == AverageStreets::kPreflop);
  CHECK(nlhe.solver.NumAveragedStreets(4) == 1);
  CHECK(*nlhe.solver.average_update == AverageUpdate::kSampled);
  CHECK(nlhe.solver.average_interval == 10000);
  const std::string yaml = ToYaml(nlhe);
  CHECK(yaml.find("average_update: sampled") != std::string::npos);
  CHECK(yaml.find("average_interval: 10000") != std::string::npos);
  CHECK(yaml.find("discount_interval: 10m") != std::string::npos);
  CHECK(yaml.find("prune_start: 200m") != std::string::npos);
  CHECK(yaml.find("average: preflop") != std::string::npos);
  CHECK(yaml.find("discount_stop: 400m") != std::string::npos);

  const Config leduc = ParseConfig("game:\n  name: leduc\n", "c.yaml", {});
  CHECK(leduc.solver.discount_interval->off());
  CHECK(leduc.solver.prune_start->off());
  CHECK(*leduc.solver.average == AverageStreets::kAll);
  CHECK(leduc.solver.NumAveragedStreets(2) == 2);
  CHECK(*leduc.solver.average_update == AverageUpdate::kExpected);

  // Full width: the iteration weights and the floor reach the solver; the
  // pruning threshold is unused, so a floor of 0 is allowed.
  const Config cfr_plus = ParseConfig(
      "game:\n  name: kuhn\nsolver:\n  sampling: full\n  regret_floor: 0\n  average_weight: quadratic\n"
      "  regret_weight: linear\n",
      "c.yaml", {});
  CHECK(cfr_plus.solver.FullWidth());
  const bp::solver::SamplingOptions o = cfr_plus.solver.SamplingOptionsFor(1);
  CHECK(o.full_width);
  CHECK(o.regret_floor == 0.0);
  CHECK(o.regret_weight_power == 1);
  CHECK(o.average_weight_power == 2);
  CHECK(ToYaml(ParseConfig(ToYaml(cfr_plus), "resolved.yaml", {})) == ToYaml(cfr_plus));
  CHECK(IdentityKeys(cfr_plus).at("solver.average_weight") == "quadratic");
  CHECK(IdentityKeys(cfr_plus).at("solver.sampling") == "full");
  CHECK_FALSE(leduc.solver.SamplingOptionsFor(2).full_width);
  CHECK(leduc.solver.SamplingOptionsFor(2).average_weight_power == 0);

  const Config chosen = ParseConfig(
      "game:\n  name: nlhe\nsolver:\n  discount_interval: 1000\n  discount_stop: 5000\n  prune_start: off\n"
      "  average: all\n  regret_floor: off\n  average_update: expected\n  average_interval: 50\n",
      "c.yaml", {});
  CHECK(chosen.solver.discount_interval->unit == Interval::Unit::kIterations);
  CHECK(chosen.solver.discount_stop->value == 5000);
  CHECK(chosen.solver.prune_start->off());
  CHECK(chosen.solver.NumAveragedStreets(4) == 4);
  CHECK(std::isinf(chosen.solver.regret_floor));
  CHECK(*chosen.solver.average_update == AverageUpdate::kExpected);
  CHECK(chosen.solver.average_interval == 50);
  const Config again = ParseConfig(ToYaml(chosen), "resolved.yaml", {});
  CHECK(ToYaml(again) == ToYaml(chosen));
}

TEST_CASE("the resolved config round-trips through YAML with every key of its game present") {
  const Config c = ParseConfig("game:\n  name: kuhn\nrun:\n  time_budget: 2h\n  deterministic: true\n"
                               "checkpoint:\n  interval: 5000\nlogging:\n  logdir: runs/x y\n",
                               "c.yaml", {});
  const std::string yaml = ToYaml(c);
  // Each key on its own line, indented two spaces per level of nesting.
  const auto line_of = [](const std::string& key) {
    const auto depth = static_cast<std::size_t>(std::count(key.begin(), key.end(), '.'));
    std::string line = "\n";
    line.append(2 * depth, ' ');
    line += key.substr(key.rfind('.') + 1);
    return line + ':';
  };
  int absent = 0;
  for (const std::string& key : KnownKeys()) {
    CAPTURE(key);
    // The no-limit hold'em table, bet sizes and abstraction files mean nothing for kuhn.
    const bool nlhe_only = key.rfind("game.", 0) == 0 ? key != "game.name"
                                                      : key.rfind("betting.", 0) == 0 || key.rfind("abstraction.", 0) == 0 ||
                                                            key == "checkpoint.curve";
    CHECK((yaml.find(line_of(key)) != std::string::npos) == !nlhe_only);
    absent += nlhe_only;
  }
  CHECK(absent == 5 + 9 + 2 + 1);
  CHECK(yaml.find("\nbetting:") == std::string::npos);
  CHECK(yaml.find("\nabstraction:") == std::string::npos);
  // Every key of an nlhe config but the push/fold game's equity file.
  const std::string nlhe = ToYaml(ParseConfig("game:\n  name: nlhe\n", "c.yaml", {}));
  for (const std::string& key : KnownKeys()) {
    CAPTURE(key);
    CHECK((nlhe.find(line_of(key)) != std::string::npos) == (key != "abstraction.preflop_equity"));
  }
  const Config again = ParseConfig(yaml, "resolved.yaml", {});
  CHECK(ToYaml(again) == yaml);
  CHECK(again.game.name == GameName::kKuhn);
  CHECK(again.run.time_budget_s == 7200);
  CHECK(again.run.deterministic);
  CHECK(again.logging.logdir == "runs/x y");
  CHECK(IdentityKeys(again) == IdentityKeys(c));
  CHECK(IdentityKeys(c).count("game.name") == 1);
  CHECK(IdentityKeys(c).count("run.num_workers") == 0);  // workers may change on resume
}

TEST_CASE("no-limit hold'em table and betting abstraction: YAML lists or text, nested keys, overrides") {
  const Config c = ParseConfig(
      "game:\n  name: nlhe\n  players: 3\n  stacks: [10000, 5000, 20000]\n  ante: 10\n"
      "betting:\n  preflop:\n    limp: false\n    max_raises: 2\n    sizes: [[0.5, 1, allin], [allin]]\n"
      "  flop:\n    sizes: [0.33, allin]\n  river:\n    sizes: \"1 | allin\"\n",
      "c.yaml", {{"betting.turn.max_raises", "1", "--set"}, {"game.big_blind", "200", "--set"}});
  CHECK(c.game.name == GameName::kNlhe);
  CHECK(c.game.stacks == std::vector<std::int32_t>{10000, 5000, 20000});
  const auto& b = c.betting.streets;
  CHECK_FALSE(b[0].limp);
  CHECK(b[0].max_raises == 2);
  CHECK(bp::abstraction::FormatSizes(b[0].sizes) == "0.5, 1, allin | allin");
  CHECK(bp::abstraction::FormatSizes(b[1].sizes) == "0.33, allin");  // a flat list is one depth
  CHECK(bp::abstraction::FormatSizes(b[3].sizes) == "1 | allin");
  CHECK(b[2].max_raises == 1);
  const auto table = TableOf(c);
  CHECK(table.players == 3);
  CHECK(table.stacks[1] == 5000);
  CHECK(table.big_blind == 200);
  CHECK(table.ante == 10);
  // Round trip, and every table and betting key must match to resume.
  const Config again = ParseConfig(ToYaml(c), "resolved.yaml", {});
  CHECK(again.betting == c.betting);
  CHECK(again.game.stacks == c.game.stacks);
  CHECK(IdentityKeys(again) == IdentityKeys(c));
  CHECK(IdentityKeys(c).count("betting.flop.sizes") == 1);
  CHECK(IdentityKeys(c).count("game.stacks") == 1);
  // One stack for every seat.
  const Config same = ParseConfig("game:\n  name: nlhe\n  players: 6\n  stacks: 10000\n", "c.yaml", {});
  CHECK(TableOf(same).stacks[5] == 10000);
}

namespace {
// Runs train_blueprint with `args` through the shell; output and exit code.
std::pair<std::string, int> RunBinary(const std::string& args) {
  std::FILE* p = ::popen((std::string(TRAIN_BLUEPRINT) + " " + args + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {out, WEXITSTATUS(status)};
}
}  // namespace

TEST_CASE("train_blueprint tree prints the betting tree of an nlhe config; training nlhe without buckets is refused") {
  const std::string path = std::filesystem::temp_directory_path() / ("bp-tree-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "game:\n  name: nlhe\n  stacks: 1000\nbetting:\n";
    for (const char* street : {"preflop", "flop", "turn", "river"}) out << "  " << street << ":\n    max_raises: 1\n    sizes: allin\n";
  }
  const auto [text, rc] = RunBinary("tree --config " + path + " --buckets-per-street 169,10,10,10");
  CHECK(rc == 0);
  CHECK(text.find("betting tree: 34 nodes") != std::string::npos);  // the hand-counted tree of betting_tree_test
  CHECK(text.find(std::to_string(9 * 169 + 3 * 80) + " infoset-actions") != std::string::npos);
  const auto [smaller, rc2] = RunBinary("tree --config " + path + " --set betting.flop.max_raises=0");
  CHECK(rc2 == 0);
  // No flop bets: its 4 decision nodes and 4 terminals become 2 checks.
  CHECK(smaller.find("betting tree: 28 nodes") != std::string::npos);
  const auto [refused, rc3] = RunBinary("--config " + path + " --logdir /nonexistent/never");
  CHECK(rc3 == 2);
  CHECK(refused == "error: " + path + ": abstraction.buckets: nlhe needs a card abstraction file, found none; build one "
                   "with 'build_buckets --config configs/abstraction_small.yaml' and pass it with --buckets or the key\n");
  const auto [missing, rc5] = RunBinary("--config " + path + " --buckets /nonexistent.bin --logdir /nonexistent/never");
  CHECK(rc5 == 2);
  CHECK(missing == "error: /nonexistent.bin: cannot open bucket file: No such file or directory\n");
  const auto [bad, rc4] = RunBinary("tree --config " + path + " --buckets-per-street 1,2");
  CHECK(rc4 == 2);
  const auto [leduc, rc6] = RunBinary("tree --config " + std::string(CONFIG_DIR) + "/leduc.yaml");
  CHECK(rc6 == 2);
  CHECK(leduc == "error: " + std::string(CONFIG_DIR) + "/leduc.yaml: game.name: expected nlhe or nlhe_preflop for a "
                 "betting tree, found 'leduc'\n");
  CHECK(bad == "error: command line (--buckets-per-street): expected four positive counts such as 169,200,200,200, "
               "found '1,2'\n");
  std::filesystem::remove(path);
}

TEST_CASE("build_buckets config: defaults, shipped configs, exact messages, and the command line") {
  const BucketConfig defaults = ParseBucketConfig("", "b.yaml", {});
  CHECK(defaults.buckets == std::array<int, 4>{169, 200, 200, 200});
  const BucketConfig small = LoadBucketConfig(std::string(CONFIG_DIR) + "/abstraction_small.yaml", {});
  CHECK(small.buckets == std::array<int, 4>{169, 50, 50, 50});
  CHECK(small.out == "assets/buckets_small.bin");
  const BucketConfig big = LoadBucketConfig(std::string(CONFIG_DIR) + "/abstraction_200.yaml",
                                            {{"buckets.river", "300", "--k-river"}});
  CHECK(big.buckets == std::array<int, 4>{169, 200, 200, 300});
  CHECK(ParseBucketConfig(ToYaml(big), "again.yaml", {}).buckets == big.buckets);
  auto error_of = [](const std::string& yaml, const std::vector<Override>& overrides = {}) {
    try {
      ParseBucketConfig(yaml, "b.yaml", overrides);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(error_of("buckets:\n  preflop: 200") == "b.yaml:2:12: buckets.preflop: expected an integer from 1 to 169, found '200'");
  CHECK(error_of("buckets:\n  trun: 5") == "b.yaml:2:3: unknown key 'buckets.trun' (did you mean 'turn'?)");
  CHECK(error_of("kmeans:\n  tolerance: small") == "b.yaml:2:14: kmeans.tolerance: expected a number from 0 to 1, found 'small'");
  CHECK(error_of("features:\n  histogram_bins: 1") == "b.yaml:2:19: features.histogram_bins: expected an integer from 2 to 255, found '1'");
  CHECK(error_of("", {{"buckets.flop", "0", "--k-flop"}}) == "command line (--k-flop): buckets.flop: expected an integer from 1 to 65536, found '0'");
  CHECK(error_of("kmean:\n  restarts: 2") == "b.yaml:1:1: unknown section 'kmean' (did you mean 'kmeans'?); sections are buckets, features, kmeans, build");

  const std::string bb = BUILD_BUCKETS;
  const auto run = [&](const std::string& args) {
    std::FILE* p = ::popen((bb + " " + args + " 2>&1").c_str(), "r");
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    return std::pair<std::string, int>{out, WEXITSTATUS(::pclose(p))};
  };
  const auto [printed, rc] = run("--config " + std::string(CONFIG_DIR) + "/abstraction_small.yaml --k-turn 70 --print-config");
  CHECK(rc == 0);
  CHECK(printed.find("  turn: 70\n") != std::string::npos);
  const auto [bad, rc2] = run("--config " + std::string(CONFIG_DIR) + "/abstraction_small.yaml --k-preflop 170");
  CHECK(rc2 == 2);
  CHECK(bad == "error: command line (--k-preflop): buckets.preflop: expected an integer from 1 to 169, found '170'\n");
  const auto [missing, rc3] = run("--config /nonexistent.yaml");
  CHECK(rc3 == 2);
  CHECK(missing == "error: /nonexistent.yaml: cannot read config file: No such file or directory\n");
}

TEST_CASE("every shipped config is valid; the hold'em ones describe the tables they say") {
  for (const auto& entry : std::filesystem::directory_iterator(CONFIG_DIR)) {
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    if (name.rfind("abstraction_", 0) == 0) {
      CHECK_NOTHROW(LoadBucketConfig(entry.path().string(), {}));
    } else {
      CHECK_NOTHROW(LoadConfig(entry.path().string(), {}));
    }
  }
  const Config hunl = LoadConfig(std::string(CONFIG_DIR) + "/hunl_200bb.yaml", {});
  CHECK(TableOf(hunl).stacks[1] == 20000);
  CHECK(hunl.abstraction.buckets == "assets/buckets_200.bin");
  const Config six = LoadConfig(std::string(CONFIG_DIR) + "/6max.yaml", {});
  CHECK(TableOf(six).players == 6);
  CHECK(TableOf(six).stacks[5] == 10000);
  const Config pushfold = LoadConfig(std::string(CONFIG_DIR) + "/pushfold.yaml", {});
  CHECK(pushfold.game.name == GameName::kNlhePreflop);
  CHECK(TableOf(pushfold).stacks[0] == 10 * TableOf(pushfold).big_blind);
}

TEST_CASE("durations and counts at their limits: refused when infinite, written back so they parse again") {
  CHECK(ErrorOf("", {{"run.time_budget", "1e308h", "--time-budget"}}) ==
        "command line (--time-budget): run.time_budget: expected a duration such as 90s, 30m, 8h (0 = no limit), "
        "found '1e308h'");
  CHECK(ErrorOf("", {{"run.put_timeout", "2d", "--set"}}) ==
        "command line (--set): run.put_timeout: expected a duration from 1ms to 24h, found '2d'");
  // The largest values each key takes survive the resolved config.
  const Config big = ParseConfig("run:\n  time_budget: 1e300s\ncheckpoint:\n  interval: 18446744073709551615\n  "
                                 "snapshot_interval: 1e300h\n",
                                 "big.yaml", {});
  const Config again = ParseConfig(ToYaml(big), "resolved", {});
  CHECK(again.run.time_budget_s == big.run.time_budget_s);
  CHECK(again.checkpoint.interval.value == big.checkpoint.interval.value);
  CHECK(again.checkpoint.interval.ToString() == "18446744073709551615");
  CHECK(again.checkpoint.snapshot_interval.value == big.checkpoint.snapshot_interval.value);
  CHECK(ToYaml(again) == ToYaml(big));
}
