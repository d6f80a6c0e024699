// Config: the trainer's typed configuration, read from YAML (yaml-cpp) and
// command-line overrides, every key validated before anything starts.
//
// Sections: game, abstraction, betting, solver, run, checkpoint, logging.
// Keys may nest (betting.flop.max_raises). Every key, its type, range and
// default is in the schema in config.cpp, which also writes the resolved
// config (every default filled in) back as YAML. List-valued keys take a YAML
// list or the same as text (game.stacks: [20000, 15000] or "20000, 15000";
// betting.*.sizes: [[0.5, 1, allin], [allin]] or "0.5, 1, allin | allin").
// Errors throw ConfigError with "FILE:LINE:COL: key.path: what was expected,
// what was found" (or "command line: ..." for an override), plus a
// "did you mean" suggestion for unknown keys.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "abstraction/betting_abstraction.h"
#include "abstraction/nlhe_state.h"
#include "trainer/yaml_schema.h"

namespace bp::trainer {

// An interval counted in iterations or in seconds; 0 of either means off.
struct Interval {
  enum class Unit { kIterations, kSeconds } unit = Unit::kSeconds;
  double value = 0;
  bool off() const { return value <= 0; }
  std::string ToString() const;
};

struct Config {
  static abstraction::BettingAbstraction DefaultBetting();

  std::string source;  // the YAML file it came from

  struct Game {
    std::string name = "leduc";  // kuhn | leduc | nlhe_preflop | nlhe
    // No-limit hold'em table (chips); unused by kuhn and leduc.
    int players = 2;
    std::vector<std::int32_t> stacks = {20000};  // one for every seat, or one per seat
    std::int32_t small_blind = 50;
    std::int32_t big_blind = 100;
    std::int32_t ante = 0;
  } game;
  struct Abstraction {
    std::string buckets;  // card-abstraction file; not used by kuhn and leduc
    // Exact preflop all-in equities (nlhe_preflop); computed and cached here if missing.
    std::string preflop_equity = "assets/preflop_equity.bin";
  } abstraction;
  abstraction::BettingAbstraction betting = DefaultBetting();  // nlhe only
  // MCCFR-P. Keys left out (or "auto") take Pluribus' values for game nlhe
  // and plain external-sampling MCCFR for the others; after loading, every
  // optional here holds its resolved value. Regret values are in the game's
  // utility units: big blinds for nlhe and nlhe_preflop.
  struct Solver {
    std::string sampling = "external";
    // Linear CFR: regrets and strategy sums times k/(k+1) at the end of the
    // k-th interval, until discount_stop. Iterations or training time; both
    // keys in the same unit. Pluribus: every 10 minutes for the first 400.
    std::optional<Interval> discount_interval;
    std::optional<Interval> discount_stop;
    double regret_floor = -3.1e6;  // Pluribus: -310,000,000 chips with a 100-chip big blind
    // Negative-regret pruning from this point on (off: never). Pluribus: 200 minutes.
    std::optional<Interval> prune_start;
    double prune_threshold = -3.0e6;  // Pluribus: -300,000,000 chips
    double prune_probability = 0.95;
    // Streets whose average strategy is kept: all, or preflop (Pluribus; the
    // postflop blueprint is then the current strategy or its snapshots).
    std::optional<std::string> average;
    Interval average_start{Interval::Unit::kIterations, 0};  // strategy sums from this point on
    // How strategy sums grow: "expected" adds the current strategy at the
    // other players' infosets a traversal passes, every iteration; "sampled"
    // (Pluribus) runs, every average_interval iterations, one traversal per
    // player that adds 1 to one sampled action at each of its infosets.
    std::optional<std::string> average_update;
    std::uint64_t average_interval = 10000;  // iterations; Pluribus: 10,000
    // The number of streets `average` means for a game with `streets` streets.
    int AverageStreets(int streets) const { return average == "preflop" ? 1 : streets; }
  } solver;
  struct Run {
    std::uint64_t iterations = 0;  // stop after this many in total; 0 = no limit
    double time_budget_s = 0;      // stop after this long; 0 = no limit
    int num_workers = 0;           // 0 = one per available core
    std::uint64_t batch_size = 10000;
    int queue_depth = 2;
    double put_timeout_s = 5;
    bool pin_workers = false;
    // Where the coordinator's wake-ups land (ipc/wake_affinity.h):
    // follow (bound to the waking worker's CPU), free (the kernel's choice), or
    // auto (follow when the workers fill every available core).
    std::string coordinator_cpu = "auto";
    bool deterministic = false;
    std::uint64_t seed = 1;
  } run;
  struct Checkpoint {
    Interval interval{Interval::Unit::kSeconds, 600};
    int keep = 3;
    // Current-strategy snapshots of the streets without strategy sums
    // (trainer/snapshot.h); off, iterations or a duration.
    Interval snapshot_interval{Interval::Unit::kIterations, 0};
    Interval snapshot_start{Interval::Unit::kIterations, 0};  // none before this point (Pluribus: 800 minutes)
  } checkpoint;
  struct Logging {
    std::string logdir = "runs/latest";
    double metrics_interval_s = 1;
    double exploitability_interval_s = 5;
    std::string progress = "auto";  // auto | bar | lines
  } logging;
};

// Reads and validates `path` with `overrides` applied on top.
Config LoadConfig(const std::string& path, const std::vector<Override>& overrides);
// Validates YAML text (for tests and for configs embedded in checkpoints and
// blueprints: those pass Inapplicable::kIgnoreInText, as earlier versions
// wrote the keys of every game into them). A key that means nothing for the
// game (game.stacks for leduc) is an error otherwise.
Config ParseConfig(const std::string& yaml_text, const std::string& source, const std::vector<Override>& overrides,
                   Inapplicable inapplicable = Inapplicable::kError);
// The resolved config as YAML: every key that means something for its game.
std::string ToYaml(const Config& config);
// The keys that must match for a checkpoint to be resumed: key path -> value.
std::map<std::string, std::string> IdentityKeys(const Config& config);
// The no-limit hold'em table of a config (seat 0 is the button).
abstraction::TableConfig TableOf(const Config& config);
// The text of a config file; ConfigError naming it if it cannot be read.
std::string ReadConfigFile(const std::string& path);
// Every key path the schema knows, e.g. "run.batch_size".
std::vector<std::string> KnownKeys();

}  // namespace bp::trainer
