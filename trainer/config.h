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

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "abstraction/betting_abstraction.h"
#include "abstraction/nlhe_state.h"
#include "solver/sampling_options.h"
#include "trainer/yaml_schema.h"

namespace bp::trainer {

// The games (game.name); trainer/game_registry.h builds them.
enum class GameName { kKuhn, kLeduc, kNlhePreflop, kNlhe };
// solver.average: the streets whose average strategy (strategy sums) is kept.
enum class AverageStreets { kAll, kPreflop };
// solver.average_update: how strategy sums grow (solver/external_sampling.h).
// kExpected is unbiased only for two players, and refused for more.
enum class AverageUpdate { kExpected, kSampled };
// solver.regret_weight, solver.average_weight: iteration t's updates weigh
// 1, t or t^2 (full-width CFR, solver/full_width.h).
enum class IterationWeighting { kUniform, kLinear, kQuadratic };
// run.coordinator_cpu: where the coordinator's wake-ups land
// (ipc/wake_affinity.h): kFollow binds it to the waking worker's CPU, kFree
// leaves it to the kernel, kAuto follows when the workers fill every
// available core.
enum class CoordinatorCpu { kAuto, kFollow, kFree };
// logging.progress: a live bar (a terminal), plain lines, or auto (a bar on
// a terminal).
enum class ProgressStyle { kAuto, kBar, kLines };

template <>
struct EnumNames<GameName> {
  static constexpr std::array<std::pair<GameName, std::string_view>, 4> kValues = {
      {{GameName::kKuhn, "kuhn"}, {GameName::kLeduc, "leduc"}, {GameName::kNlhePreflop, "nlhe_preflop"},
       {GameName::kNlhe, "nlhe"}}};
};
template <>
struct EnumNames<AverageStreets> {
  static constexpr std::array<std::pair<AverageStreets, std::string_view>, 2> kValues = {
      {{AverageStreets::kAll, "all"}, {AverageStreets::kPreflop, "preflop"}}};
};
template <>
struct EnumNames<AverageUpdate> {
  static constexpr std::array<std::pair<AverageUpdate, std::string_view>, 2> kValues = {
      {{AverageUpdate::kExpected, "expected"}, {AverageUpdate::kSampled, "sampled"}}};
};
template <>
struct EnumNames<IterationWeighting> {
  static constexpr std::array<std::pair<IterationWeighting, std::string_view>, 3> kValues = {
      {{IterationWeighting::kUniform, "uniform"}, {IterationWeighting::kLinear, "linear"},
       {IterationWeighting::kQuadratic, "quadratic"}}};
};
template <>
struct EnumNames<CoordinatorCpu> {
  static constexpr std::array<std::pair<CoordinatorCpu, std::string_view>, 3> kValues = {
      {{CoordinatorCpu::kAuto, "auto"}, {CoordinatorCpu::kFollow, "follow"}, {CoordinatorCpu::kFree, "free"}}};
};
template <>
struct EnumNames<ProgressStyle> {
  static constexpr std::array<std::pair<ProgressStyle, std::string_view>, 3> kValues = {
      {{ProgressStyle::kAuto, "auto"}, {ProgressStyle::kBar, "bar"}, {ProgressStyle::kLines, "lines"}}};
};

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
    GameName name = GameName::kLeduc;
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
    // external: external-sampling MCCFR; full: full-width CFR (every deal and
    // every action each iteration), for games small enough to enumerate
    // (kuhn, leduc); with regret_floor 0 and average_weight linear it is CFR+.
    std::string sampling = "external";
    bool FullWidth() const { return sampling == "full"; }
    // Full width: iteration t's regret and strategy-sum updates weigh 1, t or t^2.
    IterationWeighting regret_weight = IterationWeighting::kUniform;
    IterationWeighting average_weight = IterationWeighting::kUniform;
    // Linear CFR: regrets and strategy sums times k/(k+1) at the end of the
    // k-th interval, until discount_stop. Iterations or training time; both
    // keys in the same unit. Pluribus: every 10 minutes for the first 400.
    std::optional<Interval> discount_interval;
    std::optional<Interval> discount_stop;
    double regret_floor = -3.1e6;  // Pluribus: -310,000,000 chips with a 100-chip big blind
    // Negative-regret pruning from this point on (off: never). Pluribus: 200 minutes.
    std::optional<Interval> prune_start;
    double prune_threshold = solver::SamplingOptions{}.prune_threshold;  // Pluribus: -300,000,000 chips
    double prune_probability = solver::SamplingOptions{}.prune_probability;
    // Streets whose average strategy is kept: all, or preflop (Pluribus; the
    // postflop blueprint is then the current strategy or its snapshots).
    std::optional<AverageStreets> average;
    Interval average_start{Interval::Unit::kIterations, 0};  // strategy sums from this point on
    // How strategy sums grow: expected adds the current strategy at the
    // other players' infosets a traversal passes, every iteration (unbiased
    // for two players only); sampled (Pluribus) runs, every average_interval
    // iterations, one traversal per player that adds 1 to one sampled action
    // at each of its infosets.
    std::optional<AverageUpdate> average_update;
    std::uint64_t average_interval = 10000;  // iterations; Pluribus: 10,000
    // The number of streets `average` means for a game with `streets` streets.
    int NumAveragedStreets(int streets) const { return average == AverageStreets::kPreflop ? 1 : streets; }
    // The solver's options for a game with `streets` streets.
    solver::SamplingOptions SamplingOptionsFor(int streets) const;
  } solver;
  struct Run {
    std::uint64_t iterations = 0;  // stop after this many in total; 0 = no limit
    double time_budget_s = 0;      // stop after this long; 0 = no limit
    int num_workers = 0;           // 0 = one per available core
    std::uint64_t batch_size = 10000;
    int queue_depth = 2;
    double put_timeout_s = 5;
    // A worker with batches in flight that sends no heartbeat for this long
    // is killed, respawned and its batches issued again; 0 (auto): 5 s more
    // than the slowest batch seen.
    double worker_timeout_s = 0;
    // More worker deaths than this within a minute stop the run (exit 1).
    int max_worker_deaths = 10;
    bool pin_workers = false;
    CoordinatorCpu coordinator_cpu = CoordinatorCpu::kAuto;
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
    // Checkpoint or snapshot writes that fail in a row (a full disk) before
    // the run stops with its last good checkpoint (exit 1); 0: never stop.
    int max_failures = 3;
    // nlhe: with every checkpoint, the blueprint as it then stood
    // (LOGDIR/curve/), the points of the run's strength curve.
    bool curve = true;
  } checkpoint;
  struct Distributed {
    // Under mpirun: how often the ranks sum their deltas into every replica
    // (trainer/rank_sync.h): a duration on rank 0's clock, or iterations of
    // all ranks together; none (auto): a batch of every rank, no more
    // staleness than a worker's queue has (Leduc converges 1.1-1.2x slower
    // at that than on one machine, 1.4x at two batches, far slower at 20 ms).
    std::optional<Interval> sync_interval;
  } distributed;
  struct Logging {
    std::string logdir = "runs/latest";
    double metrics_interval_s = 1;
    double exploitability_interval_s = 5;
    ProgressStyle progress = ProgressStyle::kAuto;
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
// For nlhe, the card abstraction is identified by its file's fingerprint
// (abstraction.buckets_fingerprint), not its path.
std::map<std::string, std::string> IdentityKeys(const Config& config,
                                                std::optional<std::uint64_t> bucket_fingerprint = std::nullopt);
// The no-limit hold'em table of a config (seat 0 is the button).
abstraction::TableConfig TableOf(const Config& config);
// The text of a config file; ConfigError naming it if it cannot be read.
std::string ReadConfigFile(const std::string& path);
// Every key path the schema knows, e.g. "run.batch_size".
std::vector<std::string> KnownKeys();

}  // namespace bp::trainer
