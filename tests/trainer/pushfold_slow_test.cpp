// Slow: the exact preflop equity table (every matchup over every board, on
// two threads), checked against brute force and the river-EHS pipeline's
// equities; the push/fold game solved to an exploitability below 0.001 big
// blinds per hand, serially and through train_blueprint with two workers.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "abstraction/bucket_file.h"
#include "abstraction/preflop_game.h"
#include "solver/exact_evaluator.h"
#include "solver/external_sampling.h"
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "solver/tables.h"
#include "trainer/lbr.h"
#include "trainer/task_pool.h"
#include "trainer/tree_strategy.h"

using namespace bp;
using namespace bp::abstraction;
namespace fs = std::filesystem;

namespace {

int Pair(const char* a, const char* b) { return HolePairIndex(*ParseCard(a), *ParseCard(b)); }

// P(win) + P(tie) / 2 by evaluating both hands on every board, seven cards at a time.
double BruteForce(const HandEvaluator& ev, int pa, int pb) {
  const auto a = HolePairCards(pa), b = HolePairCards(pb);
  const CardMask used = MaskOf(a[0]) | MaskOf(a[1]) | MaskOf(b[0]) | MaskOf(b[1]);
  std::vector<Card> rest;
  for (int c = 0; c < 52; ++c)
    if (!(used & MaskOf(static_cast<Card>(c)))) rest.push_back(static_cast<Card>(c));
  double score = 0, boards = 0;
  Card ha[7] = {a[0], a[1]}, hb[7] = {b[0], b[1]};
  for (std::size_t i = 0; i < rest.size(); ++i)
    for (std::size_t j = i + 1; j < rest.size(); ++j)
      for (std::size_t k = j + 1; k < rest.size(); ++k)
        for (std::size_t l = k + 1; l < rest.size(); ++l)
          for (std::size_t m = l + 1; m < rest.size(); ++m) {
            const Card board[5] = {rest[i], rest[j], rest[k], rest[l], rest[m]};
            std::copy(board, board + 5, ha + 2);
            std::copy(board, board + 5, hb + 2);
            const auto sa = ev.Strength7(ha), sb = ev.Strength7(hb);
            score += sa > sb ? 1.0 : sa == sb ? 0.5 : 0.0;
            boards += 1;
          }
  REQUIRE(boards == 1712304);
  return score / boards;
}

// A policy of the push/fold game as a strategy LBR can play against: its
// tree, the 169 preflop classes as buckets, the policy's probabilities.
class PolicyStrategy final : public trainer::TreeStrategy {
 public:
  PolicyStrategy(const PreflopGame& game, const solver::TableLayout& layout, const solver::TabularPolicy& policy)
      : game_(game), layout_(layout), probabilities_(layout.num_entries()) {
    for (std::uint32_t node = 0; node < game.NumNodes(); ++node) {
      if (game.IsTerminal(node)) continue;
      for (std::uint32_t b = 0; b < game.NumBuckets(game.Street(node)); ++b) {
        const auto p = policy.At(node, b);
        for (std::size_t a = 0; a < p.size(); ++a) {
          probabilities_[layout.entry_offset(node) + b * p.size() + a] = static_cast<float>(p[a]);
        }
      }
    }
  }
  const BettingTree& tree() const override { return game_.tree(); }
  std::uint32_t Bucket(int street, const Card* hole, const Card*) const override {
    return street == 0 ? game_.ClassOf(HolePairIndex(hole[0], hole[1])) : 0;
  }
  const float* At(std::uint32_t node, std::uint32_t bucket) const override {
    return probabilities_.data() + layout_.entry_offset(node) +
           static_cast<std::uint64_t>(bucket) * static_cast<std::uint64_t>(game_.NumActions(node));
  }

 private:
  const PreflopGame& game_;
  const solver::TableLayout& layout_;
  std::vector<float> probabilities_;
};

}  // namespace

