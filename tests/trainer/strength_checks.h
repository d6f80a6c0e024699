// Checks of local best response, blueprint matches and the strength curve
// on a trained heads-up blueprint (build_buckets_slow_test trains one on the
// small bucket file it builds, and calls CheckStrength).
#pragma once

#include <doctest/doctest.h>
#include <fmt/core.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "abstraction/equity.h"
#include "abstraction/hand_evaluator.h"
#include "trainer/blueprint.h"
#include "trainer/lbr.h"
#include "trainer/match.h"
#include "trainer/run_dir.h"
#include "trainer/strength_curve.h"
#include "trainer/tree_strategy.h"

namespace strength_checks {

namespace fs = std::filesystem;
using namespace bp;
using abstraction::Card;

inline std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline trainer::LbrSettings Settings(const std::string& actions, const std::string& streets) {
  return trainer::MakeLbrSettings(actions, streets);
}

// One hand built by hand: the opponent (seat 0) opens, bets the flop,
// checks the turn and bets the river; LBR (seat 1) calls and checks. The
// range LBR keeps equals, for every hole pair, the product of the
// blueprint's probabilities of those actions (its own queries), normalised.
inline void CheckRangeAgainstBruteForce(const trainer::Blueprint& blueprint) {
  const trainer::BlueprintStrategy strategy(blueprint);
  const auto& tree = blueprint.game().tree();
  const Card lbr_hole[2] = {*abstraction::ParseCard("Kd"), *abstraction::ParseCard("Qc")};
  std::vector<Card> board;
  for (const char* c : {"2c", "7h", "Ks", "9d", "Ah"}) board.push_back(*abstraction::ParseCard(c));
  trainer::TreeFollower follower(tree);
  abstraction::NlheState state = abstraction::NlheState::NewHand(tree.table());
  trainer::OpponentRange range;
  range.Reset(lbr_hole);
  std::array<std::uint32_t, abstraction::kNumHolePairs> buckets{};
  struct Decision {
    std::vector<std::string> history;
    int board_cards;
    int action;
  };
  std::vector<Decision> decisions;
  std::vector<std::string> history;
  int revealed = 0, opponent_decisions = 0;
  const std::vector<bool> opponent_bets = {true, true, false, true};  // per street: bet (or raise), else check
  while (!state.IsTerminal() && opponent_decisions < 4) {
    const int street = static_cast<int>(state.street());
    const int board_cards = abstraction::kBoardCards[static_cast<std::size_t>(street)];
    for (; revealed < board_cards; ++revealed) range.Remove(board[static_cast<std::size_t>(revealed)]);
    REQUIRE(follower.Aligned(state));
    if (state.ToAct() == 0) {
      int action = -1;
      for (int a = 0; a < follower.num_actions() && action < 0; ++a) {
        const auto kind = tree.Action(follower.node(), a).kind;
        const bool bet = kind == abstraction::ActionKind::kRaise;
        const bool check = kind == abstraction::ActionKind::kCheck;
        if (opponent_bets[static_cast<std::size_t>(street)] ? bet : check) action = a;
      }
      REQUIRE(action >= 0);
      trainer::MappedChoice c;
      c.action = action;
      c.real = follower.ToReal(action, state);
      for (int a = 0; a < follower.num_actions(); ++a) c.same[static_cast<std::size_t>(a)] = follower.ToReal(a, state) == c.real;
      for (int p = 0; p < abstraction::kNumHolePairs; ++p) {
        const auto cards = abstraction::HolePairCards(p);
        bool free = true;
        for (int i = 0; i < board_cards; ++i) free = free && cards[0] != board[static_cast<std::size_t>(i)] && cards[1] != board[static_cast<std::size_t>(i)];
        if (free && cards[0] != lbr_hole[0] && cards[0] != lbr_hole[1] && cards[1] != lbr_hole[0] && cards[1] != lbr_hole[1]) {
          buckets[static_cast<std::size_t>(p)] = strategy.Bucket(street, cards.data(), board.data());
        }
      }
      range.Observe(strategy, follower.node(), follower.num_actions(), c.same, buckets);
      decisions.push_back({history, board_cards, action});
      history.push_back(trainer::RealActionName(state, c.real));
      trainer::ApplyReal(state, c.real);
      follower.Apply(action);
      ++opponent_decisions;
    } else {
      const trainer::RealAction call{};
      const auto t = follower.Translate(call, state);
      REQUIRE(t.lower == t.upper);
      history.push_back(trainer::RealActionName(state, call));
      trainer::ApplyReal(state, call);
      follower.Apply(t.lower);
    }
  }
  REQUIRE(opponent_decisions == 4);
  // Brute force through the query API.
  std::vector<double> expected(abstraction::kNumHolePairs, 0.0);
  double sum = 0;
  for (int p = 0; p < abstraction::kNumHolePairs; ++p) {
    const auto cards = abstraction::HolePairCards(p);
    bool free = cards[0] != lbr_hole[0] && cards[0] != lbr_hole[1] && cards[1] != lbr_hole[0] && cards[1] != lbr_hole[1];
    for (const Card b : board) free = free && cards[0] != b && cards[1] != b;
    if (!free) continue;
    double w = 1;
    for (const Decision& d : decisions) {
      const std::vector<Card> shown(board.begin(), board.begin() + d.board_cards);
      w *= blueprint.Query(0, d.history, cards.data(), shown)[static_cast<std::size_t>(d.action)].probability;
    }
    expected[static_cast<std::size_t>(p)] = w;
    sum += w;
  }
  REQUIRE(sum > 0);
  double worst = 0;
  int live = 0;
  for (int p = 0; p < abstraction::kNumHolePairs; ++p) {
    worst = std::max(worst, std::abs(range.weights()[static_cast<std::size_t>(p)] - expected[static_cast<std::size_t>(p)] / sum));
    live += expected[static_cast<std::size_t>(p)] > 0;
  }
  MESSAGE("range after r300-c/k-bet-c/k-k/k-bet: ", live, " pairs live, largest difference from brute force ", worst);
  CHECK(worst < 1e-12);
  CHECK(static_cast<int>(range.live().size()) == live);
  CHECK(live > 100);
}

inline void CheckStrength(const fs::path& logdir, const std::string& buckets, const fs::path& dir) {
  const trainer::Blueprint blueprint = trainer::Blueprint::Open((logdir / "blueprint.bin").string(), buckets);
  const abstraction::HandEvaluator evaluator;
  const trainer::BlueprintStrategy strategy(blueprint);
  const auto& tree = blueprint.game().tree();

  CheckRangeAgainstBruteForce(blueprint);

  // Against always-fold, 750 mbb per hand and nothing else: LBR opens as the
  // button (the fold wins 1 bb) and the button folds its small blind to it.
  {
    const trainer::FixedStrategy fold(tree, trainer::Opponent::kFold);
    const auto r = trainer::RunLbr(fold, evaluator, Settings("fcpa", "1-4"), 300, 1, 2);
    CHECK(r.overall.mean == doctest::Approx(750));
    CHECK(r.overall.ci95 == doctest::Approx(0));
    CHECK(r.seat[0].mean == doctest::Approx(1000));
    CHECK(r.seat[1].mean == doctest::Approx(500));
    CHECK(r.hands == 600);
  }
  // Against always-call far more than against the trained blueprint, when
  // LBR bets (with fc neither side ever bets against a calling station, and
  // LBR wins next to nothing from it).
  for (const std::pair<std::string, std::string>& setting : {std::pair{std::string("fcpa"), std::string("3-4")},
                                                               std::pair{std::string("fcpa"), std::string("1-4")}}) {
    const std::string& actions = setting.first;
    const std::string& streets = setting.second;
    CAPTURE(actions);
    CAPTURE(streets);
    const trainer::FixedStrategy call(tree, trainer::Opponent::kCall);
    const auto station = trainer::RunLbr(call, evaluator, Settings(actions, streets), 1500, 2, 2);
    const auto trained = trainer::RunLbr(strategy, evaluator, Settings(actions, streets), 1500, 2, 2);
    MESSAGE("LBR ", actions, " ", streets, ": calling station ", station.overall.mean, " +/- ", station.overall.ci95,
            ", blueprint ", trained.overall.mean, " +/- ", trained.overall.ci95, " mbb/g");
    CHECK(station.overall.mean - station.overall.ci95 > trained.overall.mean + trained.overall.ci95);
  }
  // A fixed seed gives the same result, whatever the thread count; another
  // seed another.
  {
    const auto settings = Settings("fcpa", "3-4");
    const auto one = trainer::RunLbr(strategy, evaluator, settings, 200, 7, 1);
    const auto two = trainer::RunLbr(strategy, evaluator, settings, 200, 7, 2);
    const auto other = trainer::RunLbr(strategy, evaluator, settings, 200, 8, 2);
    CHECK(one.overall.mean == two.overall.mean);
    CHECK(one.overall.ci95 == two.overall.ci95);
    CHECK(one.seat[0].mean == two.seat[0].mean);
    CHECK(one.overall.mean != other.overall.mean);
  }
  // The 56 sizes: one result, LBR ahead of the blueprint it exploits.
  {
    const auto r = trainer::RunLbr(strategy, evaluator, Settings("56", "3-4"), 100, 3, 2);
    CHECK(r.hands == 200);
    CHECK(std::isfinite(r.overall.mean));
    CHECK(r.overall.ci95 > 0);
  }

  // Matches: a blueprint against itself is exactly 0; it beats the calling
  // station and the random player; in a tree of other sizes too.
  {
    const auto self = trainer::PlayMatch(strategy, strategy, evaluator, 3000, 4, 2);
    CHECK(self.overall.mean == 0.0);
    CHECK(self.overall.ci95 == 0.0);
    CHECK(self.seat[0].mean == -self.seat[1].mean);
    CHECK(self.seat[0].ci95 > 0);  // the seats themselves were played
    const trainer::FixedStrategy call(tree, trainer::Opponent::kCall);
    const auto station = trainer::PlayMatch(strategy, call, evaluator, 5000, 4, 2);
    MESSAGE("blueprint vs calling station: ", station.overall.mean, " +/- ", station.overall.ci95, " mbb/g");
    CHECK(station.overall.mean > station.overall.ci95);
    abstraction::BettingAbstraction other_sizes;
    other_sizes.streets[0] = {3, abstraction::ParseSizes("0.7, 2.5 | 1.3 | allin"), true};
    for (std::size_t s = 1; s < 4; ++s) other_sizes.streets[s] = {2, abstraction::ParseSizes("0.33, 0.8 | 2"), true};
    const abstraction::BettingTree other_tree(tree.table(), other_sizes);
    const trainer::FixedStrategy random(other_tree, trainer::Opponent::kRandom);
    const auto across = trainer::PlayMatch(strategy, random, evaluator, 5000, 4, 2);
    MESSAGE("blueprint vs random player in another tree: ", across.overall.mean, " +/- ", across.overall.ci95, " mbb/g");
    CHECK(across.overall.mean > across.overall.ci95);
  }

  // The command line: LBR as JSON, a match, one clear message per bad input.
  const std::string bp_file = (logdir / "blueprint.bin").string();
  auto run = [&](const std::string& args, const std::string& out) {
    const std::string command = std::string(EVAL_BLUEPRINT) + " " + args + " > " + (dir / out).string() + " 2>&1";
    return WEXITSTATUS(std::system(command.c_str()));
  };
  CHECK(run(bp_file + " --buckets " + buckets + " --lbr --lbr-actions fc --deals 100 --threads 2 --json", "lbr.out") == 0);
  const std::string lbr_out = Read(dir / "lbr.out");
  CHECK(lbr_out.find("\"mode\":\"lbr\"") != std::string::npos);
  CHECK(lbr_out.find("\"streets\":\"1-4\"") != std::string::npos);
  CHECK(lbr_out.find("\"hands\":200") != std::string::npos);
  CHECK(run(bp_file + " --buckets " + buckets + " --lbr --opponent fold --deals 50 --lbr-streets 1-4", "lbr_fold.out") == 0);
  CHECK(Read(dir / "lbr_fold.out").find("fold             +750         0") != std::string::npos);
  CHECK(run(bp_file + " --buckets " + buckets + " --against " + bp_file + " --against-buckets " + buckets +
                " --deals 500 --json",
            "match.out") == 0);
  CHECK(Read(dir / "match.out").find("\"mbb\":0.0") != std::string::npos);
  CHECK(run(bp_file + " --lbr --lbr-actions 0.5,fish", "bad_actions.out") == 2);
  CHECK(Read(dir / "bad_actions.out").find("error: --lbr-actions: expected fc, fcpa, 56 or pot fractions") == 0);
  CHECK(run(bp_file + " --lbr --lbr-streets 5", "bad_streets.out") == 2);
  CHECK(Read(dir / "bad_streets.out") ==
        "error: --lbr-streets: expected streets 1 (preflop) to 4 (river) such as 1-4, 3-4 or 1,3-4, found '5'\n");
  CHECK(run("--lbr --curve " + (dir / "nowhere").string(), "bad_curve.out") == 2);
  CHECK(Read(dir / "bad_curve.out").find("not a run directory") != std::string::npos);

  // The strength curve: one point per checkpoint, evaluated in order into
  // lbr.jsonl; a second call has nothing left to do; inspect lists and plots it.
  const trainer::RunDir rundir(logdir);
  const auto points = rundir.ListCurvePoints();
  CHECK(points.size() >= 3);
  const std::string curve_args = "--lbr --curve " + logdir.string() + " --buckets " + buckets + " --deals 100 --threads 2";
  CHECK(run(curve_args, "curve.out") == 0);
  std::vector<std::string> skipped;
  const auto rows = trainer::ReadCurve(rundir.Lbr(), skipped);
  CHECK(skipped.empty());
  REQUIRE(rows.size() == points.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].iterations == points[i].first);
    CHECK(rows[i].actions == "fcpa");
    CHECK(rows[i].hands == 200);
    if (i > 0) CHECK(rows[i].t >= rows[i - 1].t);
  }
  CHECK(run(curve_args, "curve2.out") == 0);
  CHECK(Read(dir / "curve2.out").find(fmt::format("{} point(s), 0 to evaluate", points.size())) != std::string::npos);
  CHECK(trainer::ReadCurve(rundir.Lbr(), skipped).size() == rows.size());
  {  // a cut-off last line is skipped with a note, and the point evaluated again
    std::ofstream(rundir.Lbr(), std::ios::app) << "{\"iterations\":12";
    CHECK(run(curve_args + " --lbr-actions fc", "curve_fc.out") == 0);
    const std::string fc = Read(dir / "curve_fc.out");
    CHECK(fc.find("not a curve row") != std::string::npos);
    CHECK(fc.find(fmt::format("{} to evaluate", points.size())) != std::string::npos);
  }
  const std::string inspect = std::string(TRAIN_BLUEPRINT) + " inspect " + logdir.string() + " --plot " +
                              (dir / "run.svg").string() + " > " + (dir / "inspect.out").string() + " 2>&1";
  CHECK(WEXITSTATUS(std::system(inspect.c_str())) == 0);
  const std::string listing = Read(dir / "inspect.out");
  CHECK(listing.find("strength curve (LBR fcpa, streets 3-4)") != std::string::npos);
  CHECK(Read(dir / "run.svg").find("LBR fcpa 3-4 (mbb/g)") != std::string::npos);
}

}  // namespace strength_checks
