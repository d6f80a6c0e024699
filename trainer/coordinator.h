// Coordinator: the parent process of a training run and the single writer of
// the tables.
//
// It creates the shared segment (tables, queues, slabs, control blocks),
// forks the workers, and then loops: reap and respawn dead workers; drain
// every result queue and apply each batch's deltas exactly once; keep every
// worker's task queue `queue_depth` deep; discount at batch boundaries; write
// metrics, exploitability and checkpoints at their intervals; sleep on the
// results wake-up when there is nothing to do. On SIGINT/SIGTERM, the time
// budget or the iteration target it stops issuing, applies what arrives,
// stops the workers, writes a final checkpoint and returns 0.
//
// Accounting: a batch id is issued once as new; if its worker dies before its
// result arrives it is lost and issued again with the same id and seed (so
// it computes the same thing). At the end: applied = issued - lost + reissued,
// and no id is applied twice (checked on every apply).
#pragma once

#include <atomic>
#include <csignal>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "ipc/segment.h"
#include "ipc/slab_pool.h"
#include "ipc/wake_affinity.h"
#include "solver/exact_evaluator.h"
#include "solver/table_layout.h"
#include "solver/tables.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/run_log.h"
#include "trainer/shared_state.h"

namespace bp::trainer {

// Set by the SIGINT/SIGTERM handler that main installs.
extern volatile std::sig_atomic_t g_stop_signal;
// Set by the SIGCHLD handler: a child changed state, so waitpid has news.
extern volatile std::sig_atomic_t g_child_signal;

// Everything about a run that does not depend on the game type.
class CoordinatorBase {
 public:
  struct Totals {
    std::uint64_t issued = 0, reissued = 0, lost = 0, applied = 0, duplicates = 0;
    std::uint64_t iterations = 0, worker_deaths = 0;
  };

 protected:
  CoordinatorBase(Config config, std::optional<CheckpointData> resume, RunLog& log);
  virtual ~CoordinatorBase();

  // Plans and creates the segment; requires entries and fingerprint set.
  // per_iteration_bytes: solver::MaxDeltaBytesPerIteration of the game; a
  // slab holds the smaller of a whole table's deltas and a batch's bound.
  // strategy_entries: the strategy-sum prefix kept (solver.average).
  // per_update_bytes: solver::MaxStrategyUpdateBytes, for sampled strategy
  // updates (solver.average_update), one every solver.average_interval.
  void CreateSegment(std::uint64_t infosets, std::uint64_t entries, std::uint64_t strategy_entries,
                     std::uint64_t per_iteration_bytes, std::uint64_t per_update_bytes);
  // Calls f(solver::BasicTableView<R>) with the tables' regret type R
  // (regrets_int32_).
  template <class F>
  void WithTables(F&& f) const {
    std::span<double> sums(strategy_, strategy_entries_);
    if (regrets_int32_) {
      f(solver::BasicTableView<std::int32_t>{{static_cast<std::int32_t*>(regrets_), entries_}, sums});
    } else {
      f(solver::BasicTableView<double>{{static_cast<double*>(regrets_), entries_}, sums});
    }
  }
  void InitialiseState(std::uint64_t entries);

  void ReapWorkers();
  void ApplyResult(std::uint32_t worker, const ResultDescriptor& result);
  bool NextBatch(TaskDescriptor& task);
  std::uint64_t DrainResults();
  void Refill();
  bool Finished() const;
  void StopWorkers();
  void Sleep();
  void MaybeDiscount();
  // How far the run is in the unit of `interval` (iterations or seconds).
  double Progress(const Interval& interval, std::uint64_t iteration) const;
  // Whether the run is at or past `point` (iterations or seconds).
  bool Reached(const Interval& point, std::uint64_t iteration) const;
  // kTaskPrune and kTaskAverage for a batch starting at `first_iteration`.
  std::uint32_t PhaseFlags(std::uint64_t first_iteration) const;
  // Fills `data` (reusing its memory) with the state after the applied batches.
  void Snapshot(CheckpointData& data) const;
  void StartCheckpoint(bool final);
  // Writes a snapshot of the current strategy of the entries from
  // strategy_entries_ on, which `compute` returns, on the writer thread;
  // `compute` runs there too unless `on_coordinator`.
  void StartSnapshot(std::function<std::vector<float>()> compute, bool on_coordinator);
  // Runs `write` (which returns the line to log) on the writer thread, after
  // the previous write; an exception is logged as "<what> failed: ...".
  template <class Write>
  void StartWriter(const char* what, Write write);
  // Whether `interval` has passed since (t, iterations).
  bool Due(const Interval& interval, double since_t, std::uint64_t since_iterations) const;
  void JoinCheckpointWriter();
  void WriteMetrics(bool final, std::optional<double> exploitability);
  std::string ProgressLine(std::optional<double> exploitability, bool final) const;
  void Summary();
  double Elapsed() const;

  virtual void ForkWorker(std::uint32_t index) = 0;

