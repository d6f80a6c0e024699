// `train_blueprint tree`: the betting tree of an nlhe config, summarised.
#include <fmt/core.h>

#include <array>
#include <chrono>

#include "abstraction/betting_tree.h"
#include "abstraction/bucket_file.h"
#include "trainer/config.h"
#include "solver/tables.h"
#include "trainer/game_registry.h"
#include "trainer/train_main.h"

namespace bp::trainer {
namespace {

std::array<std::uint64_t, abstraction::kNumStreets> ParseBucketCounts(const std::string& text) {
  std::array<std::uint64_t, abstraction::kNumStreets> counts{};
  std::size_t start = 0;
  for (int street = 0; street < 4; ++street) {
    const auto end = text.find(',', start);
    if ((end == std::string::npos) != (street == 3)) break;
    const std::string item = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::size_t pos = 0;
    try {
      counts[static_cast<std::size_t>(street)] = std::stoull(item, &pos);
    } catch (const std::exception&) {
      pos = 0;
    }
    if (pos == 0 || pos != item.size() || counts[static_cast<std::size_t>(street)] == 0) break;
    if (street == 3) return counts;
    start = end + 1;
  }
  throw ConfigError(fmt::format("command line (--buckets-per-street): expected four positive counts such as "
                                "169,200,200,200, found '{}'",
                                text));
}

}  // namespace

int PrintTree(const TreeOptions& options) {
  std::array<std::uint64_t, abstraction::kNumStreets> buckets = ParseBucketCounts(options.buckets_per_street);
  const Config config = LoadConfig(options.config_path, options.overrides);
  // Counts given on the command line win over the config's bucket file, which
  // is then not opened (it may not exist yet); a --buckets file wins over both.
  if (!config.abstraction.buckets.empty() && (options.buckets_given || !options.buckets_per_street_given)) {
    const abstraction::BucketFile file = abstraction::BucketFile::Open(config.abstraction.buckets);
    for (std::size_t s = 0; s < abstraction::kNumStreets; ++s) buckets[s] = file.buckets(static_cast<int>(s));
    fmt::print("card abstraction: {} ({} / {} / {} / {} buckets, fingerprint {:016x})\n", file.path(), buckets[0],
               buckets[1], buckets[2], buckets[3], file.fingerprint());
  }
  if (!IsNoLimit(config.game.name)) {
    throw ConfigError(fmt::format("{}: game.name: expected nlhe or nlhe_preflop for a betting tree, found '{}'",
                                  config.source, NameOf(config.game.name)));
  }
  const abstraction::TableConfig table = TableOf(config);
  std::string stacks;
  for (int p = 0; p < table.players; ++p) {
    if (p > 0) stacks += ' ';
    stacks += std::to_string(table.stacks[static_cast<std::size_t>(p)]);
  }
  fmt::print("table: {} players, stacks {} (seat 0 is the button), blinds {}/{}, ante {}\n", table.players, stacks,
             table.small_blind, table.big_blind, table.ante);
  for (std::size_t s = 0; s < abstraction::kNumStreets; ++s) {
    const auto& b = config.betting.streets[s];
    fmt::print("  {:<8} max_raises {}  sizes {}{}\n", abstraction::StreetName(static_cast<int>(s)), b.max_raises, abstraction::FormatSizes(b.sizes),
               s == 0 ? (b.limp ? "  limp allowed" : "  no limp") : "");
  }
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  const abstraction::BettingTree tree(table, config.betting);
  // The regrets of the game's type (solver::RegretOf): int32 for nlhe.
  using NlheRegret = solver::RegretOf<abstraction::NlheGame>;
  using PreflopRegret = solver::RegretOf<abstraction::PreflopGame>;
  const bool nlhe = config.game.name == GameName::kNlhe;
  const std::string summary =
      nlhe ? tree.FormatSummary(buckets, sizeof(NlheRegret), solver::RegretCodec<NlheRegret>::kName)
           : tree.FormatSummary(buckets, sizeof(PreflopRegret), solver::RegretCodec<PreflopRegret>::kName);
  fmt::print("{}built in {:.2f} s\n", summary,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

}  // namespace bp::trainer
