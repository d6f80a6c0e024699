#include "solver/external_sampling.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "abstraction/kuhn.h"
#include "abstraction/leduc.h"
#include "solver/exact_evaluator.h"
#include "solver/flat_tree.h"
#include "solver/regret_matching.h"
#include "solver/rng.h"
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "solver/tables.h"

using bp::abstraction::KuhnPoker;
using bp::abstraction::LeducHoldem;
using bp::solver::ExactEvaluator;
using bp::solver::ExternalSampling;
using bp::solver::TableLayout;
using bp::solver::Tables;
using bp::solver::TabularPolicy;

namespace {
template <class G>
struct Solved {
  G game;
  TableLayout layout{game};
  Tables tables{layout.num_entries()};

  explicit Solved(std::uint64_t iterations, std::uint64_t seed = 1, bp::solver::SamplingOptions options = {}) {
    ExternalSampling solver(game, layout, tables.View(), seed, options);
    solver.Iterate(iterations);
  }
  TabularPolicy Average() const { return TabularPolicy::Average(layout, tables.strategy_sum()); }
};
}  // namespace

TEST_CASE("the same seed gives identical tables, another seed different ones") {
  Solved<LeducHoldem> a(20000, 11), b(20000, 11), c(20000, 12);
  CHECK(std::ranges::equal(a.tables.regrets(), b.tables.regrets()));
  CHECK(std::ranges::equal(a.tables.strategy_sum(), b.tables.strategy_sum()));
  CHECK_FALSE(std::ranges::equal(a.tables.regrets(), c.tables.regrets()));
}

TEST_CASE("iterating in pieces equals iterating in one go") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables whole(layout.num_entries()), pieces(layout.num_entries());
  ExternalSampling one(game, layout, whole.View(), 3);
  one.Iterate(3000);
  ExternalSampling two(game, layout, pieces.View(), 3);
  two.Iterate(1000);
  two.Iterate(2000);
  CHECK(two.iterations() == 3000);
  CHECK(std::ranges::equal(whole.regrets(), pieces.regrets()));
  CHECK(std::ranges::equal(whole.strategy_sum(), pieces.strategy_sum()));
}

TEST_CASE("Kuhn: exploitability <= 0.003 after 10^6 iterations, value near -1/18") {
  Solved<KuhnPoker> s(1000000);
  ExactEvaluator eval(s.game, s.layout);
  const auto policy = s.Average();
  const double exploitability = eval.Exploitability(policy);
  MESSAGE("Kuhn exploitability after 10^6 iterations: ", exploitability);
  CHECK(exploitability <= 0.003);
  CHECK(std::abs(eval.ExpectedValues(policy)[0] - (-1.0 / 18)) <= 0.005);
}

TEST_CASE("Leduc: exploitability <= 0.03 after 10^6 iterations, value near -0.0856064") {
  Solved<LeducHoldem> s(1000000);
  ExactEvaluator eval(s.game, s.layout);
  const auto policy = s.Average();
  const double exploitability = eval.Exploitability(policy);
  MESSAGE("Leduc exploitability after 10^6 iterations: ", exploitability);
  CHECK(exploitability <= 0.03);
  CHECK(std::abs(eval.ExpectedValues(policy)[0] - (-0.0856064)) <= 0.005);
}

TEST_CASE("exploitability falls as iterations grow") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables tables(layout.num_entries());
  ExactEvaluator eval(game, layout);
  ExternalSampling solver(game, layout, tables.View(), 5);
  double previous = eval.Exploitability(TabularPolicy::Uniform(layout));
  for (std::uint64_t step : {1000u, 9000u, 90000u}) {
    solver.Iterate(step);
    const double now = eval.Exploitability(TabularPolicy::Average(layout, tables.strategy_sum()));
    CAPTURE(solver.iterations());
    CHECK(now < previous);
    previous = now;
  }
}

