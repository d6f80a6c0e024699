// The preflop chart of `train_blueprint inspect CKPT --preflop-chart`.
#pragma once

#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/train_main.h"

namespace bp::trainer {

// Prints the 13 x 13 charts of options.position's first preflop decision
// (after options.facing) and draws it to options.out if given. nlhe and
// nlhe_preflop checkpoints; ConfigError otherwise.
int PrintPreflopChart(const CheckpointData& ckpt, const Config& config, const InspectOptions& options);

class Blueprint;
// The same from a blueprint.bin (its preflop strategy is the average one).
int PrintBlueprintChart(const Blueprint& blueprint, const InspectOptions& options);

}  // namespace bp::trainer
