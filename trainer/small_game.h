// The average strategy and exact exploitability of a checkpoint of a game
// small enough to enumerate (kuhn, leduc, nlhe_preflop): what `inspect
// --infoset` prints one infoset at a time and what the trainer logs, for
// every infoset at once (the Python module's Checkpoint).
#pragma once

#include <string>
#include <vector>

#include "abstraction/preflop_equity.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"

namespace bp::trainer {

struct InfosetStrategy {
  std::string infoset;               // the game's name for it, as `inspect --infoset` takes
  int player = 0;
  std::vector<std::string> actions;  // the game's action names
  std::vector<double> average;       // the normalised strategy sums (uniform where they are zero)
};

// Every infoset's average strategy, in table order. CheckpointError if the
// checkpoint's tables do not fit its config's game, or hold no strategy sums
// on some street; ConfigError for a game that is not enumerable.
std::vector<InfosetStrategy> AverageStrategies(const CheckpointData& ckpt, const Config& config);

// The exploitability of the average strategy, computed exactly as the
// trainer logs it: (sum of best-response values) / players. `equity`:
// nlhe_preflop's showdown equities (required there, ignored elsewhere).
// The same errors as AverageStrategies.
double ExactExploitability(const CheckpointData& ckpt, const Config& config,
                           const abstraction::PreflopEquity* equity = nullptr);

}  // namespace bp::trainer