TEST_CASE("the layout is street-major: the entries of the first k streets are a prefix") {
  LeducHoldem game;
  TableLayout layout(game);
  REQUIRE(layout.num_streets() == 2);
  CHECK(layout.street_end(1) == layout.num_entries());
  CHECK(layout.street_end(0) > 0);
  CHECK(layout.street_end(0) < layout.num_entries());
  std::uint64_t covered = 0;
  for (bp::solver::NodeId node = 0; node < layout.num_nodes(); ++node) {
    if (game.IsTerminal(node)) continue;
    const bool first = game.Street(node) == 0;
    CHECK((first ? layout.entry_end(node) <= layout.street_end(0) : layout.entry_offset(node) >= layout.street_end(0)));
    CHECK(layout.entry_end(node) - layout.entry_offset(node) ==
          std::uint64_t{game.NumBuckets(game.Street(node))} * static_cast<std::uint64_t>(game.NumActions(node)));
    covered += layout.entry_end(node) - layout.entry_offset(node);
  }
  CHECK(covered == layout.num_entries());
}

TEST_CASE("average_streets = 1 keeps strategy sums on the first street only; SetPhase turns them off") {
  LeducHoldem game;
  TableLayout layout(game);
  bp::solver::SamplingOptions options;
  options.average_streets = 1;
  Tables tables(layout.num_entries());
  ExternalSampling solver(game, layout, tables.View(), 9, options);
  solver.Iterate(2000);
  const auto sums = tables.strategy_sum();
  const auto split = sums.begin() + static_cast<std::ptrdiff_t>(layout.street_end(0));
  CHECK(std::any_of(sums.begin(), split, [](double v) { return v > 0; }));
  CHECK(std::all_of(split, sums.end(), [](double v) { return v == 0; }));
  const std::vector<double> before(sums.begin(), sums.end());
  solver.SetPhase(false, false);
  solver.Iterate(2000);
  CHECK(std::ranges::equal(before, tables.strategy_sum()));
}

TEST_CASE("pruning skips actions below the threshold, except on the last street and actions that end the hand") {
  LeducHoldem game;
  TableLayout layout(game);
  bp::solver::SamplingOptions options;
  options.prune_threshold = -100;
  options.prune_probability = 1.0;
  for (bool prune : {false, true}) {
    CAPTURE(prune);
    Tables tables(layout.num_entries());
    auto view = tables.View();
    // Every action's regret far below the threshold.
    std::fill(view.regrets.begin(), view.regrets.end(), -1000.0);
    ExternalSampling solver(game, layout, view, 4, options);
    solver.SetPhase(prune, true);
    solver.Iterate(5000);
    int pruned_kept = 0, exempt_updated = 0, other_updated = 0;
    for (bp::solver::NodeId node = 0; node < layout.num_nodes(); ++node) {
      if (game.IsTerminal(node)) continue;
      for (int a = 0; a < game.NumActions(node); ++a) {
        const bool exempt = game.Street(node) == game.NumStreets() - 1 || game.IsTerminal(game.Child(node, a));
        for (std::uint32_t b = 0; b < game.NumBuckets(game.Street(node)); ++b) {
          const double r = view.regrets[layout.entry_offset(node) + b * game.NumActions(node) + a];
          if (exempt) {
            exempt_updated += r != -1000.0;
          } else if (r == -1000.0) {
            ++pruned_kept;
          } else {
            ++other_updated;
          }
        }
      }
    }
    CHECK(exempt_updated > 0);
    if (prune) {
      CHECK(pruned_kept > 0);
      CHECK(other_updated == 0);
    } else {
      CHECK(other_updated > 0);
    }
  }
}

TEST_CASE("Leduc with pruning (probability 0.95) and a regret floor still converges") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables tables(layout.num_entries());
  bp::solver::SamplingOptions options;
  options.prune_threshold = -20;
  ExternalSampling solver(game, layout, bp::solver::DirectAccess(tables.View(), -25.0), 2, options);
  solver.Iterate(100000);
  solver.SetPhase(true, true);
  solver.Iterate(900000);
  const auto regrets = tables.regrets();
  CHECK(*std::min_element(regrets.begin(), regrets.end()) == -25.0);  // the floor was reached and held
  ExactEvaluator eval(game, layout);
  const double exploitability = eval.Exploitability(TabularPolicy::Average(layout, tables.strategy_sum()));
  MESSAGE("Leduc exploitability with pruning and a floor after 10^6 iterations: ", exploitability);
  CHECK(exploitability <= 0.03);
}

