// The preflop chart's arguments: --position and --facing, for 2 to 6 players.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "abstraction/betting_tree.h"
#include "trainer/config.h"
#include "trainer/preflop_chart.h"

using namespace bp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto trees = [] {
    std::array<std::unique_ptr<abstraction::BettingTree>, 7> t;
    trainer::Config config = trainer::ParseConfig(
        "game:\n  name: nlhe\nabstraction:\n  buckets: b.bin\nbetting:\n  preflop:\n    max_raises: 2\n    sizes: "
        "[[0.5, 1, allin], [allin]]\n  flop:\n    max_raises: 0\n  turn:\n    max_raises: 0\n  river:\n    "
        "max_raises: 0\n",
        "fuzz", {});
    for (int players = 2; players <= 6; ++players) {
      config.game.players = players;
      t[static_cast<std::size_t>(players)] =
          std::make_unique<abstraction::BettingTree>(trainer::TableOf(config), config.betting);
    }
    return t;
  }();
  if (size == 0) return 0;
  const int players = 2 + data[0] % 5;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  std::string position, facing;
  std::getline(in, position);
  std::getline(in, facing);
  try {
    const int seat = trainer::SeatOf(position, players);
    if (seat < 0 || seat >= players) std::abort();
    const std::uint32_t node = trainer::FindChartNode(*trees[static_cast<std::size_t>(players)], seat, facing);
    if (trees[static_cast<std::size_t>(players)]->Player(node) != seat) std::abort();
  } catch (const trainer::ConfigError&) {
  }
  return 0;
}
