// eval_bench: single-thread 7-card evaluation speed.
//   sequential  every one of the 133,784,560 seven-card hands, each built
//               from its 7 cards (no partial results shared across hands)
//   random      10^7 random hands from a pre-built array of cards
// Evaluators are measured side by side in one run: the table evaluator
// (abstraction/hand_evaluator.h) and the reference evaluator it is checked
// against. With --json, the table evaluator's figures.
// A second table: the suit isomorphism indexer (abstraction/hand_indexer.h),
// hands indexed and indices unindexed per second, per street and mode, on the
// same random cards (the first two as hole cards, then the board).
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "abstraction/hand_evaluator.h"
#include "abstraction/hand_indexer.h"
#include "abstraction/reference_evaluator.h"
#include "bench/machine.h"
#include "solver/rng.h"
#include "trainer/median.h"

using namespace bp::abstraction;

namespace {

using bp::trainer::Median;

struct Row {
  std::string name;
  double seq_per_s;
  double random_per_s;
  std::uint64_t table_bytes;
  std::uint64_t checksum;
};

// Each figure is the median of `reps` timed passes.
template <class Eval>
Row Measure(const std::string& name, Eval&& eval, std::uint64_t table_bytes, const std::vector<Card>& random_cards,
            bool sequential, int reps) {
  Row row{name, 0, 0, table_bytes, 0};
  std::uint64_t checksum = 0;
  std::vector<double> seq, random;
  for (int rep = 0; rep < reps; ++rep) {
    checksum = 0;
    if (sequential) {
      // Each loop writes its own card; every hand is still evaluated from all
      // seven cards (the evaluator shares nothing across hands).
      const auto start = std::chrono::steady_clock::now();
      constexpr std::uint64_t count = 133784560;
      std::array<Card, 7> hand{};
      for (hand[0] = 0; hand[0] < 52; ++hand[0])
        for (hand[1] = hand[0] + 1; hand[1] < 52; ++hand[1])
          for (hand[2] = hand[1] + 1; hand[2] < 52; ++hand[2])
            for (hand[3] = hand[2] + 1; hand[3] < 52; ++hand[3])
              for (hand[4] = hand[3] + 1; hand[4] < 52; ++hand[4])
                for (hand[5] = hand[4] + 1; hand[5] < 52; ++hand[5])
                  for (hand[6] = hand[5] + 1; hand[6] < 52; ++hand[6]) checksum += eval(hand.data());
      seq.push_back(static_cast<double>(count) /
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const std::size_t hands = random_cards.size() / 7;
    const auto start = std::chrono::steady_clock::now();
    // In place, as a caller holding an array of hands evaluates them (a copy
    // of each hand into an array first cost 15% here, not the evaluator's).
    for (std::size_t h = 0; h < hands; ++h) checksum += eval(&random_cards[h * 7]);
    random.push_back(static_cast<double>(hands) /
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  row.seq_per_s = sequential ? Median(seq) : 0;
  row.random_per_s = Median(random);
  row.checksum = checksum;
  return row;
}

struct IndexerRow {
  std::string mode;
  int street;
  double index_per_s;
  double unindex_per_s;
  std::uint64_t checksum;
};

IndexerRow MeasureIndexer(const HoldemIndexer& indexer, const std::string& mode, int street,
                          const std::vector<Card>& random_cards) {
  const std::size_t hands = random_cards.size() / 7;
  IndexerRow row{mode, street, 0, 0, 0};
  std::vector<std::uint64_t> indices(hands);
  auto start = std::chrono::steady_clock::now();
  for (std::size_t h = 0; h < hands; ++h) indices[h] = indexer.Index(street, &random_cards[h * 7], &random_cards[h * 7 + 2]);
  row.index_per_s = static_cast<double>(hands) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  start = std::chrono::steady_clock::now();
  std::array<Card, 7> cards{};
  for (std::size_t h = 0; h < hands; ++h) {
    indexer.Unindex(street, indices[h], cards.data(), cards.data() + 2);
    row.checksum += cards[0] + cards[6] + indices[h];
  }
  row.unindex_per_s = static_cast<double>(hands) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Single-thread 7-card hand evaluation: sequential enumeration and random hands."};
  std::uint64_t random_hands = 10000000;
  bool json = false, skip_sequential = false;
  int reps = 3;
  app.add_option("--random-hands", random_hands, "Random hands to evaluate")->capture_default_str();
  app.add_flag("--skip-sequential", skip_sequential, "Skip the full enumeration");
  app.add_option("--reps", reps, "Timed passes per figure; the median is printed")->capture_default_str()->check(CLI::Range(1, 100));
  app.add_flag("--json", json, "Print one JSON object (the first evaluator's figures)");
  BP_BENCH_PARSE(app, argc, argv);

  bp::solver::Rng rng(1);
  std::vector<Card> cards;
  cards.reserve(random_hands * 7);
  for (std::uint64_t h = 0; h < random_hands; ++h) {
    CardMask used = 0;
    for (int k = 0; k < 7; ++k) {
      Card c;
      do c = static_cast<Card>(rng.UniformBelow(52));
      while (used & MaskOf(c));
      used |= MaskOf(c);
      cards.push_back(c);
    }
  }
  // Each evaluator takes seven cards at a pointer.
  auto reference = [](const Card* h) {
    CardMask m = 0;
    for (int k = 0; k < 7; ++k) m |= MaskOf(h[k]);
    return ReferenceEvaluate(m);
  };
  const HandEvaluator table_evaluator;
  // The strength orders hands exactly as the HandRank; checksums differ.
  auto strength = [&](const Card* h) { return table_evaluator.Strength7(h); };
  auto fast = [&](const Card* h) { return table_evaluator.Evaluate7(h); };
  const std::vector<Row> rows{Measure("table", strength, table_evaluator.table_bytes(), cards, !skip_sequential, reps),
                              Measure("table+rank", fast, table_evaluator.table_bytes(), cards, !skip_sequential, reps),
                              Measure("reference", reference, 0, cards, !skip_sequential, 1)};
  std::vector<IndexerRow> indexer_rows;
  if (!json) {
    const HoldemIndexer as_set(IsomorphismMode::kBoardAsSet), split(IsomorphismMode::kSplitBoard);
    for (int street = 0; street < 4; ++street) {
      indexer_rows.push_back(MeasureIndexer(as_set, "board-as-set", street, cards));
      indexer_rows.push_back(MeasureIndexer(split, "split-board", street, cards));
    }
  }
  if (json) {
    fmt::print("{}\n", nlohmann::json{{"seq_evals_per_s", rows[0].seq_per_s},
                                      {"random_evals_per_s", rows[0].random_per_s},
                                      {"table_bytes", rows[0].table_bytes}}
                           .dump());
    return 0;
  }
  fmt::print("eval_bench: 7-card evaluation, 1 thread; sequential = all 133,784,560 hands, random = {} hands; "
             "median of {} passes (reference: 1)\n",
             random_hands, reps);
  fmt::print("table = 16-bit strength (orders hands as HandRank does); table+rank = the HandRank itself\n");
  fmt::print("machine: {}\n", bp::bench::MachineDescription());
  fmt::print("{:<12} {:>16} {:>16} {:>12} {:>20}\n", "evaluator", "sequential/s", "random/s", "table bytes",
             "checksum");
  for (const Row& r : rows) {
    fmt::print("{:<12} {:>16.0f} {:>16.0f} {:>12} {:>20}\n", r.name, r.seq_per_s, r.random_per_s, r.table_bytes,
               r.checksum);
  }
  fmt::print("\nhand indexer, 1 thread, the same random hands:\n");
  fmt::print("{:<14} {:>7} {:>14} {:>14} {:>22}\n", "mode", "street", "index/s", "unindex/s", "checksum");
  for (const IndexerRow& r : indexer_rows)
    fmt::print("{:<14} {:>7} {:>14.0f} {:>14.0f} {:>22}\n", r.mode, r.street, r.index_per_s, r.unindex_per_s,
               r.checksum);
  return 0;
}