TEST_CASE("deltas applied by the single writer: floor, strategy prefix, malformed strategy past it") {
  LeducHoldem game;
  TableLayout layout(game);
  const std::uint64_t prefix = layout.street_end(0);
  Tables base(layout.num_entries(), prefix);
  bp::solver::SamplingOptions options;
  options.average_streets = 1;
  ExternalSampling worker(game, layout, bp::solver::DeltaAccess(base.regrets().data(), layout.num_entries(), prefix),
                          6, options);
  worker.Iterate(3000);
  std::vector<std::byte> bytes(worker.access().EmitBytes());
  REQUIRE(worker.access().EmitAndClear(bytes.data()) == bytes.size());
  REQUIRE(bp::solver::ApplyDeltas(bytes, base.View(), -2.0));
  const auto regrets = base.regrets();
  CHECK(*std::min_element(regrets.begin(), regrets.end()) == -2.0);
  CHECK(std::any_of(base.strategy_sum().begin(), base.strategy_sum().end(), [](double v) { return v > 0; }));

  // A record past the prefix with a non-zero strategy delta is malformed.
  const std::uint64_t header = (layout.num_entries() - 1) << 8 | 1;
  const bp::solver::DeltaPair pair{1.0f, 1.0f};
  std::vector<std::byte> bad(sizeof(header) + sizeof(pair));
  std::memcpy(bad.data(), &header, sizeof(header));
  std::memcpy(bad.data() + sizeof(header), &pair, sizeof(pair));
  CHECK_FALSE(bp::solver::ApplyDeltas(bad, base.View()));
}

TEST_CASE("int32 regrets: hundredths of a utility unit, rounded, floored and saturated") {
  using Codec = bp::solver::RegretCodec<std::int32_t>;
  constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  const std::int32_t none = Codec::Floor(bp::solver::kNoRegretFloor);
  CHECK(none == kMin);
  CHECK(Codec::Floor(-3.1e6) == -310000000);  // Pluribus' floor in chips at blinds 50/100
  CHECK(Codec::Add(0, 0.004, none) == 0);      // less than half a unit is lost, as in Pluribus
  CHECK(Codec::Add(0, 0.016, none) == 2);
  CHECK(Codec::Add(7, -1.234, none) == -116);
  CHECK(Codec::Add(-309999990, -1.0, Codec::Floor(-3.1e6)) == -310000000);
  CHECK(Codec::Add(kMax - 5, 1.0, none) == kMax);
  CHECK(Codec::Add(kMin + 5, -1.0, none) == kMin);
  CHECK(Codec::Add(0, 1e300, none) == kMax);
  CHECK(Codec::Scale(-300, 0.5) == -150);
  CHECK(Codec::Scale(kMax, 0.75) == static_cast<std::int32_t>(std::nearbyint(kMax * 0.75)));
  CHECK(Codec::Decode(-310000000) == doctest::Approx(-3.1e6));
}

TEST_CASE("Leduc with int32 regrets converges like double regrets") {
  LeducHoldem game;
  TableLayout layout(game);
  bp::solver::BasicTables<std::int32_t> tables(layout.num_entries());
  ExternalSampling solver(game, layout, tables.View(), 11);
  static_assert(std::is_same_v<decltype(solver), ExternalSampling<LeducHoldem, bp::solver::BasicDirectAccess<std::int32_t>>>);
  solver.Iterate(1000000);
  ExactEvaluator eval(game, layout);
  const double exploitability = eval.Exploitability(TabularPolicy::Average(layout, tables.strategy_sum()));
  MESSAGE("Leduc exploitability with int32 regrets after 10^6 iterations: ", exploitability);
  CHECK(exploitability <= 0.03);
  const auto regrets = tables.regrets();
  CHECK(std::any_of(regrets.begin(), regrets.end(), [](std::int32_t r) { return r > 1000; }));  // real magnitudes
}

