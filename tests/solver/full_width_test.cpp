#include "solver/full_width.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "abstraction/kuhn.h"
#include "abstraction/leduc.h"
#include "solver/exact_evaluator.h"
#include "solver/policy.h"
#include "solver/regret_matching.h"
#include "solver/table_access.h"
#include "solver/table_layout.h"
#include "solver/tables.h"

using bp::abstraction::KuhnPoker;
using bp::abstraction::LeducHoldem;
using bp::solver::ExactEvaluator;
using bp::solver::FullWidthCfr;
using bp::solver::SamplingOptions;
using bp::solver::TableLayout;
using bp::solver::Tables;
using bp::solver::TabularPolicy;

namespace {

SamplingOptions Weights(int regret_power, int average_power, double floor = bp::solver::kNoRegretFloor) {
  SamplingOptions o;
  o.regret_weight_power = regret_power;
  o.average_weight_power = average_power;
  o.regret_floor = floor;
  return o;
}
SamplingOptions Floor(double floor) { return Weights(0, 0, floor); }

template <class G>
struct Solved {
  G game;
  TableLayout layout{game};
  Tables tables{layout.num_entries()};

  Solved(std::uint64_t iterations, SamplingOptions options) {
    FullWidthCfr solver(game, layout, tables.View(), 1, options);
    solver.Iterate(iterations);
  }
  double Exploitability() const {
    return ExactEvaluator(game, layout).Exploitability(TabularPolicy::Average(layout, tables.strategy_sum()));
  }
  double Value() const {
    return ExactEvaluator(game, layout).ExpectedValues(TabularPolicy::Average(layout, tables.strategy_sum()))[0];
  }
};

// Alternating CFR written plainly from its definition, on the game's own
// tree (not the solver's flat copy): for each player in turn, the current
// strategy of every infoset is frozen, every deal is walked recursively with
// explicit reach probabilities, and the pass's regrets and reach-weighted
// strategy sums are added at its end, regrets raised to `floor`.
template <class G>
class PlainCfr {
 public:
  PlainCfr(const G& game, const TableLayout& layout, double floor)
      : game_(game), layout_(layout), floor_(floor), regrets_(layout.num_entries()), sums_(layout.num_entries()) {}

  void Iterate(int iterations) {
    for (int i = 0; i < iterations; ++i) {
      for (int p = 0; p < game_.NumPlayers(); ++p) {
        frozen_ = regrets_;
        std::vector<double> regret_delta(regrets_.size()), sum_delta(sums_.size());
        for (std::size_t d = 0; d < game_.NumDeals(); ++d) {
          Walk(game_.Root(), p, game_.DealAt(d), 1.0, game_.DealProbability(d), game_.DealProbability(d),
               regret_delta, sum_delta);
        }
        for (std::size_t e = 0; e < regrets_.size(); ++e) {
          regrets_[e] = std::max(regrets_[e] + regret_delta[e], floor_);
          sums_[e] += sum_delta[e];
        }
      }
    }
  }
  const std::vector<double>& regrets() const { return regrets_; }
  const std::vector<double>& sums() const { return sums_; }

 private:
  double Walk(bp::solver::NodeId node, int p, const typename G::Deal& deal, double own, double others, double chance,
              std::vector<double>& regret_delta, std::vector<double>& sum_delta) {
    if (game_.IsTerminal(node)) return game_.Utility(deal, node, p);
    const int n = game_.NumActions(node);
    const int player = game_.Player(node);
    const std::uint64_t base =
        layout_.entry_offset(node) + static_cast<std::uint64_t>(game_.Bucket(deal, player, game_.Street(node))) * n;
    double sigma[bp::solver::kMaxActions];
    bp::solver::RegretMatching(frozen_.data() + base, n, sigma);
    double values[bp::solver::kMaxActions];
    double expected = 0.0;
    for (int a = 0; a < n; ++a) {
      values[a] = player == p ? Walk(game_.Child(node, a), p, deal, own * sigma[a], others, chance, regret_delta,
                                     sum_delta)
                              : Walk(game_.Child(node, a), p, deal, own, others * sigma[a], chance, regret_delta,
                                     sum_delta);
      expected += sigma[a] * values[a];
    }
    if (player == p) {
      for (int a = 0; a < n; ++a) {
        regret_delta[base + a] += others * (values[a] - expected);
        sum_delta[base + a] += chance * own * sigma[a];
      }
    }
    return expected;
  }

  const G& game_;
  const TableLayout& layout_;
  double floor_;
  std::vector<double> regrets_, frozen_, sums_;
};

template <class A, class B>
double LargestDifference(const A& a, const B& b) {
  REQUIRE(a.size() == b.size());
  double largest = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    largest = std::max(largest, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
  }
  return largest;
}

}  // namespace

TEST_CASE("full-width CFR equals alternating CFR written from its definition (Kuhn and Leduc, floors off and 0)") {
  for (const double floor : {bp::solver::kNoRegretFloor, 0.0}) {
    CAPTURE(floor);
    {
      Solved<KuhnPoker> s(30, Floor(floor));
      PlainCfr<KuhnPoker> plain(s.game, s.layout, floor);
      plain.Iterate(30);
      CHECK(LargestDifference(s.tables.regrets(), plain.regrets()) < 1e-12);
      CHECK(LargestDifference(s.tables.strategy_sum(), plain.sums()) < 1e-12);
    }
    {
      Solved<LeducHoldem> s(10, Floor(floor));
      PlainCfr<LeducHoldem> plain(s.game, s.layout, floor);
      plain.Iterate(10);
      CHECK(LargestDifference(s.tables.regrets(), plain.regrets()) < 1e-12);
      CHECK(LargestDifference(s.tables.strategy_sum(), plain.sums()) < 1e-12);
    }
  }
}