  Config config_;
  std::optional<CheckpointData> resume_;
  RunLog& log_;
  std::filesystem::path logdir_;
  std::string fingerprint_;
  std::uint32_t workers_ = 1;
  ipc::CpuMask start_mask_ = ipc::CpuMask::OfThisThread();  // the CPUs the run may use (run.coordinator_cpu)
  bool follow_ = false;                          // run.coordinator_cpu resolved
  bool follow_refused_logged_ = false;
  std::uint64_t entries_ = 0;
  std::uint64_t strategy_entries_ = 0;

  std::optional<ipc::Segment> segment_;
  CoordinatorShared* shared_ = nullptr;
  ipc::ControlBlock* control_ = nullptr;
  TaskQueue* tasks_ = nullptr;
  ResultQueue* results_ = nullptr;
  std::byte* slab_region_ = nullptr;
  std::optional<ipc::SlabPool> pool_;
  bool regrets_int32_ = false;  // the game's regret type (solver::RegretOf): int32 or double
  void* regrets_ = nullptr;
  double* strategy_ = nullptr;

  std::vector<pid_t> pids_;
  std::vector<std::deque<TaskDescriptor>> in_flight_;
  std::deque<TaskDescriptor> carried_;  // pending in the checkpoint resumed from
  std::deque<TaskDescriptor> reissue_;  // lost when their worker died
  std::uint64_t batches_applied_before_ = 0;
  std::uint64_t iterations_before_ = 0;  // applied before a resume
  bool failed_ = false;
  double last_plain_progress_ = 0;
  double last_reap_check_ = 0;
  std::vector<bool> applied_;
  std::uint64_t next_batch_id_ = 0;
  std::uint64_t next_iteration_ = 0;
  std::uint64_t discounts_applied_ = 0;
  std::uint64_t seed_ = 0;
  Totals totals_;
  std::vector<double> recent_deaths_;  // times of worker deaths in the last minute

  bool stopping_ = false;
  std::string stop_reason_;
  double start_time_ = 0;        // steady clock seconds at start
  double elapsed_before_ = 0;    // training seconds before a resume
  double apply_seconds_ = 0;

  // Metrics sampling.
  std::FILE* metrics_ = nullptr;
  double last_metrics_t_ = 0;
  std::uint64_t last_metrics_iterations_ = 0;
  double last_coordinator_cpu_ = 0;
  std::vector<double> last_worker_cpu_;
  std::vector<pid_t> sampled_pid_;
  double last_exploitability_t_ = 0;
  std::optional<double> last_exploitability_;
  double iterations_per_s_ = 0;
  double mean_worker_cpu_ = 0;

  // Checkpoints.
  double last_checkpoint_t_ = 0;
  std::uint64_t last_checkpoint_iterations_ = 0;
  double last_snapshot_t_ = 0;
  std::uint64_t last_snapshot_iterations_ = 0;
  std::uint64_t layout_fingerprint_ = 0;  // FNV-1a 64 of fingerprint_, in snapshots
  std::thread writer_;
  std::atomic<bool> writer_busy_{false};  // a write is running: periodic ones wait for it, not the coordinator
  CheckpointData spare_;  // snapshot memory, faulted in once and reused by every checkpoint
  std::mutex writer_mutex_;
  std::string writer_message_;
  bool writer_failed_ = false;
};

// The exact evaluator for games small enough to enumerate; nothing otherwise.
struct NoEvaluator {};
template <class G, bool = solver::EnumerableGame<G>>
struct EvaluatorFor {
  using type = NoEvaluator;
};
template <class G>
struct EvaluatorFor<G, true> {
  using type = solver::ExactEvaluator<G>;
};

template <solver::Game G>
class Coordinator : public CoordinatorBase {
 public:
  using Regret = solver::RegretOf<G>;

  Coordinator(const G& game, Config config, std::optional<CheckpointData> resume, RunLog& log)
      : CoordinatorBase(std::move(config), std::move(resume), log), game_(game), layout_(game) {}

  // Runs to the end; returns the process exit code.
  int Run();
  ~Coordinator() override { JoinEvaluation(); }

 protected:
  void ForkWorker(std::uint32_t index) override;

 private:
  std::optional<double> Exploitability() const;
  // Exploitability on a background thread, from a snapshot of the strategy
  // sums taken by the coordinator (the single writer), so that a slow exact
  // evaluation never stalls applying and refilling. One at a time; joined
  // before every fork.
  void StartEvaluation();
  std::optional<double> PollEvaluation();
  void JoinEvaluation();

  const G& game_;
  solver::TableLayout layout_;
  std::optional<typename EvaluatorFor<G>::type> evaluator_;  // built once, in Run
  std::thread eval_thread_;
  std::vector<double> eval_snapshot_;
  std::atomic<bool> eval_done_{false};
  double eval_result_ = 0;
  bool eval_pending_ = false;  // started and its result not yet taken
};

std::string AbstractionFingerprint(const std::string& game_name, const solver::TableLayout& layout);

}  // namespace bp::trainer

#include "trainer/coordinator_impl.h"