TEST_CASE("a batch applied to int32 tables is the batch applied to double tables, rounded once per entry") {
  LeducHoldem game;
  TableLayout layout(game);
  Tables zero(layout.num_entries());
  ExternalSampling worker(game, layout, bp::solver::DeltaAccess(zero.regrets().data(), layout.num_entries()), 8);
  worker.Iterate(2000);
  std::vector<std::byte> bytes(worker.access().EmitBytes());
  REQUIRE(worker.access().EmitAndClear(bytes.data()) == bytes.size());
  Tables as_double(layout.num_entries());
  bp::solver::BasicTables<std::int32_t> as_int(layout.num_entries()), floored(layout.num_entries());
  REQUIRE(bp::solver::ApplyDeltas(bytes, as_double.View()));
  REQUIRE(bp::solver::ApplyDeltas(bytes, as_int.View()));
  REQUIRE(bp::solver::ApplyDeltas(bytes, floored.View(), -2.0));
  std::uint64_t nonzero = 0;
  for (std::uint64_t e = 0; e < layout.num_entries(); ++e) {
    const double d = as_double.regrets()[e];
    REQUIRE(as_int.regrets()[e] == static_cast<std::int32_t>(std::nearbyint(d * 100.0)));
    REQUIRE(floored.regrets()[e] == std::max(as_int.regrets()[e], -200));
    nonzero += as_int.regrets()[e] != 0;
  }
  CHECK(nonzero > 100);
  CHECK(std::ranges::equal(as_int.strategy_sum(), as_double.strategy_sum()));
  // A worker reading int32 tables sees them in utility units.
  bp::solver::BasicDeltaAccess<std::int32_t> reader(as_int.regrets().data(), layout.num_entries());
  double seen[bp::solver::kMaxActions];
  reader.Regrets(0, layout.num_actions(0), seen);
  for (int a = 0; a < layout.num_actions(0); ++a) {
    CHECK(seen[a] == doctest::Approx(as_int.regrets()[static_cast<std::size_t>(a)] / 100.0));
  }
}

TEST_CASE("sampled strategy counts: whole counts, every k-th global iteration, averaged streets only") {
  LeducHoldem game;
  TableLayout layout(game);
  bp::solver::SamplingOptions options;
  options.average_streets = 1;
  options.sampled_average_interval = 10;
  Tables tables(layout.num_entries());
  ExternalSampling solver(game, layout, tables.View(), 4, options);
  const auto root_sum = [&] {
    const auto sums = tables.strategy_sum();
    double total = 0;
    for (std::uint64_t i = layout.entry_offset(game.Root()); i < layout.entry_end(game.Root()); ++i) total += sums[i];
    return total;
  };
  solver.Seek(1);
  solver.Iterate(9);  // iterations 1..9: none is a multiple of 10
  CHECK(root_sum() == 0);
  solver.Iterate(1000);  // 10..1009: 100 updates, each passes the first player's root once
  CHECK(solver.iterations() == 1010);
  CHECK(root_sum() == 100);
  const auto sums = tables.strategy_sum();
  const auto split = sums.begin() + static_cast<std::ptrdiff_t>(layout.street_end(0));
  CHECK(std::all_of(sums.begin(), split, [](double v) { return v == std::floor(v); }));
  CHECK(std::any_of(sums.begin(), split, [](double v) { return v > 1; }));
  CHECK(std::all_of(split, sums.end(), [](double v) { return v == 0; }));
  solver.SetPhase(false, false);  // before the average start: no counts
  solver.Iterate(1000);
  CHECK(root_sum() == 100);
}

TEST_CASE("sampled strategy counts converge on Kuhn and Leduc") {
  bp::solver::SamplingOptions options;
  options.sampled_average_interval = 1;
  const auto check = [](const auto& s, const std::string& name, double bound, double value, double value_tolerance) {
    ExactEvaluator eval(s.game, s.layout);
    const auto policy = s.Average();
    const double exploitability = eval.Exploitability(policy);
    MESSAGE(name, " exploitability with sampled counts after 10^6 iterations: ", exploitability);
    CHECK(exploitability <= bound);
    CHECK(std::abs(eval.ExpectedValues(policy)[0] - value) <= value_tolerance);
  };
  check(Solved<KuhnPoker>(1000000, 21, options), "Kuhn", 0.005, -1.0 / 18, 0.005);
  check(Solved<LeducHoldem>(1000000, 22, options), "Leduc", 0.03, -0.0856064, 0.01);
}

