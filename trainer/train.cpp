#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "trainer/proc_stats.h"
#include "trainer/task_pool.h"
#include "trainer/checkpoint.h"
#include "trainer/coordinator.h"
#include "trainer/game_registry.h"
#include "trainer/run_log.h"
#include "trainer/run_dir.h"
#include "trainer/rank_sync.h"
#include "trainer/run_lock.h"
#include "trainer/stop_token.h"
#include "trainer/train_main.h"

namespace bp::trainer {

namespace {

// What the handlers set: the only globals of the trainer, as a signal
// handler can write nothing else (StopToken reads them).
volatile std::sig_atomic_t g_stop_requested = 0;
volatile std::sig_atomic_t g_child_changed = 0;

void OnStopSignal(int) { g_stop_requested = 1; }
void OnChildSignal(int) { g_child_changed = 1; }

// The checkpoint to resume from: the file itself, or the newest valid one
// of LOGDIR/checkpoints (corrupt ones are reported and skipped).
std::pair<CheckpointData, std::filesystem::path> FindCheckpoint(const std::filesystem::path& from, RunLog& log) {
  if (std::filesystem::is_regular_file(from)) return {ReadCheckpoint(from), from};
  if (!std::filesystem::is_directory(from)) {
    throw CheckpointError(from.string() + ": no such run directory or checkpoint file");
  }
  const RunDir run(from);
  const auto all = run.ListCheckpoints();
  if (all.empty()) throw CheckpointError(run.Checkpoints().string() + ": no checkpoint to resume from");
  std::string newest_error;
  for (const auto& path : all) {
    try {
      return {ReadCheckpoint(path), path};
    } catch (const CheckpointError& e) {
      if (newest_error.empty()) newest_error = e.what();
      log.Warn("{}; trying the previous checkpoint", e.what());
    }
  }
  throw CheckpointError(fmt::format("{}: none of its {} checkpoint(s) can be read; the newest: {}",
                                    run.Checkpoints().string(), all.size(), newest_error));
}

template <class G>
int RunGame(const G& game, const Config& config, std::optional<CheckpointData> resume, StopToken stop, RunLog& log) {
  if (resume) {
    const std::string now = AbstractionFingerprint(std::string(NameOf(config.game.name)), solver::TableLayout(game));
    if (now != resume->abstraction_fingerprint) {
      throw ConfigError("cannot resume: the checkpoint's abstraction is " + resume->abstraction_fingerprint +
                        ", this build's is " + now);
    }
  }
  Coordinator<G> coordinator(game, config, std::move(resume), stop, log);
  return coordinator.Run();
}

}  // namespace

StopToken InstallSignalHandlers() {
  struct sigaction sa{};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a sleeping coordinator wakes up
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  // mpirun forwards SIGUSR1 to every rank and, unlike after SIGINT, exits
  // with the ranks' status: the way to stop a job over MPI with exit 0.
  ::sigaction(SIGUSR1, &sa, nullptr);
  struct sigaction child{};
  child.sa_handler = OnChildSignal;
  sigemptyset(&child.sa_mask);
  child.sa_flags = SA_NOCLDSTOP;
  ::sigaction(SIGCHLD, &child, nullptr);
  return StopToken(&g_stop_requested, &g_child_changed);
}

abstraction::PreflopEquity LoadOrBuildPreflopEquity(const std::string& path, RunLog& log) {
  if (std::filesystem::exists(path)) return abstraction::PreflopEquity::Load(path);
  log.Info("computing the exact preflop all-in equity of every matchup (93,769 classes over all boards, a few "
           "minutes on 2 cores); cached in {}", path);
  const abstraction::HandEvaluator evaluator;
  TaskPool pool(AvailableCores(), stderr);
  abstraction::PreflopEquity equity = abstraction::PreflopEquity::Compute(evaluator, [&](std::size_t tasks, const std::function<void(std::size_t)>& body) {
    pool.Run(tasks, body, "preflop equities");
  });
  if (std::filesystem::path(path).has_parent_path()) std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  equity.Save(path);
  return equity;
}

int Train(const TrainOptions& options) {
  RunLog log;
  std::optional<CheckpointData> resume;
  std::filesystem::path resumed_path;
  std::vector<Override> overrides = options.overrides;
  if (!options.resume_from.empty()) {
    auto [data, path] = FindCheckpoint(options.resume_from, log);
    resume = std::move(data);
    resumed_path = path;
    if (std::filesystem::is_directory(options.resume_from) && !options.logdir_given) {
      overrides.insert(overrides.begin(), Override{"logging.logdir", options.resume_from, "--resume-from"});
    }
  }
  Config config = options.config_path.empty()
                      ? ParseConfig(resume->config_yaml, resumed_path.string() + " (its config)", overrides,
                                    Inapplicable::kIgnoreInText)
                      : LoadConfig(options.config_path, overrides);
  if (config.game.name == GameName::kNlhe && config.abstraction.buckets.empty()) {
    throw ConfigError(fmt::format("{}: abstraction.buckets: nlhe needs a card abstraction file, found none; build one "
                                  "with 'build_buckets --config configs/abstraction_small.yaml' and pass it with "
                                  "--buckets or the key",
                                  config.source));
  }
  // The run records its input files by absolute paths, so that it resumes,
  // and its blueprint opens, from any working directory.
  if (!config.abstraction.buckets.empty()) {
    config.abstraction.buckets = std::filesystem::absolute(config.abstraction.buckets).lexically_normal().string();
  }
  config.abstraction.preflop_equity =
      std::filesystem::absolute(config.abstraction.preflop_equity).lexically_normal().string();
  // Over several MPI ranks: rank 0 keeps the run directory; each other rank
  // logs into LOGDIR/rank-N (its train.log and metrics.jsonl) and writes no
  // checkpoint. Every rank resumes from the same checkpoint (the run
  // directory is on this host or on a shared file system).
  if (const DistributedContext* d = CurrentDistributed(); d != nullptr && d->size > 1 && d->rank > 0) {
    config.logging.logdir = (std::filesystem::path(config.logging.logdir) / fmt::format("rank-{}", d->rank)).string();
  }
  // Input files are checked before anything is created.
  std::optional<abstraction::BucketFile> buckets;
  if (config.game.name == GameName::kNlhe) buckets.emplace(abstraction::BucketFile::Open(config.abstraction.buckets));
  // One coordinator per run directory, taken before anything in it is looked
  // at or written; held until this function returns.
  const RunLock lock = RunLock::Acquire(config.logging.logdir);
  if (resume) {
    std::string differences;
    const auto now =
        IdentityKeys(config, buckets ? std::optional<std::uint64_t>(buckets->fingerprint()) : std::nullopt);
    for (const auto& [key, value] : resume->identity) {
      // A key the config does not have means nothing for its game (earlier
      // versions recorded the no-limit table of leduc runs too); a change of
      // game is reported as game.name.
      const auto it = now.find(key);
      if (it != now.end() && it->second != value) {
        differences += fmt::format("\n  {}: checkpoint has '{}', config has '{}'", key, value, it->second);
      }
    }
    if (!differences.empty()) {
      throw ConfigError(fmt::format("cannot resume from {}: the config differs in what the tables depend on:{}",
                                    resumed_path.string(), differences));
    }
  } else if (!RunDir(config.logging.logdir).ListCheckpoints().empty() ||
             (CurrentDistributed() != nullptr && CurrentDistributed()->rank > 0 &&
              std::filesystem::exists(RunDir(config.logging.logdir).Metrics()))) {
    // (rank N's folder of a run that is not resumed: that run's)
    throw ConfigError(fmt::format("{} already holds a run with checkpoints; resume it with --resume-from {} or "
                                  "choose another --logdir",
                                  config.logging.logdir, config.logging.logdir));
  }
  std::filesystem::create_directories(config.logging.logdir);
  log.Open(RunDir(config.logging.logdir).Log());
  log.set_interactive(config.logging.progress == ProgressStyle::kBar ||
                      (config.logging.progress == ProgressStyle::kAuto && ::isatty(STDERR_FILENO)));
  if (resume) log.Info("resuming from {}", resumed_path.string());
  std::vector<std::string> temporaries;
  for (const auto& path : RunDir(config.logging.logdir).RemoveTemporaries()) temporaries.push_back(path.string());
  if (!temporaries.empty()) {
    log.Info("removed {} temporary file(s) that interrupted writes left: {}", temporaries.size(),
             fmt::join(temporaries, ", "));
  }
  log.Info("config {}, logs in {}", config.source, config.logging.logdir);
  const StopToken stop = InstallSignalHandlers();
  std::optional<abstraction::PreflopEquity> equity;
  if (config.game.name == GameName::kNlhePreflop) {
    equity.emplace(LoadOrBuildPreflopEquity(config.abstraction.preflop_equity, log));
  }
  if (buckets) {
    log.Info("card abstraction {}: {} / {} / {} / {} buckets, fingerprint {:016x}", buckets->path(), buckets->buckets(0),
             buckets->buckets(1), buckets->buckets(2), buckets->buckets(3), buckets->fingerprint());
  }
  return WithGame(config, {buckets ? &*buckets : nullptr, equity ? &*equity : nullptr}, [&](const auto& game) {
    if constexpr (std::is_same_v<std::decay_t<decltype(game)>, abstraction::NlheGame>) {
      log.Info("betting tree: {} nodes", game.NumNodes());
    }
    return RunGame(game, config, std::move(resume), stop, log);
  });
}

}  // namespace bp::trainer
