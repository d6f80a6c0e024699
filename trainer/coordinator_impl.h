// Coordinator<G>'s methods (included by coordinator.h): starting, the loop's
// turns over batches and workers, and the end; its output (metrics,
// checkpoints, snapshots) is in coordinator_output.h. All of it runs on the
// coordinator thread.
#pragma once

#include <unistd.h>

#include <chrono>
#include <span>
#include <type_traits>

#include "abstraction/nlhe_game.h"
#include "base/file_frame.h"
#include "base/fnv.h"
#include "base/memory.h"
#include "solver/delta_bound.h"
#include "trainer/blueprint.h"
#include "trainer/nlhe_finish.h"
#include "trainer/proc_stats.h"
#include "trainer/snapshot.h"
#include "trainer/worker.h"

namespace bp::trainer {

namespace coordinator_detail {
inline double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// Seconds a new worker may take to map the tables before its first heartbeat.
inline constexpr double kStartupGrace = 60;
// Seconds before a failed checkpoint is tried again.
inline constexpr double kCheckpointRetry = 10;
// Seconds a stop by signal waits for the batches in flight.
inline constexpr double kSignalStopWait = 3;
}  // namespace coordinator_detail

template <solver::Game G>
Coordinator<G>::Coordinator(const G& game, Config config, std::optional<CheckpointData> resume, StopToken stop,
                            RunLog& log)
    : game_(game),
      layout_(game),
      config_(std::move(config)),
      log_(log),
      run_(config_.logging.logdir),
      schedule_(config_),
      fingerprint_(AbstractionFingerprint(std::string(NameOf(config_.game.name)), layout_)),
      layout_fingerprint_(base::Fnv1a64(fingerprint_.data(), fingerprint_.size())),
      run_cpus_(ipc::CpuMask::OfThisThread()),
      strategy_entries_(layout_.street_end(config_.solver.NumAveragedStreets(game.NumStreets()) - 1)),
      stop_(stop),
      resume_(std::move(resume)),
      exploitability_due_({Interval::Unit::kSeconds, config_.logging.exploitability_interval_s}, 0, 0),
      checkpoint_due_(config_.checkpoint.interval, 0, 0),
      snapshot_due_(config_.checkpoint.snapshot_interval, 0, 0),
      writer_(run_cpus_),
      evaluation_(game, layout_, run_cpus_) {
  const int cores = AvailableCores();
  workers_ = static_cast<std::uint32_t>(config_.run.num_workers > 0 ? config_.run.num_workers : cores);
  follow_ = config_.run.coordinator_cpu == CoordinatorCpu::kFollow ||
            (config_.run.coordinator_cpu == CoordinatorCpu::kAuto && workers_ >= static_cast<std::uint32_t>(cores));
}

template <solver::Game G>
int Coordinator<G>::Run() {
  Start();
  while (!Finished()) {
    ReapDeadWorkers();
    WatchWorkers();
    const std::uint64_t applied = DrainResults();
    if (rank_sync_) Distribute();
    CheckStop();
    if (!stopping_) IssueBatches();
    PollExploitability();
    WriteMetricsIfDue();
    CollectWrite();
    StartDueWrites();
    if (applied == 0 && !Finished()) Sleep();
  }
  return Finish();
}

template <solver::Game G>
std::uint64_t Coordinator<G>::GlobalIterations() const {
  if (!rank_sync_) return ledger_->iterations();
  return rank_sync_->totals().iterations + (ledger_->iterations() - iterations_at_sync_);
}

template <solver::Game G>
double Coordinator<G>::SecondsToSync() const {
  const std::uint64_t ranks = static_cast<std::uint64_t>(rank_sync_->context().size);
  const Interval every = config_.distributed.sync_interval.value_or(
      Interval{Interval::Unit::kIterations, static_cast<double>(config_.run.batch_size * ranks)});
  const double since = Elapsed() - last_sync_;
  if (every.unit == Interval::Unit::kSeconds) return every.value - since;
  // Iterations of all ranks since the last sync: rank 0's times the ranks,
  // or what the rate of all ranks between the last two syncs says, if more
  // (rank 0 may be the slowest: it also evaluates and writes).
  const double estimate =
      std::max(static_cast<double>((ledger_->iterations() - iterations_at_sync_) * ranks), since * global_rate_);
  if (estimate >= every.value) return 0;
  return global_rate_ > 0 ? (every.value - estimate) / global_rate_ : 1.0;
}

template <solver::Game G>
void Coordinator<G>::Distribute() {
  if (rank_sync_->root()) {
    if (stop_sent_ || SecondsToSync() > 0) return;
    SyncCommand command;
    command.discounts_due = config_.solver.discount_interval->off()
                                ? 0
                                : schedule_.DiscountsDue(discounts_applied_, Elapsed(), GlobalIterations());
    // A checkpoint follows a sync: every rank's ledger is gathered at it.
    const bool retry = checkpoint_retry_at_ > 0 && Elapsed() >= checkpoint_retry_at_;  // the last one failed
    command.checkpoint =
        !stopping_ && !writer_.busy() && (retry || checkpoint_due_.Due(Elapsed(), GlobalIterations())) ? 1 : 0;
    if (command.checkpoint) checkpoint_retry_at_ = 0;
    rank_sync_->Send(command);
    RunSync(command);
  } else if (!stop_sent_) {
    if (const auto command = rank_sync_->Poll()) {
      if (command->stop) {
        stop_sent_ = true;
        rank_sync_->StopListening();
        if (!stopping_) {
          stopping_ = true;
          stop_reason_ = "rank 0 stopped the run";
          log_.Info("stopping (rank 0 stopped the run): applying the batches in flight");
        }
        return;
      }
      RunSync(*command);
    }
  }
}

template <solver::Game G>
void Coordinator<G>::RunSync(const SyncCommand& command) {
  const BatchLedger::Totals& t = ledger_->totals();
  discounts_applied_ += rank_sync_->Sync(command.discounts_due, discounts_applied_, ledger_->iterations(), t.issued,
                                         t.applied, config_.solver.regret_floor, metrics_->mean_worker_cpu());
  iterations_at_sync_ = ledger_->iterations();
  const double now = Elapsed();
  const std::uint64_t global = rank_sync_->totals().iterations;
  if (now > last_sync_ && global >= global_at_sync_) {
    global_rate_ = static_cast<double>(global - global_at_sync_) / (now - last_sync_);
  }
  global_at_sync_ = global;
  if (rank_sync_->totals().syncs > 1) sync_gap_ = 0.9 * sync_gap_ + 0.1 * (now - last_sync_);
  last_sync_ = now;
  if (command.checkpoint) {
    // The batches each rank has not applied are not in the replicas: the
    // checkpoint keeps them all as pending, whichever rank resumes them.
    auto gathered = rank_sync_->GatherLedgers(ledger_->Pending(), ledger_->next_batch_id(), ledger_->next_iteration());
    if (rank_sync_->root()) gathered_ = std::move(gathered);
    if (rank_sync_->root() && !command.stop) StartCheckpoint(false);
  } else if (rank_sync_->root() && !stopping_ && !writer_.busy() && SnapshotDue(now, GlobalIterations())) {
    StartSnapshot();  // of the replica as every rank has it
  }
}

template <solver::Game G>
void Coordinator<G>::FinalSync() {
  if (rank_sync_->root() && !stop_sent_) {
    SyncCommand stop;
    stop.stop = 1;
    rank_sync_->Send(stop);
    stop_sent_ = true;
  } else if (!rank_sync_->root() && !stop_sent_) {
    // Rank 0 stops the run: take part in the syncs it starts until it says so.
    for (;;) {
      const SyncCommand command = rank_sync_->WaitCommand();
      if (command.stop) break;
      RunSync(command);
    }
    rank_sync_->StopListening();
    stop_sent_ = true;
  }
  SyncCommand last;  // the same on every rank: no broadcast
  last.discounts_due = discounts_applied_;
  last.checkpoint = 1;  // the final checkpoint (Finish)
  last.stop = 1;
  RunSync(last);
  bool same = false;
  const std::uint64_t checksum = rank_sync_->Checksum(&same);
  const SyncTotals& g = rank_sync_->totals();
  log_.Info("rank {} of {}: {} syncs; replica checksum {:016x}, {} on every rank; all ranks: {} iterations, {} batches "
            "issued, {} applied{}",
            rank_sync_->context().rank, rank_sync_->context().size, g.syncs, checksum,
            same ? "the same" : "NOT the same", g.iterations, g.batches_issued, g.batches_applied,
            g.batches_issued == g.batches_applied ? "; every batch applied exactly once" : "");
  if (!same) failed_ = true;
}

template <solver::Game G>
void Coordinator<G>::Start() {
  const int averaged = config_.solver.NumAveragedStreets(game_.NumStreets());
  const double regret_mib = static_cast<double>(sizeof(Regret) * layout_.num_entries()) / (1 << 20);
  const double strategy_mib = 8.0 * static_cast<double>(strategy_entries_) / (1 << 20);
  log_.Info("game {}: {} infosets, {} table entries; tables need {:.1f} MiB (regrets {:.1f} MiB, {}; strategy sums "
            "on {} {:.1f} MiB, double)",
            NameOf(config_.game.name), layout_.num_infosets(), layout_.num_entries(), regret_mib + strategy_mib,
            regret_mib, solver::RegretCodec<Regret>::kName,
            averaged == game_.NumStreets() ? "every street" : "the first street", strategy_mib);
  if (config_.solver.FullWidth()) {
    log_.Info("solver: full-width CFR (every deal and action each iteration), regret weight {}, average weight {}, "
              "regret floor {}",
              NameOf(config_.solver.regret_weight), NameOf(config_.solver.average_weight),
              config_.solver.regret_floor);
  }
  // Batches carried over from a checkpoint keep their size, which may exceed
  // this run's batch size.
  std::uint64_t largest_batch = config_.run.batch_size;
  if (resume_) {
    for (const PendingBatch& p : resume_->pending) largest_batch = std::max(largest_batch, p.count);
  }
  const TableNeeds needs{layout_.num_infosets(),
                         layout_.num_entries(),
                         strategy_entries_,
                         // Full width touches every infoset: only the whole-table bound holds.
                         config_.solver.FullWidth()
                             ? solver::MaxDeltaBytes(layout_.num_infosets(), layout_.num_entries())
                             : solver::MaxDeltaBytesPerIteration(game_),
                         solver::MaxStrategyUpdateBytes(game_, averaged),
                         sizeof(Regret)};
  segment_.emplace(RunSegment::Create(PlanSegment(config_, workers_, largest_batch, needs, log_), follow_, log_));
  tables_ = segment_->Tables<Regret>();
  const DistributedContext* dist = CurrentDistributed();
  const bool over_ranks = dist != nullptr && dist->size > 1;
  // Over K ranks rank r issues every K-th id from the run's next one on
  // (BatchNumbering): ids and iteration numbers unique across ranks, every
  // batch seeded by the run seed and its id.
  const std::uint32_t stride = over_ranks ? static_cast<std::uint32_t>(dist->size) : 1;
  const std::uint32_t offset = over_ranks ? static_cast<std::uint32_t>(dist->rank) : 0;
  if (resume_) {
    tables_.LoadFrom(*resume_);
    if (offset == 0) {
      // Rank 0 (or one machine) continues the checkpoint's ledger: its
      // pending batches, of every rank that wrote it, are issued here first.
      ledger_.emplace(workers_, *resume_, stride, offset);
    } else {
      ledger_.emplace(workers_, resume_->seed,
                      BatchNumbering{resume_->next_batch_id, resume_->next_iteration, stride, offset});
    }
    discounts_applied_ = resume_->discounts_applied;
    elapsed_before_ = resume_->elapsed_s;
    const std::string written_by =
        resume_->ranks > 1 || over_ranks ? fmt::format("; written by {} rank(s), now {}", resume_->ranks, stride) : "";
    if (offset == 0) {
      log_.Info("resumed at iteration {} ({} batches applied, {} to issue again{})", resume_->iterations,
                resume_->batches_applied, resume_->pending.size(), written_by);
    } else {
      log_.Info("resumed at iteration {} (rank {}: the tables and new batch ids; rank 0 issues the {} pending "
                "batch(es){})",
                resume_->iterations, dist->rank, resume_->pending.size(), written_by);
    }
    resume_.reset();
  } else {
    ledger_.emplace(workers_, config_.run.seed, BatchNumbering{0, 0, stride, offset});
  }
  if (const DistributedContext* d = dist; d != nullptr && d->size > 1) {
    rank_sync_.emplace(*d, tables_);
    segment_->UnlinkName();  // nothing is left in /dev/shm if mpirun kills the job
    log_.Info("rank {} of {}: the tables are summed across ranks every {} (distributed.sync_interval){}", d->rank,
              d->size,
              config_.distributed.sync_interval
                  ? config_.distributed.sync_interval->ToString()
                  : fmt::format("{} iterations (auto: a batch of every rank)", config_.run.batch_size * d->size),
              d->rank == 0 ? "; this rank writes the run's checkpoints" : "");
    const BatchNumbering& n = ledger_->numbering();
    log_.Info("rank {} of {}: new batch ids {}, {}, ... (every {}th from {}), iterations numbered on the run's clock",
              d->rank, d->size, n.first_id + n.offset, n.first_id + n.offset + n.stride, n.stride, n.first_id);
  }
  // The checkpoint memory: populated now, not during the first checkpoint,
  // and kept from the workers, or every page would be copy-on-write after
  // the fork and the first checkpoint would copy each as it writes it (on a
  // 1.2 GiB table on a virtual machine: 7 s of page faults, the workers
  // waiting; bench/scaling_bench --checkpoint).
  spare_.regrets = std::vector<Regret>();
  base::AllocatePopulatedPrivate(spare_.Regrets<Regret>(), layout_.num_entries());
  base::AllocatePopulatedPrivate(spare_.strategy_sum, strategy_entries_);

  const std::string yaml = ToYaml(config_);
  base::AtomicWriteFile(run_.Config(), [&](base::FileSink& out) { out.Write(yaml); });  // FileError: exit 1
  std::filesystem::create_directories(run_.Checkpoints());
  start_time_ = coordinator_detail::SteadySeconds();
  metrics_.emplace(run_.Metrics(), workers_, Elapsed(), ledger_->iterations());
  for (Periodic* p : {&exploitability_due_, &checkpoint_due_, &snapshot_due_}) {
    p->Mark(Elapsed(), ledger_->iterations());
  }
  const pid_t coordinator = ::getpid();
  killed_.assign(workers_, false);
  pool_.emplace(workers_, static_cast<std::size_t>(config_.run.max_worker_deaths), stop_,
                [this, coordinator](std::uint32_t w) {
    const WorkerContext ctx{w,
                            coordinator,
                            config_.run.pin_workers ? static_cast<int>(w % std::thread::hardware_concurrency()) : -1,
                            run_cpus_,
                            std::chrono::nanoseconds(static_cast<std::int64_t>(config_.run.put_timeout_s * 1e9)),
                            &segment_->control(w),
                            &segment_->batches(w),
                            &segment_->results(w),
                            &segment_->shared(),
                            segment_->slab_region(),
                            strategy_entries_,
                            config_.solver.SamplingOptionsFor(game_.NumStreets()),
                            CurrentDistributed() != nullptr};
    WorkerMain(game_, layout_, ctx, tables_.regrets.data());
  });
  for (std::uint32_t w = 0; w < workers_; ++w) ForkWorker(w);
  log_.Info("started {} worker process(es), batch size {}, queue depth {}{}{}", workers_, config_.run.batch_size,
            config_.run.queue_depth, config_.run.deterministic ? ", deterministic" : "",
            follow_ ? "; workers bind the coordinator to their CPU before waking it (run.coordinator_cpu)" : "");
}

template <solver::Game G>
void Coordinator<G>::ForkWorker(std::uint32_t w) {
  // Fork only from a single-threaded process.
  Collect(writer_.Join());
  evaluation_.Join();
  const pid_t pid = pool_->Fork(w);
  killed_[w] = false;
  segment_->control(w).pid.store(pid);
  metrics_->WorkerStarted(w, pid);  // a new process starts at zero CPU time
}

template <solver::Game G>
void Coordinator<G>::ReapDeadWorkers() {
  for (const WorkerPool::Death& d : pool_->Reap(coordinator_detail::SteadySeconds())) {
    ++worker_deaths_;
    DrainResults(d.index);  // results it pushed before dying are complete batches
    const std::size_t lost = ledger_->Lose(d.index);
    segment_->ResetWorker(d.index);
    const std::string how = DescribeWorkerEnd(d.status);
    if (d.too_many) {
      log_.Warn("worker {} (pid {}) {}; more than {} worker deaths in a minute (run.max_worker_deaths): stopping the "
                "run",
                d.index, d.pid, how, config_.run.max_worker_deaths);
      stopping_ = true;
      stop_reason_ = "workers keep dying";
      failed_ = true;
    } else if (stopping_) {
      log_.Warn("worker {} (pid {}) {} while stopping; {} batch(es) recorded as pending", d.index, d.pid, how, lost);
    } else {
      ForkWorker(d.index);
      log_.Warn("worker {} (pid {}) {}; {} batch(es) will be issued again; respawned as pid {}", d.index, d.pid, how,
                lost, pool_->pid(d.index));
    }
  }
}

template <solver::Game G>
void Coordinator<G>::WatchWorkers() {
  const double timeout_s =
      config_.run.worker_timeout_s > 0 ? config_.run.worker_timeout_s : 5.0 + 1e-9 * static_cast<double>(slowest_batch_ns_);
  const auto now = static_cast<std::int64_t>(MonotonicNs());
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (!pool_->alive(w) || killed_[w] || ledger_->InFlight(w) == 0) continue;
    const auto beat = static_cast<std::int64_t>(segment_->control(w).heartbeat_ns.load(std::memory_order_relaxed));
    const auto forked = static_cast<std::int64_t>(pool_->forked_ns(w));
    // Before its first heartbeat a worker maps the tables: a grace period.
    const double silent = beat > forked ? 1e-9 * static_cast<double>(now - beat)
                                        : 1e-9 * static_cast<double>(now - forked) - coordinator_detail::kStartupGrace;
    if (silent <= timeout_s) continue;
    log_.Warn("worker {} (pid {}) sent no heartbeat for {:.1f} s with {} batch(es) in flight (run.worker_timeout {:.1f} "
              "s): killing it",
              w, pool_->pid(w), silent, ledger_->InFlight(w), timeout_s);
    killed_[w] = true;
    pool_->Kill(w);  // Reap respawns it and issues its batches again
  }
}

