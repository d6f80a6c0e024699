// Template parts of Coordinator (included by coordinator.h).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <type_traits>

#include "abstraction/nlhe_game.h"
#include "solver/delta_bound.h"
#include "solver/exact_evaluator.h"
#include "solver/policy.h"
#include "base/fnv.h"
#include "base/memory.h"
#include "trainer/run_dir.h"
#include "trainer/blueprint.h"
#include "trainer/snapshot.h"
#include "trainer/worker.h"

namespace bp::trainer {

template <solver::Game G>
void Coordinator<G>::ForkWorker(std::uint32_t index) {
  JoinCheckpointWriter();  // fork only from a single-threaded process
  if (eval_thread_.joinable()) eval_thread_.join();
  WorkerContext ctx{index,
                    ::getpid(),
                    config_.run.pin_workers ? static_cast<int>(index % std::thread::hardware_concurrency()) : -1,
                    start_mask_,
                    std::chrono::nanoseconds(static_cast<std::int64_t>(config_.run.put_timeout_s * 1e9)),
                    &control_[index],
                    &tasks_[index],
                    &results_[index],
                    shared_,
                    slab_region_,
                    regrets_,
                    strategy_entries_,
                    config_.solver.SamplingOptionsFor(game_.NumStreets())};
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed for worker " + std::to_string(index));
  if (pid == 0) WorkerMain(game_, layout_, ctx);
  pids_[index] = pid;
  control_[index].pid.store(pid);
  sampled_pid_[index] = pid;  // a new process starts at zero CPU time: the baseline
  last_worker_cpu_[index] = 0;
}

template <solver::Game G>
std::optional<double> Coordinator<G>::Exploitability() const {
  if constexpr (solver::EnumerableGame<G>) {
    if (strategy_entries_ != layout_.num_entries()) return std::nullopt;  // no average strategy on some streets
    return evaluator_->Exploitability(
        solver::TabularPolicy::Average(layout_, std::span<const double>(strategy_, layout_.num_entries())));
  } else {
    return std::nullopt;
  }
}

template <solver::Game G>
void Coordinator<G>::StartEvaluation() {
  if constexpr (solver::EnumerableGame<G>) {
    if (eval_pending_ || strategy_entries_ != layout_.num_entries()) return;
    eval_snapshot_.assign(strategy_, strategy_ + layout_.num_entries());
    eval_done_.store(false);
    eval_pending_ = true;
    eval_thread_ = std::thread([this] {
      start_mask_.ApplyToThisThread();  // not the CPU the coordinator is bound to now
      eval_result_ = evaluator_->Exploitability(solver::TabularPolicy::Average(layout_, eval_snapshot_));
      eval_done_.store(true, std::memory_order_release);
    });
  }
}

template <solver::Game G>
std::optional<double> Coordinator<G>::PollEvaluation() {
  if (!eval_pending_ || !eval_done_.load(std::memory_order_acquire)) return std::nullopt;
  if (eval_thread_.joinable()) eval_thread_.join();
  eval_pending_ = false;
  return eval_result_;
}

template <solver::Game G>
void Coordinator<G>::JoinEvaluation() {
  if (eval_thread_.joinable()) eval_thread_.join();
  eval_pending_ = false;
}

template <solver::Game G>
int Coordinator<G>::Run() {
  fingerprint_ = AbstractionFingerprint(std::string(NameOf(config_.game.name)), layout_);
  layout_fingerprint_ = base::Fnv1a64(fingerprint_.data(), fingerprint_.size());
  if constexpr (solver::EnumerableGame<G>) evaluator_.emplace(game_, layout_);
  regrets_int32_ = std::is_same_v<Regret, std::int32_t>;
  const int average_streets = config_.solver.NumAveragedStreets(game_.NumStreets());
  const std::uint64_t strategy_entries = layout_.street_end(average_streets - 1);
  const double regret_mib = static_cast<double>(sizeof(Regret) * layout_.num_entries()) / (1 << 20);
  const double strategy_mib = 8.0 * static_cast<double>(strategy_entries) / (1 << 20);
  log_.Info("game {}: {} infosets, {} table entries; tables need {:.1f} MiB (regrets {:.1f} MiB, {}; strategy sums "
            "on {} {:.1f} MiB, double)",
            NameOf(config_.game.name), layout_.num_infosets(), layout_.num_entries(), regret_mib + strategy_mib, regret_mib,
            solver::RegretCodec<Regret>::kName,
            average_streets == game_.NumStreets() ? "every street" : "the first street", strategy_mib);
  CreateSegment(layout_.num_infosets(), layout_.num_entries(), strategy_entries,
                solver::MaxDeltaBytesPerIteration(game_), solver::MaxStrategyUpdateBytes(game_, average_streets));
  InitialiseState(layout_.num_entries());
  for (std::uint32_t w = 0; w < workers_; ++w) ForkWorker(w);
  log_.Info("started {} worker process(es), batch size {}, queue depth {}{}{}", workers_, config_.run.batch_size,
            config_.run.queue_depth, config_.run.deterministic ? ", deterministic" : "",
            follow_ ? "; workers bind the coordinator to their CPU before waking it (run.coordinator_cpu)" : "");

  std::optional<double> exploitability;
  for (;;) {
    ReapWorkers();
    const std::uint64_t applied = DrainResults();
    if (!stopping_) {
      if (g_stop_signal) {
        stopping_ = true;
        stop_reason_ = "signal";
      } else if (config_.run.time_budget_s > 0 && Elapsed() - elapsed_before_ >= config_.run.time_budget_s) {
        stopping_ = true;
        stop_reason_ = "time budget";
      } else if (config_.run.iterations > 0 && next_iteration_ >= config_.run.iterations && reissue_.empty()) {
        stopping_ = true;
        stop_reason_ = "iteration target";
      }
      if (stopping_) log_.Info("stopping ({}): applying the batches in flight", stop_reason_);
    }
    if (!stopping_) Refill();
    const double now = Elapsed();
    if (config_.logging.exploitability_interval_s > 0 &&
        now - last_exploitability_t_ >= config_.logging.exploitability_interval_s) {
      StartEvaluation();
      last_exploitability_t_ = now;
    }
    if (auto result = PollEvaluation()) {
      exploitability = result;
      last_exploitability_ = result;
    }
    if (now - last_metrics_t_ >= config_.logging.metrics_interval_s) {
      WriteMetrics(false, exploitability);
      exploitability.reset();
    }
    if (!writer_busy_.load() && writer_.joinable()) JoinCheckpointWriter();  // logs what it wrote, now
    // A checkpoint or snapshot that falls due while the previous write runs
    // waits for it in this loop (the coordinator keeps applying), instead of
    // blocking the coordinator on that write.
    if (!stopping_ && !writer_busy_.load() &&
        Due(config_.checkpoint.interval, last_checkpoint_t_, last_checkpoint_iterations_)) {
      StartCheckpoint(false);
    }
    if (!stopping_ && !writer_busy_.load() && strategy_entries_ < entries_ &&
        Due(config_.checkpoint.snapshot_interval, last_snapshot_t_, last_snapshot_iterations_) &&
        Reached(config_.checkpoint.snapshot_start, totals_.iterations)) {
      // Computed on the writer thread while this thread goes on applying
      // (regrets read with relaxed atomic loads), except in deterministic
      // mode, where the snapshot must be the table after exactly the batches
      // applied so far.
      const Regret* regrets = static_cast<const Regret*>(regrets_);
      const std::uint64_t first = strategy_entries_;
      auto compute = [this, regrets, first] { return StrategyProbabilities(layout_, regrets, {}, first); };
      StartSnapshot(compute, /*on_coordinator=*/config_.run.deterministic);
    }
    if (Finished()) break;
    if (applied == 0) Sleep();
  }
  StopWorkers();
  JoinEvaluation();
  last_exploitability_ = Exploitability();
  StartCheckpoint(true);
  JoinCheckpointWriter();
  if constexpr (std::is_same_v<G, abstraction::NlheGame>) {
    const std::string path = RunDir(logdir_).Blueprint().string();
    const auto blueprint_start = std::chrono::steady_clock::now();
    const Regret* regrets = static_cast<const Regret*>(regrets_);
    const std::span<const double> sums(strategy_, strategy_entries_);
    std::vector<float> probabilities;
    base::AllocatePopulatedPrivate(probabilities, entries_);
    const std::span<float> averaged = std::span<float>(probabilities).first(strategy_entries_);
    const std::span<float> rest = std::span<float>(probabilities).subspan(strategy_entries_);
    StrategyProbabilities(layout_, regrets, sums, 0, averaged);
    std::string after = "current strategy after it";
    // After the averaged streets: the mean of the snapshots, or else the
    // current strategy (computed only then).
    int used = 0;
    if (!rest.empty()) {
      std::vector<std::string> skipped;
      used = MeanOfSnapshots(RunDir(logdir_), layout_fingerprint_, strategy_entries_, rest, skipped);
      for (const std::string& s : skipped) log_.Warn("snapshot skipped: {}", s);
      if (used > 0) after = fmt::format("the mean of {} current-strategy snapshot(s) after it", used);
    }
    if (used == 0) StrategyProbabilities(layout_, regrets, sums, strategy_entries_, rest);
    Blueprint::Write(path, config_, totals_.iterations, game_.buckets().fingerprint(), probabilities);
    log_.Info("blueprint {} written in {:.1f} s: {}", path,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - blueprint_start).count(),
              strategy_entries_ == entries_ ? "average strategy" : "preflop average strategy, " + after);
  }
  WriteMetrics(true, last_exploitability_);
  log_.EndProgress();
  Summary();
  return writer_failed_ || failed_ ? 1 : 0;
}

}  // namespace bp::trainer