TEST_CASE("the flat tree mirrors the game's tree: actions, players, streets, entries, children, terminals") {
  const auto check = [](const auto& game) {
    const TableLayout layout(game);
    const bp::solver::FlatTree tree(game, layout, /*average_streets=*/1);
    std::vector<std::pair<std::uint32_t, bp::solver::NodeId>> stack{{bp::solver::FlatTree::kRoot, game.Root()}};
    std::size_t seen = 0;
    while (!stack.empty()) {
      const auto [index, id] = stack.back();
      stack.pop_back();
      ++seen;
      const auto& node = tree.node(index);
      if (game.IsTerminal(id)) {
        CHECK(node.n == 0);
        CHECK(node.entry == id);
        continue;
      }
      REQUIRE(node.n == game.NumActions(id));
      CHECK(node.player == game.Player(id));
      CHECK(node.street == game.Street(id));
      CHECK(node.averaged == (game.Street(id) < 1));
      CHECK(node.entry == layout.entry_offset(id));
      for (int a = 0; a < node.n; ++a) stack.emplace_back(node.first + a, game.Child(id, a));
    }
    CHECK(seen == tree.size());
    CHECK(tree.size() == game.NumNodes());  // every node of these trees is reachable
  };
  check(KuhnPoker());
  check(LeducHoldem());
}

namespace {
// The guard on the plain path: with every option off, the solver must do
// exactly what external sampling without options does: the same table
// reads and writes, the same random draws, the same bits.
struct AccessLog {
  std::uint64_t reads = 0, regret_writes = 0, strategy_writes = 0;
  bool operator==(const AccessLog&) const = default;
};
class LoggingAccess {
 public:
  LoggingAccess(bp::solver::TableView tables, AccessLog* log) : direct_(tables), log_(log) {}
  template <int kN = 0>
  void Regrets(std::uint64_t base, int n, double* out) {
    ++log_->reads;
    direct_.Regrets(base, n, out);
  }
  template <int kN = 0>
  void AddRegrets(std::uint64_t base, int n, const double* delta) {
    ++log_->regret_writes;
    direct_.AddRegrets(base, n, delta);
  }
  template <int kN = 0>
  void AddStrategy(std::uint64_t base, int n, const double* sigma) {
    ++log_->strategy_writes;
    direct_.AddStrategy(base, n, sigma);
  }

 private:
  bp::solver::DirectAccess direct_;
  AccessLog* log_;
};

// External sampling with no options at all, written plainly (the reference).
template <class G>
class PlainExternalSampling {
 public:
  PlainExternalSampling(const G& game, const TableLayout& layout, LoggingAccess access, std::uint64_t seed)
      : game_(game), layout_(layout), access_(access), rng_(seed) {}
  void Iterate(std::uint64_t count) {
    for (std::uint64_t i = 0; i < count; ++i) {
      for (int p = 0; p < game_.NumPlayers(); ++p) {
        const auto deal = game_.SampleDeal(rng_);
        Value(game_.Root(), p, deal);
      }
    }
  }
  bp::solver::Rng& rng() { return rng_; }

 private:
  double Value(bp::solver::NodeId node, int traverser, const typename G::Deal& deal) {
    if (game_.IsTerminal(node)) return game_.Utility(deal, node, traverser);
    const int n = game_.NumActions(node);
    const int player = game_.Player(node);
    const std::uint64_t base =
        layout_.entry_offset(node) + std::uint64_t{game_.Bucket(deal, player, game_.Street(node))} * n;
    double regrets[bp::solver::kMaxActions];
    double sigma[bp::solver::kMaxActions];
    access_.Regrets(base, n, regrets);
    bp::solver::RegretMatching(regrets, n, sigma);
    if (player == traverser) {
      double values[bp::solver::kMaxActions];
      double expected = 0.0;
      for (int a = 0; a < n; ++a) {
        values[a] = Value(game_.Child(node, a), traverser, deal);
        expected += sigma[a] * values[a];
      }
      for (int a = 0; a < n; ++a) values[a] -= expected;
      access_.AddRegrets(base, n, values);
      return expected;
    }
    access_.AddStrategy(base, n, sigma);
    return Value(game_.Child(node, bp::solver::SampleFromRegrets(regrets, n, rng_.UniformDouble())), traverser, deal);
  }