template <solver::Game G>
std::uint64_t Coordinator<G>::DrainResults(std::uint32_t w) {
  std::uint64_t applied = 0;
  BatchResult results[64];
  ipc::Consumer<ResultQueue> in(&segment_->results(w));
  for (std::size_t n; (n = in.TryPopMany(results, 64)) > 0;) {
    for (std::size_t i = 0; i < n; ++i) Apply(w, results[i]);
    applied += n;
  }
  return applied;
}

template <solver::Game G>
std::uint64_t Coordinator<G>::DrainResults() {
  std::uint64_t applied = 0;
  for (std::uint32_t w = 0; w < workers_; ++w) applied += DrainResults(w);
  return applied;
}

template <solver::Game G>
void Coordinator<G>::Apply(std::uint32_t w, const BatchResult& r) {
  ipc::SlabPool& slabs = segment_->slabs();
  if (!ledger_->Complete(w, r.batch_id)) {
    log_.Warn("worker {} returned batch {} that is not in flight; ignored", w, r.batch_id);
    slabs.Release(r.slab);
    return;
  }
  const double start = coordinator_detail::SteadySeconds();
  if (r.bytes > slabs.slab_bytes() ||
      !tables_.Apply(std::span<const std::byte>(slabs.Data(r.slab), r.bytes), config_.solver.regret_floor)) {
    throw std::runtime_error(fmt::format("worker {} sent malformed deltas for batch {}", w, r.batch_id));
  }
  if (rank_sync_) rank_sync_->Record(std::span<const std::byte>(slabs.Data(r.slab), r.bytes));
  apply_seconds_ += coordinator_detail::SteadySeconds() - start;
  slowest_batch_ns_ = std::max(slowest_batch_ns_, r.busy_ns);
  slabs.Release(r.slab);
  if (!config_.solver.discount_interval->off() && !rank_sync_) {  // linear CFR, at a batch boundary
    const std::uint64_t due = schedule_.DiscountsDue(discounts_applied_, Elapsed(), ledger_->iterations());
    while (discounts_applied_ < due) tables_.Discount(RunSchedule::DiscountFactor(++discounts_applied_));
  }
}

