// Metrics: LOGDIR/metrics.jsonl, one JSON object per logging.metrics_interval
// and a last one marked final, and the live progress line. The keys are
// named once, here (metrics::k...): the writer below, inspect and the
// benchmarks read and write them through these names.
//
//   t                  training seconds (those before a resume included)
//   iterations         applied iterations, in total
//   iterations_per_s   over the interval
//   batches_issued, batches_reissued, batches_lost, batches_applied
//                      this session's ledger (trainer/batch_ledger.h)
//   workers            per worker: index, pid, cpu_pct (100 = one core, over
//                      the interval), iterations, batches, put_waits,
//                      put_timeouts, anon_rss_bytes (RssAnon)
//   coordinator_cpu_pct, queue_depths, result_depths, apply_s (seconds
//   spent applying, in total), rss_bytes (the coordinator's), worker_deaths,
//   coordinator_binds (run.coordinator_cpu: follow)
//   exploitability     when an exact evaluation finished in the interval
//   distributed        over MPI ranks, on rank 0: ranks, syncs, sync_s (the
//                      last exchange), sync_s_total, sync_bytes (the last
//                      one's, sent by rank 0), sync_age_s (training seconds
//                      since the last sync: how much older than now the
//                      newest delta every replica has), and per rank
//                      (rank_stats): rank, iterations, worker_cpu_pct (its
//                      workers' mean), iterations_per_s (over the interval)
//   final, batches_duplicate, stop_reason   on the last line only
// The coordinator thread owns the writer; every line is flushed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/file_system.h"
#include "ipc/control_block.h"
#include "trainer/batch_ledger.h"

namespace bp::trainer {

namespace metrics {
inline constexpr const char* kTime = "t";
inline constexpr const char* kIterations = "iterations";
inline constexpr const char* kIterationsPerS = "iterations_per_s";
inline constexpr const char* kBatchesIssued = "batches_issued";
inline constexpr const char* kBatchesReissued = "batches_reissued";
inline constexpr const char* kBatchesLost = "batches_lost";
inline constexpr const char* kBatchesApplied = "batches_applied";
inline constexpr const char* kWorkers = "workers";
inline constexpr const char* kCoordinatorCpuPct = "coordinator_cpu_pct";
inline constexpr const char* kQueueDepths = "queue_depths";
inline constexpr const char* kResultDepths = "result_depths";
inline constexpr const char* kApplySeconds = "apply_s";
inline constexpr const char* kRssBytes = "rss_bytes";
inline constexpr const char* kWorkerDeaths = "worker_deaths";
inline constexpr const char* kCoordinatorBinds = "coordinator_binds";
inline constexpr const char* kExploitability = "exploitability";
inline constexpr const char* kFinal = "final";
inline constexpr const char* kBatchesDuplicate = "batches_duplicate";
inline constexpr const char* kStopReason = "stop_reason";
inline constexpr const char* kDistributed = "distributed";
// Per worker.
inline constexpr const char* kIndex = "index";
inline constexpr const char* kPid = "pid";
inline constexpr const char* kCpuPct = "cpu_pct";
inline constexpr const char* kWorkerIterations = "iterations";
inline constexpr const char* kWorkerBatches = "batches";
inline constexpr const char* kPutWaits = "put_waits";
inline constexpr const char* kPutTimeouts = "put_timeouts";
inline constexpr const char* kAnonRssBytes = "anon_rss_bytes";
}  // namespace metrics

// What a row says of one worker.
struct WorkerStatus {
  pid_t pid = 0;          // 0: not running
  const ipc::ControlBlock* control = nullptr;
  std::size_t queue_depth = 0, result_depth = 0;
};

// What a row says of the run.
struct RunStatus {
  double t = 0;
  std::uint64_t iterations = 0;
  BatchLedger::Totals batches;
  double apply_s = 0;
  std::uint64_t worker_deaths = 0;
  std::uint64_t coordinator_binds = 0;
  std::optional<double> exploitability;
  std::optional<std::string> stop_reason;  // the final row
  std::optional<nlohmann::json> distributed;  // runs over MPI ranks, rank 0: metrics::kDistributed
};

class MetricsWriter {
 public:
  // Appends to `path`; base::FileError naming it if it cannot be opened.
  MetricsWriter(const std::filesystem::path& path, std::uint32_t workers, double t, std::uint64_t iterations);
  MetricsWriter(const MetricsWriter&) = delete;
  MetricsWriter& operator=(const MetricsWriter&) = delete;

  double last_t() const { return last_t_; }
  // Worker `w` is a new process: its CPU time starts from zero.
  void WorkerStarted(std::uint32_t w, pid_t pid);
  // Writes one row. base::FileError if the line cannot be written.
  void Write(const RunStatus& run, std::span<const WorkerStatus> workers);
  // Of the last row.
  double iterations_per_s() const { return iterations_per_s_; }
  double mean_worker_cpu() const { return mean_worker_cpu_; }

 private:
  base::AppendFile file_;
  double last_t_;
  std::uint64_t last_iterations_;
  double last_coordinator_cpu_;
  std::vector<double> last_worker_cpu_;
  std::vector<pid_t> sampled_pid_;
  double iterations_per_s_ = 0;
  double mean_worker_cpu_ = 0;
};

// A row of metrics.jsonl as read back (inspect): the keys above; a key a
// row lacks reads as 0 (or absent).
struct MetricsRow {
  struct Worker {
    double cpu_pct = 0;
    std::uint64_t put_waits = 0, put_timeouts = 0;
  };
  double t = 0;
  std::uint64_t iterations = 0;
  double iterations_per_s = 0;
  std::uint64_t batches_issued = 0, batches_reissued = 0, batches_lost = 0, batches_applied = 0;
  std::uint64_t worker_deaths = 0;
  std::vector<Worker> workers;
  std::optional<double> exploitability;
  bool final = false;
  std::string stop_reason;
  // Over MPI ranks (rank 0's file): the last sync's exchange and per rank.
  struct Rank {
    std::uint64_t iterations = 0;
    double iterations_per_s = 0, worker_cpu_pct = 0;
  };
  std::optional<double> sync_s;
  std::uint64_t syncs = 0, sync_bytes = 0;
  std::vector<Rank> ranks;
  double MeanWorkerCpu() const;
};

// The rows of a metrics.jsonl. A line that is not a whole JSON object (a
// full disk or a kill may cut the last one off), or lacks t or iterations,
// is skipped and described in `skipped` ("PATH:LINE: ..."); ConfigError if
// the file cannot be read.
std::vector<MetricsRow> ReadMetricsFile(const std::filesystem::path& path, std::vector<std::string>& skipped);

// "1:02:03" or "2:03".
std::string FormatClock(double seconds);
// "1.23M", "45.6k", "789".
std::string FormatCount(double value);

// The live progress line: a bar with the share of the budget (iterations or
// time, whichever is further) when there is one, iterations, rate, elapsed,
// ETA and worker CPU, and the last exploitability.
std::string ProgressLine(std::uint64_t iterations, double session_s, std::uint64_t iteration_target,
                         double time_budget_s, double iterations_per_s, double mean_worker_cpu,
                         std::optional<double> exploitability);
// An exploitability for a log line: five decimals, three significant digits below 0.001.
std::string FormatExploitability(double e);
// The closing line: iterations, session time, mean rate, exploitability.
std::string FinalLine(std::uint64_t iterations, std::uint64_t iterations_this_session, double session_s,
                      std::optional<double> exploitability);

}  // namespace bp::trainer
