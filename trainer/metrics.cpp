#include "trainer/metrics.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <fstream>
#include <stdexcept>
#include <type_traits>

#include "trainer/yaml_schema.h"

#include "trainer/proc_stats.h"

namespace bp::trainer {

MetricsWriter::MetricsWriter(const std::filesystem::path& path, std::uint32_t workers, double t,
                             std::uint64_t iterations)
    : file_(path),
      last_t_(t),
      last_iterations_(iterations),
      last_coordinator_cpu_(ProcessCpuSeconds(::getpid())),
      last_worker_cpu_(workers, 0),
      sampled_pid_(workers, 0) {}

void MetricsWriter::WorkerStarted(std::uint32_t w, pid_t pid) {
  sampled_pid_[w] = pid;
  last_worker_cpu_[w] = 0;
}

void MetricsWriter::Write(const RunStatus& run, std::span<const WorkerStatus> workers) {
  namespace k = metrics;
  const double dt = std::max(1e-9, run.t - last_t_);
  iterations_per_s_ = static_cast<double>(run.iterations - last_iterations_) / dt;
  nlohmann::json rows = nlohmann::json::array();
  std::vector<std::size_t> depths, result_depths;
  double cpu_sum = 0;
  for (std::uint32_t w = 0; w < workers.size(); ++w) {
    const WorkerStatus& s = workers[w];
    const pid_t pid = s.control->pid.load();
    const double cpu = s.pid > 0 ? ProcessCpuSeconds(pid) : -1;
    double pct = 0;
    if (cpu >= 0 && sampled_pid_[w] == pid) pct = 100.0 * (cpu - last_worker_cpu_[w]) / dt;
    sampled_pid_[w] = pid;
    last_worker_cpu_[w] = std::max(cpu, 0.0);
    cpu_sum += pct;
    const ipc::ControlBlock& c = *s.control;
    rows.push_back({{k::kIndex, w},
                    {k::kPid, pid},
                    {k::kCpuPct, pct},
                    {k::kWorkerIterations, c.iterations_done.load()},
                    {k::kWorkerBatches, c.batches_done.load()},
                    {k::kPutWaits, c.put.put_waits.load()},
                    {k::kPutTimeouts, c.put.put_timeouts.load()},
                    {k::kAnonRssBytes, s.pid > 0 ? AnonResidentBytes(pid) : 0}});
    depths.push_back(s.queue_depth);
    result_depths.push_back(s.result_depth);
  }
  mean_worker_cpu_ = workers.empty() ? 0 : cpu_sum / static_cast<double>(workers.size());
  const double coordinator_cpu = ProcessCpuSeconds(::getpid());
  nlohmann::json line = {{k::kTime, run.t},
                         {k::kIterations, run.iterations},
                         {k::kIterationsPerS, iterations_per_s_},
                         {k::kBatchesIssued, run.batches.issued},
                         {k::kBatchesReissued, run.batches.reissued},
                         {k::kBatchesLost, run.batches.lost},
                         {k::kBatchesApplied, run.batches.applied},
                         {k::kWorkers, rows},
                         {k::kCoordinatorCpuPct, 100.0 * (coordinator_cpu - last_coordinator_cpu_) / dt},
                         {k::kQueueDepths, depths},
                         {k::kResultDepths, result_depths},
                         {k::kApplySeconds, run.apply_s},
                         {k::kRssBytes, ResidentBytes()},
                         {k::kWorkerDeaths, run.worker_deaths},
                         {k::kCoordinatorBinds, run.coordinator_binds}};
  if (run.exploitability) line[k::kExploitability] = *run.exploitability;
  if (run.distributed) line[k::kDistributed] = *run.distributed;
  if (run.stop_reason) {
    line[k::kFinal] = true;
    line[k::kBatchesDuplicate] = run.batches.duplicates;
    line[k::kStopReason] = *run.stop_reason;
  }
  file_.Append(line.dump() + "\n");
  last_coordinator_cpu_ = coordinator_cpu;
  last_t_ = run.t;
  last_iterations_ = run.iterations;
}

namespace {

// The value of `key` if `row` holds one of type T.
template <class T>
std::optional<T> JsonField(const nlohmann::json& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end()) return std::nullopt;
  if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) return it->get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) return it->get<std::string>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (it->is_number()) return it->get<T>();
  } else {
    if (it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0)) return it->get<T>();
  }
  return std::nullopt;
}

}  // namespace

double MetricsRow::MeanWorkerCpu() const {
  double sum = 0;
  for (const Worker& w : workers) sum += w.cpu_pct;
  return workers.empty() ? 0 : sum / static_cast<double>(workers.size());
}