template <solver::Game G>
void Coordinator<G>::CheckStop() {
  if (stopping_) return;
  if (rank_sync_ && !rank_sync_->root()) return;  // rank 0 decides
  const std::uint64_t next =
      rank_sync_ ? GlobalIterations() + ledger_->unapplied_iterations() : ledger_->next_iteration();
  const auto reason = schedule_.StopReason(stop_.stop_requested(), Session(), next, ledger_->HasReissues());
  if (!reason) return;
  stopping_ = true;
  stop_reason_ = *reason;
  if (stop_.stop_requested()) stop_deadline_ = coordinator_detail::SteadySeconds() + coordinator_detail::kSignalStopWait;
  log_.Info("stopping ({}): applying the batches in flight", stop_reason_);
}

template <solver::Game G>
bool Coordinator<G>::Finished() const {
  // A stop by signal waits a few seconds for the batches in flight; those
  // still out then are kept in the final checkpoint as pending.
  return stopping_ && (ledger_->InFlight() == 0 ||
                       (stop_deadline_ > 0 && coordinator_detail::SteadySeconds() > stop_deadline_));
}

template <solver::Game G>
void Coordinator<G>::IssueBatches() {
  const std::uint32_t slabs_per_worker = segment_->slabs().slabs_per_owner();
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (!pool_->alive(w)) continue;
    BatchQueue& queue = segment_->batches(w);
    ipc::Producer<BatchQueue> out(&queue, nullptr);
    for (;;) {
      // One batch at a time: deterministic runs, and full-width CFR, whose
      // iterations are deterministic: a batch computed from tables without
      // the update of the batch before it would repeat that batch's work.
      if ((config_.run.deterministic || config_.solver.FullWidth()) && ledger_->InFlight() > 0) return;
      if (kBatchQueueCapacity - queue.WriteAvailable() >= static_cast<std::size_t>(config_.run.queue_depth)) break;
      if (ledger_->InFlight(w) >= slabs_per_worker) break;
      const auto batch = ledger_->Issue(w, config_.run.batch_size, rank_sync_ ? 0 : config_.run.iterations);
      if (!batch) return;
      const BatchDescriptor d{batch->id, batch->first_iteration, batch->count, batch->seed,
                              schedule_.PhaseFlags(batch->first_iteration, Elapsed()), {}};
      out.TryPush(d);  // cannot fail: depth < queue_depth <= capacity
    }
  }
}

