// The preflop chart of `train_blueprint inspect CKPT --preflop-chart`.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "abstraction/betting_tree.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/train_main.h"

namespace bp::trainer {

// The seat of a position name (btn, sb, bb, utg, hj, mp, co) or number for
// `players` seats (seat 0 is the button); ConfigError naming --position.
int SeatOf(const std::string& position, int players);
// The seat's first preflop decision node in `tree`: the actions of `facing`
// from the root ("r300-c"), then folds by the players before the seat.
// ConfigError naming --facing when there is none.
std::uint32_t FindChartNode(const abstraction::BettingTree& tree, int seat, const std::string& facing);

// Prints the 13 x 13 charts of options.position's first preflop decision
// (after options.facing) and draws it to options.out if given. nlhe and
// nlhe_preflop checkpoints; ConfigError otherwise.
int PrintPreflopChart(const CheckpointData& ckpt, const Config& config, const InspectOptions& options);

class Blueprint;
// The same from a blueprint.bin (its preflop strategy is the average one).
int PrintBlueprintChart(const Blueprint& blueprint, const InspectOptions& options);

// A chart's numbers: the action names and kinds at the decision, and
// probability[row][col][action], rows and columns from A down to 2, pairs
// on the diagonal, suited hands above it, offsuit below.
struct PreflopChart {
  int seat = 0;
  std::vector<std::string> actions;
  std::vector<abstraction::ActionKind> kinds;
  std::array<std::array<std::vector<double>, 13>, 13> probability;
};
// The chart PrintBlueprintChart prints for `position` after `facing`
// (ConfigError naming --position or --facing as the command line does).
PreflopChart BlueprintChart(const Blueprint& blueprint, const std::string& position, const std::string& facing);
// "AKs", "T9o", "77": the hand of a chart cell.
std::string ChartHandName(int row, int col);

}  // namespace bp::trainer