TEST_CASE("push/fold at 10 bb: exact equities, and exploitability below 0.001 bb per hand") {
  const fs::path dir = fs::temp_directory_path() / ("bp-pushfold-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const HandEvaluator evaluator;
  trainer::TaskPool pool(2, stderr);
  const PreflopEquity equity = PreflopEquity::Compute(evaluator, pool.AsParallelFor());
  const std::string path = (dir / "preflop_equity.bin").string();
  equity.Save(path);
  const PreflopEquity loaded = PreflopEquity::Load(path);

  // Against brute force, and symmetric.
  for (const auto& ab : {std::pair{Pair("As", "Ah"), Pair("Ks", "Kh")}, std::pair{Pair("7c", "2d"), Pair("Ah", "Kh")},
                         std::pair{Pair("9s", "8s"), Pair("Ts", "Td")}}) {
    const auto a = ab.first, b = ab.second;
    CAPTURE(a);
    CHECK(equity.Equity(a, b) == doctest::Approx(BruteForce(evaluator, a, b)).epsilon(1e-6));
    CHECK(loaded.Equity(a, b) == equity.Equity(a, b));
  }
  std::mt19937_64 gen(3);
  for (int i = 0; i < 20000; ++i) {
    const int a = static_cast<int>(gen() % 1326), b = static_cast<int>(gen() % 1326);
    const auto ca = HolePairCards(a), cb = HolePairCards(b);
    if ((MaskOf(ca[0]) | MaskOf(ca[1])) & (MaskOf(cb[0]) | MaskOf(cb[1]))) continue;
    REQUIRE(equity.Equity(a, b) + equity.Equity(b, a) == doctest::Approx(1.0).epsilon(1e-6));
  }
  // Averaged over the 1,225 opponent hands: the all-in equity against one
  // random hand, which card_features computes another way (AA 0.852, 32o 0.323).
  auto versus_random = [&](int a) {
    const auto ca = HolePairCards(a);
    double sum = 0;
    int n = 0;
    for (int b = 0; b < 1326; ++b) {
      const auto cb = HolePairCards(b);
      if ((MaskOf(ca[0]) | MaskOf(ca[1])) & (MaskOf(cb[0]) | MaskOf(cb[1]))) continue;
      sum += equity.Equity(a, b);
      ++n;
    }
    CHECK(n == 1225);
    return sum / n;
  };
  CHECK(versus_random(Pair("Ad", "Ac")) == doctest::Approx(0.8520).epsilon(0.0005));
  CHECK(versus_random(Pair("3d", "2c")) == doctest::Approx(0.3230).epsilon(0.0005));
  {  // corruption is reported, not used
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\x7f');
  }
  CHECK_THROWS_AS(PreflopEquity::Load(path), AssetError);
  equity.Save(path);

  // Serial external sampling: 3 * 10^6 iterations.
  TableConfig table;
  table.players = 2;
  table.stacks.fill(1000);
  BettingAbstraction betting;
  betting.streets[0] = {1, ParseSizes("allin"), false};
  for (int s = 1; s < 4; ++s) betting.streets[static_cast<std::size_t>(s)] = {0, {}, true};
  const PreflopGame game(table, betting, equity);
  solver::TableLayout layout(game);
  solver::Tables tables(layout.num_entries());
  solver::ExternalSampling es(game, layout, tables.View(), 1);
  es.Iterate(3000000);
  solver::ExactEvaluator exact(game, layout);
  const auto policy = solver::TabularPolicy::Average(layout, tables.strategy_sum());
  const double serial = exact.Exploitability(policy);
  MESSAGE("push/fold exploitability after 3 * 10^6 serial iterations: ", serial, " bb per hand");
  CHECK(serial < 0.001);
  // Aces always shove, and are always called.
  const auto aces = game.ClassOf(Pair("As", "Ah"));
  CHECK(policy.At(game.Root(), aces)[1] > 0.99);
  CHECK(policy.At(game.Child(game.Root(), 1), aces)[1] > 0.99);

  // Local best response in the push/fold game (fold or shove, no limp; the
  // exact preflop equities): it is the exact best response there, so its
  // winnings in each seat match the exact best-response value within their
  // interval; against the trained strategy (exploitability < 0.001 bb) it
  // wins nothing measurable, and never more than the best response.
  {
    trainer::LbrSettings settings;
    settings.actions = "allin";
    settings.sizes = trainer::ParseLbrActions("allin");
    settings.streets = "1";
    settings.plays = trainer::ParseLbrStreets("1");
    settings.calls_off_tree = false;
    settings.preflop_equity = &equity;
    const auto uniform = solver::TabularPolicy::Uniform(layout);
    for (const auto* p : {&uniform, &policy}) {
      const PolicyStrategy strategy(game, layout, *p);
      const auto r = trainer::RunLbr(strategy, evaluator, settings, 100000, 11, 2);
      const double br0 = 1000 * exact.BestResponseValue(*p, 0), br1 = 1000 * exact.BestResponseValue(*p, 1);
      MESSAGE((p == &uniform ? "uniform" : "trained"), " push/fold: LBR ", r.seat[0].mean, " +/- ", r.seat[0].ci95,
              " as the small blind (best response ", br0, "), ", r.seat[1].mean, " +/- ", r.seat[1].ci95,
              " as the big blind (", br1, "), overall ", r.overall.mean, " +/- ", r.overall.ci95, " mbb/g over ",
              r.hands, " hands");
      CHECK(r.seat[0].mean <= br0 + r.seat[0].ci95);
      CHECK(r.seat[1].mean <= br1 + r.seat[1].ci95);
      CHECK(r.overall.mean <= (br0 + br1) / 2 + r.overall.ci95);
      if (p == &uniform) {
        CHECK(std::abs(r.seat[0].mean - br0) <= r.seat[0].ci95);
        CHECK(std::abs(r.seat[1].mean - br1) <= r.seat[1].ci95);
        CHECK((br0 + br1) / 2 > 100);  // far from equilibrium: the check above has teeth
      } else {
        CHECK(std::abs(r.overall.mean) <= r.overall.ci95);
      }
    }
  }

  // The trainer: two workers, 15 s, exploitability in metrics.jsonl.
  const fs::path logdir = dir / "run";
  const std::string command = std::string(TRAIN_BLUEPRINT) + " --config " + CONFIG_DIR + "/pushfold.yaml --num-workers 2" +
                              " --time-budget 15s --logdir " + logdir.string() + " --set abstraction.preflop_equity=" +
                              path + " > " + (dir / "train.out").string() + " 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream metrics(logdir / "metrics.jsonl");
  int with_exploitability = 0;
  double last = 1;
  for (std::string line; std::getline(metrics, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("exploitability")) {
      ++with_exploitability;
      last = j["exploitability"].get<double>();
    }
  }
  CHECK(with_exploitability >= 2);
  MESSAGE("push/fold exploitability after 15 s with 2 workers: ", last, " bb per hand");
  CHECK(last < 0.001);

  // The small blind's chart: every ace shoves at 10 big blinds, 72o folds.
  const fs::path checkpoint = *fs::directory_iterator(logdir / "checkpoints");
  const std::string chart_command = std::string(TRAIN_BLUEPRINT) + " inspect " + checkpoint.string() +
                                    " --preflop-chart --position sb --out " + (dir / "chart.svg").string() + " > " +
                                    (dir / "chart.txt").string() + " 2>&1";
  REQUIRE(std::system(chart_command.c_str()) == 0);
  std::ifstream chart_file(dir / "chart.txt");
  const std::string chart((std::istreambuf_iterator<char>(chart_file)), {});
  CHECK(chart.find("sb (seat 0) facing folds") == 0);
  CHECK(chart.find("   A  100 100 100 100 100 100 100 100 100 100 100 100 100\n") != std::string::npos);
  std::ifstream svg_file(dir / "chart.svg");
  const std::string svg((std::istreambuf_iterator<char>(svg_file)), {});
  CHECK(svg.find(">72o</text>") != std::string::npos);
  CHECK(svg.find(">AKs</text>") != std::string::npos);
  fs::remove_all(dir);
}