std::vector<MetricsRow> ReadMetricsFile(const std::filesystem::path& path, std::vector<std::string>& skipped) {
  namespace k = metrics;
  std::ifstream in(path);
  if (!in) throw ConfigError(path.string() + ": cannot read (is this a run directory?)");
  std::vector<MetricsRow> rows;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    const nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_object()) {
      skipped.push_back(fmt::format("{}:{}: skipped: not a whole JSON object (cut off?)", path.string(), line_no));
      continue;
    }
    const auto t = JsonField<double>(row, k::kTime);
    const auto iterations = JsonField<std::uint64_t>(row, k::kIterations);
    if (!t || !iterations) {
      skipped.push_back(fmt::format("{}:{}: skipped: no {}", path.string(), line_no, t ? k::kIterations : k::kTime));
      continue;
    }
    MetricsRow r;
    r.t = *t;
    r.iterations = *iterations;
    r.iterations_per_s = JsonField<double>(row, k::kIterationsPerS).value_or(0);
    r.batches_issued = JsonField<std::uint64_t>(row, k::kBatchesIssued).value_or(0);
    r.batches_reissued = JsonField<std::uint64_t>(row, k::kBatchesReissued).value_or(0);
    r.batches_lost = JsonField<std::uint64_t>(row, k::kBatchesLost).value_or(0);
    r.batches_applied = JsonField<std::uint64_t>(row, k::kBatchesApplied).value_or(0);
    r.worker_deaths = JsonField<std::uint64_t>(row, k::kWorkerDeaths).value_or(0);
    r.exploitability = JsonField<double>(row, k::kExploitability);
    r.final = JsonField<bool>(row, k::kFinal).value_or(false);
    r.stop_reason = JsonField<std::string>(row, k::kStopReason).value_or("?");
    const auto workers = row.find(k::kWorkers);
    if (workers != row.end() && workers->is_array()) {
      for (const auto& w : *workers) {
        if (!w.is_object()) continue;
        r.workers.push_back({JsonField<double>(w, k::kCpuPct).value_or(0), JsonField<std::uint64_t>(w, k::kPutWaits).value_or(0),
                             JsonField<std::uint64_t>(w, k::kPutTimeouts).value_or(0)});
      }
    }
    const auto distributed = row.find(k::kDistributed);
    if (distributed != row.end() && distributed->is_object()) {
      r.sync_s = JsonField<double>(*distributed, "sync_s");
      r.syncs = JsonField<std::uint64_t>(*distributed, "syncs").value_or(0);
      r.sync_bytes = JsonField<std::uint64_t>(*distributed, "sync_bytes").value_or(0);
      const auto ranks = distributed->find("rank_stats");
      if (ranks != distributed->end() && ranks->is_array()) {
        for (const auto& x : *ranks) {
          if (!x.is_object()) continue;
          r.ranks.push_back({JsonField<std::uint64_t>(x, "iterations").value_or(0),
                             JsonField<double>(x, "iterations_per_s").value_or(0),
                             JsonField<double>(x, "worker_cpu_pct").value_or(0)});
        }
      }
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string FormatClock(double s) {
  if (!(s >= 0 && s < 1e12)) return "--";  // no time a run takes (and no overflow below)
  const auto total = static_cast<long>(s);
  if (total >= 3600) return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

std::string FormatCount(double v) {
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string ProgressLine(std::uint64_t iterations, double session_s, std::uint64_t iteration_target,
                         double time_budget_s, double iterations_per_s, double mean_worker_cpu,
                         std::optional<double> exploitability) {
  double fraction = -1;
  if (iteration_target > 0) fraction = static_cast<double>(iterations) / static_cast<double>(iteration_target);
  if (time_budget_s > 0) fraction = std::max(fraction, session_s / time_budget_s);
  std::string bar;
  std::string eta = "--";
  if (fraction >= 0) {
    fraction = std::min(fraction, 1.0);
    const int filled = static_cast<int>(fraction * 20);
    bar = fmt::format("[{}{}] {:3.0f}% ", std::string(static_cast<std::size_t>(filled), '#'),
                      std::string(static_cast<std::size_t>(20 - filled), '-'), fraction * 100);
    if (fraction > 0) eta = FormatClock(session_s / fraction - session_s);
  }
  std::string line = fmt::format("{}{} it  {} it/s  elapsed {}  eta {}  worker cpu {:.0f}%", bar,
                                 FormatCount(static_cast<double>(iterations)), FormatCount(iterations_per_s),
                                 FormatClock(session_s), eta, mean_worker_cpu);
  if (exploitability) line += "  exploitability " + FormatExploitability(*exploitability);
  return line;
}

std::string FormatExploitability(double e) {
  // Five decimals, or three significant digits below 0.001 (CFR+ reaches 1e-6).
  return e >= 1e-3 || e <= 0 ? fmt::format("{:.5f}", e) : fmt::format("{:.3g}", e);
}

std::string FinalLine(std::uint64_t iterations, std::uint64_t iterations_this_session, double session_s,
                      std::optional<double> exploitability) {
  std::string line = fmt::format("{} it in {}, {} it/s on average", FormatCount(static_cast<double>(iterations)),
                                 FormatClock(session_s),
                                 FormatCount(static_cast<double>(iterations_this_session) / std::max(session_s, 1e-9)));
  if (exploitability) line += ", exploitability " + FormatExploitability(*exploitability);
  return line;
}

}  // namespace bp::trainer
