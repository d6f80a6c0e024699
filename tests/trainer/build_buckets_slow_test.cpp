// Slow: a whole card-abstraction build (every canonical hand featurised, small
// k), checked against known equities and the bucket file's promises, then
// rebuilt from the cached features with another thread count: byte-identical.
#include <doctest/doctest.h>
#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "abstraction/bucket_file.h"
#include "solver/regret_matching.h"
#include "solver/table_layout.h"
#include "trainer/blueprint.h"
#include "base/checksum.h"
#include "support/legacy_formats.h"
#include "trainer/run_dir.h"
#include "trainer/head_to_head.h"
#include "trainer/snapshot.h"
#include "trainer/build_buckets.h"
#include "trainer/checkpoint.h"
#include "strength_checks.h"

using namespace bp;
using namespace bp::abstraction;
namespace fs = std::filesystem;

namespace {

Card CardOf(const char* text) { return *ParseCard(text); }

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("build_buckets end to end: equities, non-empty ordered buckets, isomorphic hands together, reproducible") {
  const fs::path dir = fs::temp_directory_path() / ("bp-build-buckets-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  trainer::BucketConfig config;
  config.buckets = {169, 8, 8, 8};
  config.histogram_bins = 20;
  config.sample = 20000;
  config.restarts = 1;
  config.max_iterations = 10;
  config.seed = 7;
  config.threads = 2;
  config.out = (dir / "buckets.bin").string();
  std::FILE* log = std::fopen((dir / "build.log").c_str(), "w");
  REQUIRE(log != nullptr);
  const trainer::BuildReport report = trainer::BuildBuckets(config, log, /*keep_parts=*/true);
  const HoldemIndexer indexer(IsomorphismMode::kBoardAsSet);

  // All-in equity against one random hand: AA 0.852, KK 0.824; AA best, 32o worst.
  auto preflop_index = [&](const char* a, const char* b) {
    const Card hole[2] = {CardOf(a), CardOf(b)};
    return indexer.Index(0, hole, nullptr);
  };
  const auto& equity = report.preflop_equity;
  REQUIRE(equity.size() == 169);
  CHECK(equity[preflop_index("As", "Ah")] == doctest::Approx(0.852).epsilon(0.001));
  CHECK(equity[preflop_index("Ks", "Kh")] == doctest::Approx(0.824).epsilon(0.001));
  CHECK(std::max_element(equity.begin(), equity.end()) - equity.begin() == static_cast<long>(preflop_index("As", "Ah")));
  CHECK(std::min_element(equity.begin(), equity.end()) - equity.begin() == static_cast<long>(preflop_index("3s", "2h")));

  const BucketFile file = BucketFile::Open(config.out);
  CHECK(file.fingerprint() == report.fingerprint);
  const Card aa[2] = {CardOf("Ad"), CardOf("Ac")};
  const Card trey_deuce[2] = {CardOf("3c"), CardOf("2d")};
  CHECK(file.Bucket(0, aa, nullptr) == 168);  // lossless preflop, numbered by equity
  CHECK(file.Bucket(0, trey_deuce, nullptr) == 0);

  // Every bucket of every street holds at least one class.
  for (int s = 0; s < 4; ++s) {
    CAPTURE(s);
    std::vector<std::uint64_t> count(file.buckets(s), 0);
    for (std::uint64_t i = 0; i < file.entries(s); ++i) ++count[file.BucketOfIndex(s, i)];
    CHECK(std::count(count.begin(), count.end(), 0u) == 0);
  }

  // River buckets in ascending order of their members' mean EHS (the exact
  // EHS of every river class is kept in the build's parts).
  {
    std::string bytes;
    const auto part = base::ReadFramedFile(fs::path(config.out + ".parts") / "river_ehs.f32",
                                           trainer::kBuildPartFormat, bytes);
    base::ByteReader in(part.body);
    in.ReadString("key");
    std::vector<float> ehs;
    REQUIRE(in.remaining() == file.entries(3) * sizeof(float));
    in.ReadArray(file.entries(3), ehs, "river EHS");
    std::vector<double> sum(file.buckets(3), 0);
    std::vector<std::uint64_t> n(file.buckets(3), 0);
    for (std::uint64_t i = 0; i < ehs.size(); ++i) {
      sum[file.BucketOfIndex(3, i)] += ehs[i];
      ++n[file.BucketOfIndex(3, i)];
    }
    for (std::uint32_t b = 1; b < file.buckets(3); ++b) CHECK(sum[b] / n[b] > sum[b - 1] / n[b - 1]);
  }

  // Suit-permuted hands, cards in any order, share every street's bucket.
  std::mt19937_64 gen(11);
  for (int trial = 0; trial < 20000; ++trial) {
    std::vector<int> deck(52);
    for (int c = 0; c < 52; ++c) deck[c] = c;
    std::shuffle(deck.begin(), deck.end(), gen);
    std::array<int, 4> perm = {0, 1, 2, 3};
    std::shuffle(perm.begin(), perm.end(), gen);
    auto permuted = [&](int c) { return MakeCard(RankOf(static_cast<Card>(c)), perm[SuitOf(static_cast<Card>(c))]); };
    const Card hole[2] = {static_cast<Card>(deck[0]), static_cast<Card>(deck[1])};
    const Card board[5] = {static_cast<Card>(deck[2]), static_cast<Card>(deck[3]), static_cast<Card>(deck[4]),
                           static_cast<Card>(deck[5]), static_cast<Card>(deck[6])};
    for (int s = 0; s < 4; ++s) {
      const int nb = kBoardCards[static_cast<std::size_t>(s)];
      Card hole_p[2] = {permuted(deck[1]), permuted(deck[0])};
      Card board_p[5];
      for (int c = 0; c < nb; ++c) board_p[c] = permuted(deck[2 + nb - 1 - c]);
      REQUIRE(file.Bucket(s, hole, board) == file.Bucket(s, hole_p, board_p));
    }
  }

  // Deterministic NLHE with int32 regrets through a checkpoint, discounting
  // and pruning on the way: 2N iterations in one go equal N, resume, N more.
  {
    const std::string common = std::string(" --config ") + CONFIG_DIR + "/hunl_quick.yaml --buckets " + config.out +
                               " --deterministic --num-workers 1 --batch-size 10000 --time-budget 0"
                               " --set solver.discount_interval=40000 --set solver.discount_stop=160000"
                               " --set solver.prune_start=100000 --set checkpoint.snapshot_interval=50000"
                               " --set checkpoint.snapshot_start=0";
    auto train = [&](const std::string& args, const char* out) {
      const std::string command = std::string(TRAIN_BLUEPRINT) + args + " > " + (dir / out).string() + " 2>&1";
      return std::system(command.c_str());
    };
    REQUIRE(train(common + " --iters 200000 --logdir " + (dir / "whole").string(), "whole.out") == 0);
    REQUIRE(train(common + " --iters 100000 --logdir " + (dir / "split").string(), "split1.out") == 0);
    REQUIRE(train(" --resume-from " + (dir / "split").string() + " --iters 200000 --num-workers 2", "split2.out") == 0);
    const auto a = trainer::ReadCheckpoint(dir / "whole" / "checkpoints" / "ckpt-200000.bin");
    const auto b = trainer::ReadCheckpoint(dir / "split" / "checkpoints" / "ckpt-200000.bin");
    CHECK(a.discounts_applied == 4);
    CHECK(b.discounts_applied == 4);
    CHECK(a.int_regrets());
    CHECK(a.Regrets<std::int32_t>().size() > 1000);
    CHECK(a.Regrets<std::int32_t>() == b.Regrets<std::int32_t>());
    CHECK(a.strategy_sum == b.strategy_sum);
    // Deterministic snapshots are the table after exactly the batches
    // applied: the same bytes in both runs, before and after the resume.
    for (const char* name : {"snapshot-50000.bin", "snapshot-150000.bin"}) {
      CAPTURE(name);
      const std::string whole = Slurp(dir / "whole" / "snapshots" / name);
      CHECK(whole.size() > 1000);
      CHECK(whole == Slurp(dir / "split" / "snapshots" / name));
    }
  }

  // The trainer trains no-limit hold'em with this file: configs/hunl_quick.yaml
  // for 6M iterations (seconds) on two workers, every batch applied once;
  // deterministic, so that what it learns does not depend on how loaded the
  // machine is (two workers sharing a core with other tests folded 72o 0.88,
  // alone 0.998).
  {
    const fs::path logdir = dir / "hunl";
    const std::string command = std::string(TRAIN_BLUEPRINT) + " --config " + CONFIG_DIR + "/hunl_quick.yaml" +
                                " --buckets " + config.out +
                                " --num-workers 2 --deterministic --iters 6000000 --snapshot-interval 1000000 --set "
                                "checkpoint.snapshot_start=0 --set checkpoint.interval=1500000 --logdir " +
                                logdir.string() + " > " + (dir / "hunl.out").string() + " 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
    const std::string out = Slurp(logdir / "train.log");
    CHECK(out.find("every batch applied exactly once") != std::string::npos);
    CHECK(out.find("card abstraction " + config.out + ": 169 / 8 / 8 / 8 buckets") != std::string::npos);
    const auto checkpoints = std::distance(fs::directory_iterator(logdir / "checkpoints"), fs::directory_iterator{});
    CHECK(checkpoints >= 1);
    const std::string inspect = std::string(TRAIN_BLUEPRINT) + " inspect " +
                                (*fs::directory_iterator(logdir / "checkpoints")).path().string() +
                                " --infoset 'preflop b168:' > " + (dir / "inspect.out").string() + " 2>&1";
    CHECK(std::system(inspect.c_str()) == 0);
    CHECK(Slurp(dir / "inspect.out").find("a20000") != std::string::npos);  // the shove of 200 big blinds

    // NLHE regrets are int32 hundredths of a big blind, held above Pluribus' floor.
    {
      const trainer::CheckpointData last = trainer::ReadCheckpoint(*fs::directory_iterator(logdir / "checkpoints"));
      REQUIRE(last.int_regrets());
      const auto& regrets = last.Regrets<std::int32_t>();
      REQUIRE(regrets.size() == last.num_regrets());
      CHECK(*std::min_element(regrets.begin(), regrets.end()) >= -310000000);
      CHECK(std::any_of(regrets.begin(), regrets.end(), [](std::int32_t r) { return r > 10000; }));
    }

    // The blueprint: the preflop average strategy, queried by real actions.
    const trainer::Blueprint blueprint = trainer::Blueprint::Open((logdir / "blueprint.bin").string(), config.out);
    const trainer::CheckpointData ckpt = trainer::ReadCheckpoint(*fs::directory_iterator(logdir / "checkpoints"));
    CHECK(blueprint.iterations() == ckpt.iterations);
    const auto root = blueprint.Query(0, {}, aa, {});
    REQUIRE(root.size() == 3);  // no limp: f, r300, a20000
    CHECK(root[1].name == "r300");
    double sum = 0;
    double average[3];
    const solver::TableLayout layout(blueprint.game());
    solver::NormalizeStrategySum(ckpt.strategy_sum.data() + layout.entry_offset(0) + 3 * file.Bucket(0, aa, nullptr), 3,
                                 average);
    for (int a = 0; a < 3; ++a) {
      sum += root[static_cast<std::size_t>(a)].probability;
      CHECK(root[static_cast<std::size_t>(a)].probability == doctest::Approx(average[a]).epsilon(1e-6));
    }
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
    // Already a sensible opening: the button raises the best hands and folds 72o.
    for (const char* hand : {"AsAh", "KsKh", "QsQh", "AsKs"}) {
      const Card hole[2] = {CardOf(std::string(hand, 2).c_str()), CardOf(std::string(hand + 2, 2).c_str())};
      const auto p = blueprint.Query(0, {}, hole, {});
      CAPTURE(hand);
      CHECK(p[1].probability + p[2].probability >= 0.9);
    }
    // Blueprints of the earlier versions (1: FNV-1a 64, 2: XXH3-64, both
    // without a length) open to the same strategy; a flipped bit is refused.
    for (const std::uint32_t version : {1u, 2u}) {
      CAPTURE(version);
      const std::string current = Slurp(logdir / "blueprint.bin");
      REQUIRE(current.substr(0, 8) == "BPBLUEP1");
      REQUIRE(current[8] == 3);
      base::ByteReader body(std::span<const char>(current).subspan(24, current.size() - 32));
      const auto iterations = body.Read<std::uint64_t>("iterations");
      const auto fingerprint = body.Read<std::uint64_t>("fingerprint");
      const auto entries = body.Read<std::uint64_t>("entries");
      const std::string yaml = body.ReadString("config");
      body.Align(8, "padding");
      std::vector<float> probabilities;
      body.ReadArray(entries, probabilities, "probabilities");
      std::string old_file = legacy::EncodeBlueprintV1V2(version, iterations, fingerprint, yaml, probabilities);
      const fs::path old_path = dir / ("blueprint-v" + std::to_string(version) + ".bin");
      std::ofstream(old_path, std::ios::binary) << old_file;
      const auto old = trainer::Blueprint::Open(old_path.string(), config.out);
      CHECK(old.iterations() == blueprint.iterations());
      const auto again = old.Query(0, {}, aa, {});
      REQUIRE(again.size() == root.size());
      for (std::size_t a = 0; a < root.size(); ++a) CHECK(again[a].probability == root[a].probability);
      old_file[old_file.size() / 2] ^= 8;
      std::ofstream(old_path, std::ios::binary | std::ios::trunc) << old_file;
      CHECK_THROWS_WITH(trainer::Blueprint::Open(old_path.string(), config.out),
                        (old_path.string() + ": checksum mismatch: the content is corrupt").c_str());
    }
    const Card seven_deuce[2] = {CardOf("7s"), CardOf("2h")};
    const double fold_72o = blueprint.Query(0, {}, seven_deuce, {})[0].probability;
    MESSAGE("the button folds 72o with probability ", fold_72o);
    CHECK(fold_72o >= 0.9);
    // An off-tree open to 280 chips is read as the tree's r300; the big blind answers.
    const auto facing = blueprint.Query(1, {"r280"}, trey_deuce, {});
    const auto facing_tree = blueprint.Query(1, {"r300"}, trey_deuce, {});
    REQUIRE(facing.size() == facing_tree.size());
    for (std::size_t a = 0; a < facing.size(); ++a) CHECK(facing[a].probability == facing_tree[a].probability);
    // On the flop after a call, the big blind acts first.
    const std::vector<Card> flop = {CardOf("2c"), CardOf("7h"), CardOf("Ks")};
    const auto flop_actions = blueprint.Query(1, {"r300", "c"}, aa, flop);
    CHECK(flop_actions.front().name == "k");
    CHECK_THROWS_WITH(blueprint.Query(0, {"r300", "c"}, aa, flop), "query after 'r300 c': seat 1 is to act, not seat 0");
    CHECK_THROWS_WITH(blueprint.Query(1, {"r300", "c"}, aa, {}), "query after 'r300 c': the flop needs 3 board cards, found 0");
    CHECK_THROWS_WITH(blueprint.Query(1, {"r150"}, aa, {}), "query after '': a raise to 150 is illegal here (from 200 to 20000)");
    CHECK_THROWS_WITH(blueprint.Query(1, {"x"}, aa, {}), "query after '': 'x' is not a legal action (f, k, c, r<chips> or a)");
    // The button's chart reads the same from the blueprint as from the checkpoint.
    auto chart = [&](const std::string& target, const char* name) {
      const std::string inspect_chart = std::string(TRAIN_BLUEPRINT) + " inspect " + target +
                                        " --preflop-chart --position btn > " + (dir / name).string() + " 2>&1";
      REQUIRE(std::system(inspect_chart.c_str()) == 0);
      return Slurp(dir / name);
    };
    const std::string from_checkpoint =
        chart((*fs::directory_iterator(logdir / "checkpoints")).path().string(), "chart_ckpt.txt");
    CHECK(from_checkpoint.find("btn (seat 0) facing folds") == 0);
    // Cells are rounded percentages; the blueprint stores probabilities as
    // float, the checkpoint as double sums, so a cell on a .5 edge may round
    // either way: every cell within 1, every word the same.
    const std::string from_blueprint = chart((logdir / "blueprint.bin").string(), "chart_blueprint.txt");
    {
      std::istringstream a(from_checkpoint), b(from_blueprint);
      std::string x, y;
      int cells = 0;
      while (a >> x) {
        REQUIRE(static_cast<bool>(b >> y));
        auto number = [](const std::string& w) { return w.find_first_not_of("0123456789") == std::string::npos; };
        if (number(x) && number(y)) {
          CHECK(std::abs(std::stoi(x) - std::stoi(y)) <= 1);
          ++cells;
        } else {
          CHECK(x == y);
        }
      }
      CHECK_FALSE(static_cast<bool>(b >> y));
      CHECK(cells >= 3 * 169);
    }

    // After the preflop the blueprint plays the mean of the run's snapshots.
    const std::uint64_t first = layout.street_end(0);
    std::uint64_t fingerprint = 0;
    {
      std::ifstream snapshot(fs::directory_iterator(logdir / "snapshots")->path(), std::ios::binary);
      snapshot.seekg(24 + 8);  // the body's second field (trainer/snapshot.h)
      snapshot.read(reinterpret_cast<char*>(&fingerprint), sizeof(fingerprint));
    }
    std::vector<std::string> skipped;
    std::vector<float> mean(layout.num_entries() - first);
    const int used = trainer::MeanOfSnapshots(trainer::RunDir(logdir), fingerprint, first, mean, skipped);
    CHECK(skipped.empty());
    REQUIRE(used >= 2);
    CHECK(out.find(fmt::format("the mean of {} current-strategy snapshot(s) after it", used)) != std::string::npos);
    std::uint64_t compared = 0;
    const auto& game = blueprint.game();
    for (std::uint32_t node = 0; node < game.NumNodes(); ++node) {
      if (game.IsTerminal(node) || game.Street(node) == 0) continue;
      const int n = game.NumActions(node);
      for (std::uint32_t b = 0; b < game.NumBuckets(game.Street(node)); ++b) {
        for (int a = 0; a < n; ++a) {
          const std::uint64_t e = layout.entry_offset(node) + std::uint64_t{b} * static_cast<std::uint64_t>(n) +
                                  static_cast<std::uint64_t>(a);
          REQUIRE(blueprint.At(node, b)[a] == mean[e - first]);
          ++compared;
        }
      }
    }
    CHECK(compared == layout.num_entries() - first);

    // Head to head with duplicate deals. A blueprint that plays the calling
    // station's actions against the calling station: both seats act alike
    // whatever their cards, and the seat swap cancels every hand exactly.
    std::vector<float> passive(layout.num_entries(), 0.0f), uniform(layout.num_entries(), 0.0f);
    for (std::uint32_t node = 0; node < game.NumNodes(); ++node) {
      if (game.IsTerminal(node)) continue;
      const int n = game.NumActions(node);
      const int call = trainer::PassiveAction(game.tree(), node);
      for (std::uint32_t b = 0; b < game.NumBuckets(game.Street(node)); ++b) {
        const std::uint64_t base = layout.entry_offset(node) + std::uint64_t{b} * static_cast<std::uint64_t>(n);
        passive[base + static_cast<std::uint64_t>(call)] = 1.0f;
        for (int a = 0; a < n; ++a) uniform[base + static_cast<std::uint64_t>(a)] = 1.0f / static_cast<float>(n);
      }
    }
    const fs::path passive_path = dir / "passive.bin", uniform_path = dir / "uniform.bin";
    trainer::Blueprint::Write(passive_path.string(), blueprint.config(), 0, file.fingerprint(), passive);
    trainer::Blueprint::Write(uniform_path.string(), blueprint.config(), 0, file.fingerprint(), uniform);
    const auto station = trainer::PlayHeadToHead(trainer::Blueprint::Open(passive_path.string(), config.out),
                                                 trainer::Opponent::kCall, 20000, 3);
    CHECK(station.bb_per_100 == 0.0);
    CHECK(station.ci95_bb_per_100 == 0.0);
    CHECK(station.hands == 40000);
    // Uniform play against uniform play: zero within the interval.
    const auto mirror = trainer::PlayHeadToHead(trainer::Blueprint::Open(uniform_path.string(), config.out),
                                                trainer::Opponent::kRandom, 100000, 3);
    MESSAGE("uniform vs random: ", mirror.bb_per_100, " +/- ", mirror.ci95_bb_per_100, " bb/100");
    CHECK(mirror.ci95_bb_per_100 > 0);
    CHECK(std::abs(mirror.bb_per_100) < 2 * mirror.ci95_bb_per_100);
    // The trained blueprint beats both simple opponents, well outside the interval.
    for (const auto opponent : {trainer::Opponent::kCall, trainer::Opponent::kRandom}) {
      const auto r = trainer::PlayHeadToHead(blueprint, opponent, 100000, 5);
      MESSAGE("trained (6M iterations) vs ", r.opponent, ": ", r.bb_per_100, " +/- ", r.ci95_bb_per_100, " bb/100");
      CHECK(r.bb_per_100 > 3 * r.ci95_bb_per_100);
    }
    // The command line: a table, JSON, and one clear message for a bad opponent.
    const std::string eval = std::string(EVAL_BLUEPRINT) + " " + (logdir / "blueprint.bin").string() + " --buckets " +
                             config.out + " --deals 1000 --json > " + (dir / "eval.out").string() + " 2>&1";
    REQUIRE(std::system(eval.c_str()) == 0);
    const std::string eval_out = Slurp(dir / "eval.out");
    CHECK(eval_out.find("\"opponent\":\"call\"") != std::string::npos);
    CHECK(eval_out.find("\"opponent\":\"random\"") != std::string::npos);
    CHECK(eval_out.find("\"bb_per_100\"") != std::string::npos);
    const std::string bad = std::string(EVAL_BLUEPRINT) + " " + (logdir / "blueprint.bin").string() +
                            " --opponent fish > " + (dir / "eval_bad.out").string() + " 2>&1";
    CHECK(WEXITSTATUS(std::system(bad.c_str())) == 2);
    CHECK(Slurp(dir / "eval_bad.out") == "error: --opponent: expected one of fold, call, random, allin, found 'fish'\n");

    // Local best response, matches and the strength curve (strength_checks.h).
    strength_checks::CheckStrength(logdir, config.out, dir);

    // Resume identifies the card abstraction by its file's fingerprint: from
    // another working directory with the same file under another name it
    // goes on; with another file of the same sizes it is refused.
    const fs::path copy = dir / "renamed-buckets.bin";
    fs::copy_file(config.out, copy, fs::copy_options::overwrite_existing);
    const std::string resume = "cd / && " + std::string(TRAIN_BLUEPRINT) + " --resume-from " + logdir.string() +
                               " --iters 6100000 --buckets " + copy.string() + " > " + (dir / "resume.out").string() +
                               " 2>&1";
    CHECK(std::system(resume.c_str()) == 0);
    CHECK(trainer::RunDir(logdir).ListCheckpoints().front().filename() == "ckpt-6100000.bin");
    {
      std::string bytes = Slurp(copy);
      bytes[200] = static_cast<char>(bytes[200] == 0 ? 1 : 0);  // another preflop bucket for one class
      const std::uint64_t checksum = base::Checksum::Of(base::Checksum::Kind::kXxh3, bytes.data(), bytes.size() - 8);
      std::memcpy(bytes.data() + bytes.size() - 8, &checksum, 8);
      std::ofstream(copy, std::ios::binary | std::ios::trunc) << bytes;
    }
    const BucketFile other = BucketFile::Open(copy.string());
    const std::string refused = std::string(TRAIN_BLUEPRINT) + " --resume-from " + logdir.string() +
                                " --iters 6200000 --buckets " + copy.string() + " > " +
                                (dir / "refused.out").string() + " 2>&1";
    CHECK(WEXITSTATUS(std::system(refused.c_str())) == 2);
    CHECK(Slurp(dir / "refused.out")
              .find(fmt::format("abstraction.buckets_fingerprint: checkpoint has '{:016x}', config has '{:016x}'",
                                file.fingerprint(), other.fingerprint())) != std::string::npos);

    // A blueprint that cannot be written: the reason in the log, the final
    // metrics and the summary still written, exit 1, nothing half-written.
    const fs::path failing = dir / "hunl-no-blueprint";
    const std::string no_blueprint = "BP_WRITE_FAULTS=blueprint.bin:enospc " + std::string(TRAIN_BLUEPRINT) +
                                     " --config " + CONFIG_DIR + "/hunl_quick.yaml --buckets " + config.out +
                                     " --num-workers 1 --iters 50000 --logdir " + failing.string() + " > " +
                                     (dir / "no-blueprint.out").string() + " 2>&1";
    CHECK(WEXITSTATUS(std::system(no_blueprint.c_str())) == 1);
    const std::string failing_log = Slurp(failing / "train.log");
    CHECK(failing_log.find("the blueprint was not written: " + (failing / "blueprint.bin.tmp").string() +
                           ": write failed: No space left on device") != std::string::npos);
    CHECK(failing_log.find("every batch applied exactly once") != std::string::npos);
    CHECK(Slurp(failing / "metrics.jsonl").find("\"final\":true") != std::string::npos);
    CHECK_FALSE(fs::exists(failing / "blueprint.bin"));
    CHECK_FALSE(fs::exists(failing / "blueprint.bin.tmp"));
  }

  // Again from the cached features, clustering every street anew on one
  // thread: the same file, byte for byte.
  const std::string first = Slurp(config.out);
  fs::remove(fs::path(config.out + ".parts") / "river.u16");
  fs::remove(fs::path(config.out + ".parts") / "turn.u16");
  config.threads = 1;
  const trainer::BuildReport again = trainer::BuildBuckets(config, log, /*keep_parts=*/false);
  std::fclose(log);
  CHECK(again.fingerprint == report.fingerprint);
  CHECK(Slurp(config.out) == first);
  CHECK_FALSE(again.streets[3].from_parts);
  CHECK_FALSE(fs::exists(config.out + ".parts"));
  fs::remove_all(dir);
}
