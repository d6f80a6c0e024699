// Coordinator<G>: the parent process of a training run and the single writer
// of the tables. Run() is a short loop over the parts that do the work:
//
//   RunSegment        the shared segment: tables, queues, slabs (run_segment.h)
//   SharedTables<R>   the typed regret and strategy-sum tables (shared_tables.h)
//   BatchLedger       exactly-once accounting of batches (batch_ledger.h)
//   RunSchedule       stop, phases, discounts, periodic work (run_schedule.h)
//   WorkerPool        forking, reaping and stopping workers (worker_pool.h)
//   BackgroundWriter  checkpoints and snapshots on their own thread (background_writer.h)
//   ExactEvaluation   exploitability on its own thread (exact_evaluation.h)
//   MetricsWriter     metrics.jsonl and the progress line (metrics.h)
//   WriteNlheBlueprint  the end of an nlhe run (nlhe_finish.h)
//
// Each turn of the loop: reap dead workers (their batches go back to the
// ledger), apply every result that arrived, decide whether to stop, keep
// every worker's batch queue queue_depth deep, take a finished evaluation,
// write metrics when due, log finished writes and start due ones, and sleep
// on the results' wake-up when nothing arrived. On a stop (signal, time
// budget, iteration target) it issues nothing more, applies what arrives,
// stops the workers, writes a final checkpoint (and the blueprint for nlhe)
// and returns 0, or 1 if a write failed or the workers kept dying.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ipc/wake_affinity.h"
#include "solver/game.h"
#include "solver/table_layout.h"
#include "solver/tables.h"
#include "trainer/background_writer.h"
#include "trainer/batch_ledger.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/exact_evaluation.h"
#include "trainer/metrics.h"
#include "trainer/rank_sync.h"
#include "trainer/run_dir.h"
#include "trainer/run_log.h"
#include "trainer/run_schedule.h"
#include "trainer/run_segment.h"
#include "trainer/shared_tables.h"
#include "trainer/stop_token.h"
#include "trainer/worker_pool.h"

namespace bp::trainer {

// "game:infosets:entries:hash" of a game's table layout: a checkpoint
// resumes only into the same one.
std::string AbstractionFingerprint(const std::string& game_name, const solver::TableLayout& layout);

template <solver::Game G>
class Coordinator {
 public:
  using Regret = solver::RegretOf<G>;

  Coordinator(const G& game, Config config, std::optional<CheckpointData> resume, StopToken stop, RunLog& log);
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Runs to the end; returns the process exit code.
  int Run();

 private:
  // The turns of Run's loop, in order.
  void Start();
  void ReapDeadWorkers();
  void WatchWorkers();
  std::uint64_t DrainResults(std::uint32_t w);
  std::uint64_t DrainResults();
  void CheckStop();
  void IssueBatches();
  void PollExploitability();
  void WriteMetricsIfDue();
  void CollectWrite();
  void StartDueWrites();
  bool Finished() const;
  void Sleep();
  int Finish();

  void ForkWorker(std::uint32_t w);
  // Runs over several MPI ranks (rank_sync.h): a sync when rank 0 says so,
  // the stop rank 0 decides, and the last sync once every rank has drained.
  // Whether a snapshot of the current strategy after the averaged streets is due.
  bool SnapshotDue(double now, std::uint64_t iterations) const;
  // Rank 0: seconds until the next sync is due (0: now).
  double SecondsToSync() const;
  void Distribute();
  void RunSync(const SyncCommand& command);
  void FinalSync();
  // Iterations of the whole run as this rank sees them (all ranks' at the
  // last sync plus its own since).
  std::uint64_t GlobalIterations() const;
  void Apply(std::uint32_t w, const BatchResult& result);
  void StartCheckpoint(bool final);
  void Collect(std::optional<BackgroundWriter::Outcome> outcome);
  void StartSnapshot();
  void WriteMetrics(bool final);
  RunStatus Status() const;
  double Elapsed() const;  // training seconds, those before a resume included
  double Session() const { return Elapsed() - elapsed_before_; }

  // Fixed at construction; read by every thread.
  const G& game_;
  const solver::TableLayout layout_;
  const Config config_;
  RunLog& log_;
  const RunDir run_;
  const RunSchedule schedule_;
  const std::string fingerprint_;         // AbstractionFingerprint
  const std::uint64_t layout_fingerprint_;  // its FNV-1a 64, in snapshots
  const ipc::CpuMask run_cpus_;             // the CPUs the run may use (run.coordinator_cpu)
  const std::uint64_t strategy_entries_;    // the strategy-sum prefix (solver.average)
  std::uint32_t workers_ = 1;
  bool follow_ = false;                     // run.coordinator_cpu resolved

  // The coordinator thread's.
  StopToken stop_;
  std::optional<CheckpointData> resume_;  // until Start has loaded it
  std::optional<RunSegment> segment_;
  SharedTables<Regret> tables_;           // written here only
  std::optional<BatchLedger> ledger_;
  std::optional<WorkerPool> pool_;
  std::optional<MetricsWriter> metrics_;
  std::uint64_t discounts_applied_ = 0;
  std::uint64_t worker_deaths_ = 0;
  double apply_seconds_ = 0;
  double start_time_ = 0;      // steady clock seconds at start
  double elapsed_before_ = 0;  // training seconds before a resume
  bool stopping_ = false;
  bool failed_ = false;        // workers kept dying, writes failed, or the blueprint was not written
  std::string stop_reason_;
  double stop_deadline_ = 0;   // steady seconds: a stop by signal waits no longer for batches in flight
  std::uint64_t slowest_batch_ns_ = 0;  // busy time of the slowest batch seen (run.worker_timeout: auto)
  std::vector<bool> killed_;            // by the watchdog, not reaped yet
  int write_failures_ = 0;              // checkpoint or snapshot writes failed in a row
  double checkpoint_retry_at_ = 0;      // training seconds; 0: no retry pending
  bool metrics_failed_ = false;
  Periodic exploitability_due_, checkpoint_due_, snapshot_due_;
  double last_plain_progress_ = 0;
  bool follow_refused_logged_ = false;
  std::optional<double> exploitability_;        // the latest
  std::optional<double> new_exploitability_;    // not yet in a metrics row

  // Over several MPI ranks only (CurrentDistributed()).
  std::optional<RankSync<Regret>> rank_sync_;
  std::uint64_t iterations_at_sync_ = 0;  // this rank's, at the last sync
  double last_sync_ = 0;                  // training seconds of the last sync
  std::uint64_t global_at_sync_ = 0;      // iterations of all ranks at the last sync
  double global_rate_ = 0;                // iterations/s of all ranks between the last two syncs
  double sync_gap_ = 0;                   // seconds between syncs, a moving average
  bool stop_sent_ = false;                // rank 0 told every rank to stop
  std::optional<GatheredLedgers> gathered_;  // rank 0: every rank's ledger at the sync a checkpoint follows
  std::vector<std::uint64_t> last_rank_iterations_;  // rank 0's metrics: per-rank rates
  double last_distributed_t_ = 0;

  // Shared with the writer thread, as BackgroundWriter says.
  BackgroundWriter writer_;
  CheckpointData spare_;  // checkpoint memory: the writer's while a checkpoint job runs

  // Shared with the evaluation thread, as ExactEvaluation says.
  ExactEvaluation<G> evaluation_;
};

}  // namespace bp::trainer

#include "trainer/coordinator_impl.h"