template <solver::Game G>
void Coordinator<G>::Sleep() {
  double wait = std::clamp(config_.logging.metrics_interval_s - (Elapsed() - metrics_->last_t()), 0.0, 0.02);
  if (rank_sync_ && !stop_sent_) {
    // Rank 0 wakes when a sync is due; the others when one is expected (the
    // mean gap between syncs), then every 0.2 ms until it comes, so that
    // rank 0 does not wait long in the exchange for a rank that sleeps.
    const double to_sync =
        rank_sync_->root() ? SecondsToSync() : sync_gap_ - (Elapsed() - last_sync_);
    wait = std::min(wait, std::max(rank_sync_->root() ? 0.0 : 0.0002, to_sync));
  }
  segment_->shared().results.Wait(
      [&] {
        for (std::uint32_t w = 0; w < workers_; ++w) {
          if (segment_->results(w).ReadAvailable() > 0) return true;
        }
        return stop_.stop_requested() || stop_.child_changed();
      },
      std::chrono::nanoseconds(static_cast<std::int64_t>(wait * 1e9)));
}

template <solver::Game G>
int Coordinator<G>::Finish() {
  pool_->Stop(
      [&](std::uint32_t w) {
        BatchDescriptor stop{};
        stop.flags = kBatchStop;
        ipc::Producer<BatchQueue>(&segment_->batches(w), nullptr).PushFor(stop, std::chrono::seconds(1));
      },
      log_);
  DrainResults();  // results that arrived while stopping are complete batches
  // Every worker is gone now: batches still out are lost, and pending in the
  // final checkpoint.
  std::size_t pending = 0;
  for (std::uint32_t w = 0; w < workers_; ++w) pending += ledger_->Lose(w);
  if (pending > 0) log_.Info("{} batch(es) still in flight when the workers stopped are pending in the final checkpoint", pending);
  // No worker is left to bind the coordinator: what follows may use every CPU.
  segment_->shared().cpu.follow.store(0);
  run_cpus_.ApplyToThisThread();
  if (rank_sync_) FinalSync();
  const bool writes = !rank_sync_ || rank_sync_->root();  // rank 0 writes the run's files
  evaluation_.Join();
  exploitability_ = evaluation_.Now(tables_.strategy_sum);
  if (writes) StartCheckpoint(true);
  Collect(writer_.Join());
  if constexpr (std::is_same_v<G, abstraction::NlheGame>) {
    try {
      if (writes) {
        WriteNlheBlueprint({config_, layout_, tables_.regrets, tables_.strategy_sum, layout_fingerprint_,
                            GlobalIterations(), game_.buckets().fingerprint()},
                           run_, log_);
      }
    } catch (const std::exception& e) {  // the metrics and the summary are still written
      log_.Warn("the blueprint was not written: {}", e.what());
      failed_ = true;
    }
  }
  WriteMetrics(true);
  log_.EndProgress();
  const BatchLedger::Totals& t = ledger_->totals();
  log_.Info("batches: {} issued, {} lost to worker deaths, {} issued again, {} applied, {} duplicate results{}",
            t.issued, t.lost, t.reissued, t.applied, t.duplicates,
            ledger_->ExactlyOnce() ? "; every batch applied exactly once" : "");
  log_.Info("done: {} iterations in {} ({}); logs in {}", ledger_->iterations(), FormatClock(Session()), stop_reason_,
            run_.root().string());
  return writer_.failed() || failed_ || metrics_failed_ || log_.failed() ? 1 : 0;
}

template <solver::Game G>
double Coordinator<G>::Elapsed() const {
  return coordinator_detail::SteadySeconds() - start_time_ + elapsed_before_;
}

}  // namespace bp::trainer

#include "trainer/coordinator_output.h"