  const G& game_;
  const TableLayout& layout_;
  LoggingAccess access_;
  bp::solver::Rng rng_;
};

template <class G>
void CheckPlainPath(std::uint64_t iterations) {
  G game;
  const TableLayout layout(game);
  Tables plain_tables(layout.num_entries()), tables(layout.num_entries());
  AccessLog plain_log, log;
  PlainExternalSampling<G> plain(game, layout, LoggingAccess(plain_tables.View(), &plain_log), 5);
  plain.Iterate(iterations);
  // Options set but off: pruning not in this phase, no floor, every street averaged.
  bp::solver::SamplingOptions options;
  options.prune_threshold = 1e300;  // would prune everything, were it on
  ExternalSampling<G, LoggingAccess> solver(game, layout, LoggingAccess(tables.View(), &log), 5, options);
  solver.SetPhase(/*prune=*/false, /*average=*/true);
  solver.Iterate(iterations);
  CHECK(log == plain_log);
  CHECK(log.reads > iterations);
  CHECK(solver.rng().state() == plain.rng().state());  // no draw more or fewer
  CHECK(std::memcmp(tables.regrets().data(), plain_tables.regrets().data(), layout.num_entries() * sizeof(double)) == 0);
  CHECK(std::memcmp(tables.strategy_sum().data(), plain_tables.strategy_sum().data(),
                    layout.num_entries() * sizeof(double)) == 0);
  // And the guard can fail: pruning on draws a number per iteration and skips work.
  Tables pruned_tables(layout.num_entries());
  AccessLog pruned_log;
  ExternalSampling<G, LoggingAccess> pruned(game, layout, LoggingAccess(pruned_tables.View(), &pruned_log), 5, options);
  pruned.SetPhase(/*prune=*/true, /*average=*/true);
  pruned.Iterate(iterations);
  CHECK(pruned.rng().state() != plain.rng().state());
}
}  // namespace

TEST_CASE("options off: the solver does exactly the plain algorithm's table accesses and draws, bit for bit") {
  CheckPlainPath<KuhnPoker>(20000);
  CheckPlainPath<LeducHoldem>(20000);
}

TEST_CASE("prefetching children's rows is only a hint: the same tables bit for bit, in place and through deltas") {
  LeducHoldem game;
  const TableLayout layout(game);
  Tables plain(layout.num_entries()), prefetched(layout.num_entries());
  ExternalSampling a(game, layout, plain.View(), 9);
  ExternalSampling b(game, layout, prefetched.View(), 9);
  CHECK_FALSE(a.prefetch());  // Leduc's table is far below the threshold
  b.SetPrefetch(true);
  for (const bool prune : {false, true}) {
    a.SetPhase(prune, true);
    b.SetPhase(prune, true);
    a.Iterate(20000);
    b.Iterate(20000);
  }
  CHECK(std::memcmp(plain.regrets().data(), prefetched.regrets().data(), layout.num_entries() * sizeof(double)) == 0);
  CHECK(std::memcmp(plain.strategy_sum().data(), prefetched.strategy_sum().data(),
                    layout.num_entries() * sizeof(double)) == 0);
  // Through a worker's deltas too.
  using Delta = bp::solver::DeltaAccess;
  ExternalSampling<LeducHoldem, Delta> c(game, layout, Delta(plain.regrets().data(), layout.num_entries()), 4);
  ExternalSampling<LeducHoldem, Delta> d(game, layout, Delta(plain.regrets().data(), layout.num_entries()), 4);
  d.SetPrefetch(true);
  c.Iterate(3000);
  d.Iterate(3000);
  std::vector<std::byte> out_c(c.access().EmitBytes()), out_d(d.access().EmitBytes());
  REQUIRE(out_c.size() == out_d.size());
  c.access().EmitAndClear(out_c.data());
  d.access().EmitAndClear(out_d.data());
  CHECK(out_c == out_d);
}
