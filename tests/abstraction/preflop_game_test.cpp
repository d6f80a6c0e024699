#include "abstraction/preflop_game.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "abstraction/bucket_file.h"
#include "support/legacy_formats.h"

using namespace bp::abstraction;

namespace {

TableConfig TenBigBlinds() {
  TableConfig t;
  t.players = 2;
  t.stacks.fill(1000);
  return t;
}

BettingAbstraction PushFold() {
  BettingAbstraction b;
  b.streets[0] = {1, ParseSizes("allin"), false};
  for (int s = 1; s < 4; ++s) b.streets[static_cast<std::size_t>(s)] = {0, {}, true};
  return b;
}

}  // namespace

TEST_CASE("push/fold: five nodes, fold payoffs in big blinds, 169 classes, every ordered pair of hands once") {
  const PreflopEquity equity = PreflopEquity::Empty();  // showdowns not used here
  const PreflopGame game(TenBigBlinds(), PushFold(), equity);
  CHECK(game.NumNodes() == 5);
  const auto root = game.Root();
  CHECK(game.Player(root) == 0);
  REQUIRE(game.NumActions(root) == 2);
  CHECK(game.ActionName(root, 0) == "f");
  CHECK(game.ActionName(root, 1) == "a1000");
  const auto facing = game.Child(root, 1);
  CHECK(game.Player(facing) == 1);
  CHECK(game.ActionName(facing, 1) == "c");
  const PreflopGame::Deal deal = game.DealAt(0);
  // The small blind folds: -0.5 bb; the big blind folds to the shove: +1 bb.
  CHECK(game.Utility(deal, game.Child(root, 0), 0) == -0.5);
  CHECK(game.Utility(deal, game.Child(root, 0), 1) == 0.5);
  CHECK(game.Utility(deal, game.Child(facing, 0), 0) == 1.0);
  // With zero equity both lose their 10 bb stake at the showdown.
  CHECK(game.Utility(deal, game.Child(facing, 1), 0) == -10.0);
  CHECK(game.NumDeals() == 1326u * 1225u);
  std::set<std::pair<int, int>> seen;
  for (std::size_t i = 0; i < game.NumDeals(); i += 997) {
    const auto d = game.DealAt(i);
    const auto a = HolePairCards(d.pair[0]), b = HolePairCards(d.pair[1]);
    REQUIRE((MaskOf(a[0]) | MaskOf(a[1])) != 0);
    REQUIRE(((MaskOf(a[0]) | MaskOf(a[1])) & (MaskOf(b[0]) | MaskOf(b[1]))) == 0);
    REQUIRE(d.bucket[0] == game.ClassOf(d.pair[0]));
    seen.insert({d.pair[0], d.pair[1]});
  }
  CHECK(seen.size() == (game.NumDeals() + 996) / 997);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i) {
    const auto d = game.SampleDeal(rng);
    REQUIRE(d.pair[0] != d.pair[1]);
    REQUIRE(game.Bucket(d, 1, 0) < 169);
    REQUIRE(game.Bucket(d, 1, 2) == 0);
  }
  const HoldemIndexer indexer(IsomorphismMode::kBoardAsSet);
  const Card aks[2] = {*ParseCard("As"), *ParseCard("Ks")};
  const Card seven_deuce[2] = {*ParseCard("7h"), *ParseCard("2c")};
  CHECK(PreflopGame::ClassName(indexer, static_cast<std::uint32_t>(indexer.Index(0, aks, nullptr))) == "AKs");
  CHECK(PreflopGame::ClassName(indexer, static_cast<std::uint32_t>(indexer.Index(0, seven_deuce, nullptr))) == "72o");
  CHECK(game.InfosetName(facing, static_cast<std::uint32_t>(indexer.Index(0, aks, nullptr))) == "AKs:a1000");
}

TEST_CASE("the preflop game refuses tables and betting it cannot value exactly") {
  const PreflopEquity equity = PreflopEquity::Empty();
  TableConfig three = TenBigBlinds();
  three.players = 3;
  CHECK_THROWS_WITH(PreflopGame(three, PushFold(), equity), "the preflop game is heads-up: game.players must be 2, found 3");
  BettingAbstraction flop_bets = PushFold();
  flop_bets.streets[1] = {1, ParseSizes("1"), true};
  CHECK_THROWS_WITH(PreflopGame(TenBigBlinds(), flop_bets, equity),
                    "the preflop game has no bets after the preflop: betting.flop.max_raises must be 0, found 1");
}

TEST_CASE("preflop equity files: version 1 of earlier builds is read, saved as version 2, read back the same") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bp-preflop-equity-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<float> table(static_cast<std::size_t>(kNumHolePairs) * kNumHolePairs);
  for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<float>(i % 1000) / 1000.0f;
  const std::string v1 = (dir / "v1.bin").string();
  std::ofstream(v1, std::ios::binary) << bp::legacy::EncodePreflopEquityV1(table, kNumHolePairs);
  const PreflopEquity old = PreflopEquity::Load(v1);
  CHECK(old.Equity(0, 5) == table[5]);
  CHECK(old.Equity(1000, 17) == table[1000 * kNumHolePairs + 17]);
  const std::string v2 = (dir / "v2.bin").string();
  old.Save(v2);
  CHECK_FALSE(std::filesystem::exists(v2 + ".tmp"));
  const PreflopEquity again = PreflopEquity::Load(v2);
  for (int a = 0; a < kNumHolePairs; a += 37) {
    for (int b = 0; b < kNumHolePairs; b += 41) REQUIRE(again.Equity(a, b) == old.Equity(a, b));
  }
  // A wrong pair count, a flipped bit, a truncated file: AssetError naming the file.
  std::ofstream(dir / "pairs.bin", std::ios::binary) << bp::legacy::EncodePreflopEquityV1(table, 1000);
  CHECK_THROWS_WITH_AS(PreflopEquity::Load((dir / "pairs.bin").string()),
                       ((dir / "pairs.bin").string() + ": 1000 pairs and 7033104 bytes of equities, expected 1326 "
                                                       "pairs and 7033104 bytes")
                           .c_str(),
                       AssetError);
  std::filesystem::resize_file(v2, 4000);
  CHECK_THROWS_WITH_AS(PreflopEquity::Load(v2),
                       (v2 + ": truncated or padded: the preflop equity file's body should be 7033112 bytes, the file "
                             "holds 3968")
                           .c_str(),
                       AssetError);
  std::filesystem::remove_all(dir);
}
