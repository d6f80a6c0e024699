// Entry points of the train_blueprint command: training (with resume) and
// inspection. Both return the process exit code: 0 done, 1 runtime failure,
// 2 bad usage or config.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "abstraction/preflop_game.h"
#include "trainer/config.h"

namespace bp::trainer {

struct TrainOptions {
  std::string config_path;      // empty when resuming from a checkpoint's own config
  std::string resume_from;      // LOGDIR or checkpoint file, or empty
  std::vector<Override> overrides;
  bool logdir_given = false;
};

int Train(const TrainOptions& options);

class RunLog;
// The preflop equity table at `path`, or computed on every core and saved
// there when the file does not exist.
abstraction::PreflopEquity LoadOrBuildPreflopEquity(const std::string& path, RunLog& log);

struct InspectOptions {
  std::string target;           // LOGDIR or checkpoint file
  std::string plot;             // FILE.svg, or empty
  std::string infoset;          // infoset name, or empty
  bool preflop_chart = false;   // the chart of one seat's first preflop decision
  std::string position = "btn"; // seat number or name (btn, sb, bb, utg, hj, co)
  std::string facing;           // actions before it, e.g. "r300"
  std::string out;              // chart picture, FILE.svg or FILE.png
};

int Inspect(const InspectOptions& options);

struct TreeOptions {
  std::string config_path;
  std::vector<Override> overrides;
  std::string buckets_per_street = "169,200,200,200";  // for the infoset-action count and memory
  bool buckets_per_street_given = false;  // then the config's bucket file is not opened
  bool buckets_given = false;             // --buckets: its counts win
};

// Builds the betting tree of an nlhe config and prints its summary.
int PrintTree(const TreeOptions& options);

}  // namespace bp::trainer