TEST_CASE("vanilla CFR: Kuhn near -1/18, Leduc near -0.0856064, exploitability falling") {
  Solved<KuhnPoker> kuhn(2000, {});
  MESSAGE("Kuhn after 2000 iterations: exploitability ", kuhn.Exploitability(), ", value ", kuhn.Value());
  CHECK(kuhn.Exploitability() < 2e-3);
  CHECK(std::abs(kuhn.Value() - (-1.0 / 18)) < 2e-3);
  Solved<LeducHoldem> early(100, {}), late(1000, {});
  MESSAGE("Leduc exploitability after 100 and 1000 iterations: ", early.Exploitability(), ", ", late.Exploitability());
  CHECK(late.Exploitability() < early.Exploitability() / 4);
  CHECK(late.Exploitability() < 0.03);
  CHECK(std::abs(late.Value() - (-0.0856064)) < 0.01);
}

TEST_CASE("CFR+ (floor 0, linear average) on Leduc: below 1.5e-4 in 2000 iterations, value -0.0856064") {
  Solved<LeducHoldem> s(2000, Weights(0, 1, 0.0));
  MESSAGE("Leduc CFR+ after 2000 iterations: exploitability ", s.Exploitability(), ", value ", s.Value());
  CHECK(s.Exploitability() < 1.5e-4);
  CHECK(std::abs(s.Value() - (-0.0856064)) < 1e-4);
  CHECK(*std::min_element(s.tables.regrets().begin(), s.tables.regrets().end()) >= 0.0);
  // Linear CFR (both weights linear, no floor) converges too, faster than vanilla.
  Solved<LeducHoldem> linear(2000, Weights(1, 1));
  Solved<LeducHoldem> vanilla(2000, {});
  MESSAGE("Leduc after 2000 iterations: linear CFR ", linear.Exploitability(), ", vanilla ", vanilla.Exploitability());
  CHECK(linear.Exploitability() < vanilla.Exploitability());
}

TEST_CASE("iteration weights: the average weight scales iteration t's strategy sums by t^k and leaves regrets alone") {
  LeducHoldem game;
  TableLayout layout(game);
  const auto run = [&](std::uint64_t iterations, SamplingOptions options) {
    auto tables = std::make_unique<Tables>(layout.num_entries());
    FullWidthCfr solver(game, layout, tables->View(), 1, options);
    solver.Iterate(iterations);
    return tables;
  };
  const auto one = run(1, {}), two = run(2, {}), quadratic = run(2, Weights(0, 2));
  CHECK(std::ranges::equal(two->regrets(), quadratic->regrets()));
  std::vector<double> expected(layout.num_entries());
  for (std::size_t e = 0; e < expected.size(); ++e) {
    expected[e] = one->strategy_sum()[e] + 4.0 * (two->strategy_sum()[e] - one->strategy_sum()[e]);
  }
  CHECK(LargestDifference(quadratic->strategy_sum(), expected) < 1e-12);
  CHECK_FALSE(std::ranges::equal(two->strategy_sum(), quadratic->strategy_sum()));
  // A linear regret weight doubles the second iteration's regrets: they differ.
  CHECK_FALSE(std::ranges::equal(two->regrets(), run(2, Weights(1, 0))->regrets()));
}

TEST_CASE("averaging off leaves strategy sums at 0 and regrets as with it on; pieces equal one go") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables on(layout.num_entries()), off(layout.num_entries()), pieces(layout.num_entries());
  FullWidthCfr a(game, layout, on.View(), 1, Weights(0, 1, 0.0));
  a.Iterate(50);
  FullWidthCfr b(game, layout, off.View(), 1, Weights(0, 1, 0.0));
  b.SetPhase(true, false);  // pruning is ignored
  b.Iterate(50);
  CHECK(std::ranges::equal(on.regrets(), off.regrets()));
  CHECK(std::ranges::all_of(off.strategy_sum(), [](double x) { return x == 0.0; }));
  FullWidthCfr c(game, layout, pieces.View(), 1, Weights(0, 1, 0.0));
  c.Iterate(20);
  c.Iterate(30);
  CHECK(c.iterations() == 50);
  CHECK(std::ranges::equal(on.regrets(), pieces.regrets()));
  CHECK(std::ranges::equal(on.strategy_sum(), pieces.strategy_sum()));
}

TEST_CASE("through a worker's DeltaAccess: the emitted deltas give the in-place result to float precision") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables direct(layout.num_entries()), shared(layout.num_entries());
  std::vector<std::byte> buffer(bp::solver::MaxDeltaBytes(layout.num_infosets(), layout.num_entries()));
  FullWidthCfr in_place(game, layout, direct.View(), 1, Weights(0, 1, 0.0));
  for (std::uint64_t batch = 0; batch < 5; ++batch) {
    in_place.Iterate(4);
    FullWidthCfr<LeducHoldem, bp::solver::DeltaAccess> worker(
        game, layout, bp::solver::DeltaAccess(shared.regrets().data(), layout.num_entries()), 99, Weights(0, 1, 0.0));
    worker.Seek(batch * 4);
    worker.Iterate(4);
    const std::uint64_t bytes = worker.access().EmitAndClear(buffer.data());
    REQUIRE(bp::solver::ApplyDeltas(std::span<const std::byte>(buffer.data(), bytes), shared.View(), 0.0));
  }
  // Deltas travel as float: equal to float precision, the floor held.
  CHECK(LargestDifference(shared.regrets(), direct.regrets()) < 1e-5);
  CHECK(LargestDifference(shared.strategy_sum(), direct.strategy_sum()) < 1e-5);
  CHECK(*std::min_element(shared.regrets().begin(), shared.regrets().end()) >= 0.0);
}
