// The preflop chart of `train_blueprint inspect CKPT --preflop-chart`.
#pragma once

#include <string>

#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/train_main.h"

namespace bp::trainer {

// The seat of a position name (btn, sb, bb, utg, hj, mp, co) or number for
// `players` seats (seat 0 is the button); ConfigError naming --position.
int SeatOf(const std::string& position, int players);

// Prints the 13 x 13 charts of options.position's first preflop decision
// (after options.facing) and draws it to options.out if given. nlhe and
// nlhe_preflop checkpoints; ConfigError otherwise.
int PrintPreflopChart(const CheckpointData& ckpt, const Config& config, const InspectOptions& options);

class Blueprint;
// The same from a blueprint.bin (its preflop strategy is the average one).
int PrintBlueprintChart(const Blueprint& blueprint, const InspectOptions& options);

}  // namespace bp::trainer
