// Coordinator<G>'s output (included by coordinator_impl.h): exploitability,
// metrics, checkpoints and snapshots. The writer jobs' bodies run on the
// writer thread and touch only what they capture and the tables' regrets
// (relaxed loads); everything else runs on the coordinator thread.
#pragma once

namespace bp::trainer {

template <solver::Game G>
void Coordinator<G>::PollExploitability() {
  const double now = Elapsed();
  if (exploitability_due_.Due(now, 0)) {
    evaluation_.Start(tables_.strategy_sum);
    exploitability_due_.Mark(now, 0);
  }
  if (const auto result = evaluation_.Poll()) exploitability_ = new_exploitability_ = result;
}

template <solver::Game G>
void Coordinator<G>::WriteMetricsIfDue() {
  if (Elapsed() - metrics_->last_t() >= config_.logging.metrics_interval_s) WriteMetrics(false);
}

template <solver::Game G>
void Coordinator<G>::CollectWrite() {
  if (writer_.started() && !writer_.busy()) Collect(writer_.Join());  // logs it now
}

template <solver::Game G>
void Coordinator<G>::Collect(std::optional<BackgroundWriter::Outcome> outcome) {
  if (!outcome) return;
  if (!outcome->failed) {
    if (!outcome->line.empty()) log_.Info("{}", outcome->line);
    write_failures_ = 0;
    return;
  }
  ++write_failures_;
  const int most = config_.checkpoint.max_failures;
  log_.Warn("{} ({} write failure(s) in a row; the last good checkpoint is kept)", outcome->line, write_failures_);
  if (most > 0 && write_failures_ >= most && !stopping_) {
    log_.Warn("stopping: {} checkpoint or snapshot writes failed in a row (checkpoint.max_failures); the run cannot "
              "be saved",
              write_failures_);
    stopping_ = true;
    stop_reason_ = "writes failed";
    failed_ = true;
  } else if (outcome->what == "checkpoint") {
    checkpoint_retry_at_ = Elapsed() + coordinator_detail::kCheckpointRetry;
  }
}

template <solver::Game G>
void Coordinator<G>::StartDueWrites() {
  // A checkpoint or snapshot that falls due while the previous write runs
  // waits for it here (the coordinator keeps applying), instead of blocking
  // the coordinator on that write.
  if (stopping_ || writer_.busy()) return;
  if (rank_sync_) return;  // over several ranks: checkpoints right after a sync only (RunSync)
  const double now = Elapsed();
  const std::uint64_t iterations = ledger_->iterations();
  const bool retry = checkpoint_retry_at_ > 0 && now >= checkpoint_retry_at_;
  if (retry || checkpoint_due_.Due(now, iterations)) {
    checkpoint_retry_at_ = 0;
    StartCheckpoint(false);
  } else if (SnapshotDue(now, iterations)) {
    StartSnapshot();
  }
}

template <solver::Game G>
bool Coordinator<G>::SnapshotDue(double now, std::uint64_t iterations) const {
  return strategy_entries_ < layout_.num_entries() && snapshot_due_.Due(now, iterations) &&
         RunSchedule::Reached(config_.checkpoint.snapshot_start, now, iterations);
}

template <solver::Game G>
void Coordinator<G>::StartCheckpoint(bool final) {
  Collect(writer_.Join());  // spare_ is the writer's until then
  const double start = coordinator_detail::SteadySeconds();
  CheckpointData data = std::move(spare_);
  data.config_yaml = ToYaml(config_);
  std::optional<std::uint64_t> buckets;
  if constexpr (std::is_same_v<G, abstraction::NlheGame>) buckets = game_.buckets().fingerprint();
  data.identity = IdentityKeys(config_, buckets);
  data.abstraction_fingerprint = fingerprint_;
  ledger_->SaveTo(data);
  if (rank_sync_) {  // right after a sync: the replica of every rank, and the ledgers of all
    BP_CHECK(gathered_.has_value());
    const SyncTotals& g = rank_sync_->totals();
    data.iterations = g.iterations;
    data.batches_applied = g.batches_applied + (ledger_->batches_applied() - ledger_->totals().applied);
    data.next_batch_id = gathered_->next_batch_id;
    data.next_iteration = gathered_->next_iteration;
    data.pending = std::move(gathered_->pending);
    data.ranks = static_cast<std::uint32_t>(rank_sync_->context().size);
    gathered_.reset();
  } else {
    data.ranks = 1;
  }
  data.discounts_applied = discounts_applied_;
  data.elapsed_s = Elapsed();
  tables_.CopyTo(data);
  const double copy_ms = (coordinator_detail::SteadySeconds() - start) * 1000;
  checkpoint_due_.Mark(Elapsed(), GlobalIterations());
  const std::filesystem::path path = run_.Checkpoint(data.iterations);
  writer_.Start("checkpoint", [this, data = std::move(data), path, copy_ms, final]() mutable {
    const double begin = coordinator_detail::SteadySeconds();
    try {
      WriteCheckpoint(path, data);
    } catch (...) {
      spare_ = std::move(data);
      throw;
    }
    run_.PruneCheckpoints(config_.checkpoint.keep);
    const double written = coordinator_detail::SteadySeconds();
    std::string curve;
    if constexpr (std::is_same_v<G, abstraction::NlheGame>) {
      if (config_.checkpoint.curve) {  // the strength curve's point: the blueprint as it stands
        const std::filesystem::path point = run_.CurvePoint(data.iterations);
        std::vector<std::string> skipped;
        try {
          std::filesystem::create_directories(run_.Curve());
          WriteNlheBlueprintTo({config_, layout_, data.template Regrets<std::int32_t>(), data.strategy_sum,
                                layout_fingerprint_, data.iterations, game_.buckets().fingerprint()},
                               run_, point, skipped);
        } catch (...) {
          spare_ = std::move(data);
          throw;
        }
        curve = fmt::format("; curve point {} in {:.0f} ms", point.filename().string(),
                            (coordinator_detail::SteadySeconds() - written) * 1000);
      }
    }
    spare_ = std::move(data);  // the memory goes back for the next checkpoint
    return fmt::format("{}checkpoint {} written: {:.1f} MiB, tables copied in {:.1f} ms, write {:.0f} ms{}",
                       final ? "final " : "", path.string(), std::filesystem::file_size(path) / 1048576.0, copy_ms,
                       (written - begin) * 1000, curve);
  });
}

template <solver::Game G>
void Coordinator<G>::StartSnapshot() {
  const std::uint64_t iterations = GlobalIterations();  // of every rank over MPI
  snapshot_due_.Mark(Elapsed(), iterations);
  const SnapshotHeader header{iterations, layout_fingerprint_, strategy_entries_,
                              layout_.num_entries() - strategy_entries_};
  const std::filesystem::path path = run_.Snapshot(iterations);
  // Computed on the writer thread while this thread goes on applying
  // (regrets read with relaxed atomic loads), except in deterministic mode,
  // where the snapshot must be the table after exactly the batches applied.
  const bool here = config_.run.deterministic;
  auto compute = [this](double& ms) {
    const double begin = coordinator_detail::SteadySeconds();
    std::vector<float> p = StrategyProbabilities(layout_, tables_.regrets.data(), {}, strategy_entries_);
    ms = (coordinator_detail::SteadySeconds() - begin) * 1000;
    return p;
  };
  double computed_ms = 0;
  std::vector<float> probabilities;
  if (here) probabilities = compute(computed_ms);
  writer_.Start("snapshot", [header, path, here, compute, computed_ms,
                             probabilities = std::move(probabilities)]() mutable {
    if (!here) probabilities = compute(computed_ms);
    const double begin = coordinator_detail::SteadySeconds();
    WriteSnapshot(path, header, probabilities);
    return fmt::format("snapshot {} written: {:.1f} MiB, computed in {:.1f} ms ({}), write {:.0f} ms", path.string(),
                       std::filesystem::file_size(path) / 1048576.0, computed_ms,
                       here ? "the coordinator paused" : "in the background",
                       (coordinator_detail::SteadySeconds() - begin) * 1000);
  });
}

template <solver::Game G>
RunStatus Coordinator<G>::Status() const {
  RunStatus s;
  s.t = Elapsed();
  s.iterations = ledger_->iterations();
  s.batches = ledger_->totals();
  s.apply_s = apply_seconds_;
  s.worker_deaths = worker_deaths_;
  s.coordinator_binds = segment_->shared().cpu.binds.load(std::memory_order_relaxed);
  return s;
}

template <solver::Game G>
void Coordinator<G>::WriteMetrics(bool final) {
  RunStatus status = Status();
  status.exploitability = final ? exploitability_ : new_exploitability_;
  if (rank_sync_ && rank_sync_->root()) {
    const SyncTotals& g = rank_sync_->totals();
    nlohmann::json ranks = nlohmann::json::array();
    const double dt = std::max(1e-9, Elapsed() - last_distributed_t_);
    for (std::size_t r = 0; r < g.rank_iterations.size(); ++r) {
      const std::uint64_t before = r < last_rank_iterations_.size() ? last_rank_iterations_[r] : g.rank_iterations[r];
      ranks.push_back({{"rank", r},
                       {"iterations", g.rank_iterations[r]},
                       {"worker_cpu_pct", g.rank_worker_cpu[r]},
                       {"iterations_per_s", static_cast<double>(g.rank_iterations[r] - before) / dt}});
    }
    last_rank_iterations_ = g.rank_iterations;
    last_distributed_t_ = Elapsed();
    status.distributed = nlohmann::json{{"ranks", rank_sync_->context().size},
                                        {"syncs", g.syncs},
                                        {"sync_s", g.last_seconds},
                                        {"sync_s_total", g.seconds},
                                        {"sync_bytes", g.last_bytes_sent},
                                        {"sync_age_s", Elapsed() - last_sync_},
                                        {"rank_stats", ranks}};
    status.iterations = GlobalIterations();
  }
  if (final) status.stop_reason = stop_reason_;
  std::vector<WorkerStatus> workers;
  for (std::uint32_t w = 0; w < workers_; ++w) {
    workers.push_back({pool_->pid(w), &segment_->control(w), kBatchQueueCapacity - segment_->batches(w).WriteAvailable(),
                       segment_->results(w).ReadAvailable()});
  }
  try {
    metrics_->Write(status, workers);
  } catch (const std::exception& e) {  // training goes on; the exit code says so
    if (!metrics_failed_) log_.Warn("{}; metrics are missing from here on", e.what());
    metrics_failed_ = true;
  }
  new_exploitability_.reset();
  if (follow_ && !follow_refused_logged_ && segment_->shared().cpu.failures.load(std::memory_order_relaxed) > 0) {
    follow_refused_logged_ = true;
    log_.Warn("the kernel refused a worker's binding of the coordinator to its CPU (sched_setaffinity); "
              "run.coordinator_cpu: follow is off for the rest of the run");
  }
  const std::string line = ProgressLine(status.iterations, Session(), config_.run.iterations,
                                        config_.run.time_budget_s, metrics_->iterations_per_s(),
                                        metrics_->mean_worker_cpu(), exploitability_);
  if (final) {
    log_.EndProgress();
    log_.Info("{}", FinalLine(status.iterations, status.iterations - ledger_->iterations_before_resume(), Session(),
                              exploitability_));
  } else if (log_.interactive()) {
    log_.Progress(line);
  } else if (status.t - last_plain_progress_ >= 10) {
    last_plain_progress_ = status.t;
    log_.Info("{}", line);
  }
}

}  // namespace bp::trainer
