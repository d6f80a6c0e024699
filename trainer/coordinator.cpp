#include "trainer/coordinator.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <type_traits>

#include "base/fnv.h"
#include "solver/delta_bound.h"
#include "solver/table_access.h"
#include "trainer/proc_stats.h"
#include "base/memory.h"
#include "trainer/run_dir.h"
#include "trainer/snapshot.h"

namespace bp::trainer {

volatile std::sig_atomic_t g_stop_signal = 0;
volatile std::sig_atomic_t g_child_signal = 0;

namespace {

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string DescribeStatus(int status) {
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return "stopped";
}

std::uint64_t AvailableMemoryBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0;
  std::string unit;
  while (in >> key >> value >> unit) {
    if (key == "MemAvailable:") return value * 1024;
  }
  struct sysinfo info{};
  ::sysinfo(&info);
  return static_cast<std::uint64_t>(info.freeram) * info.mem_unit;
}

std::string FormatDuration(double s) {
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

}  // namespace

std::string AbstractionFingerprint(const std::string& game_name, const solver::TableLayout& layout) {
  std::uint64_t h = base::Fnv1a64(game_name.data(), game_name.size());
  for (solver::NodeId n = 0; n < layout.num_nodes(); ++n) {
    const std::uint64_t words[3] = {layout.entry_offset(n), layout.infoset_offset(n),
                                    static_cast<std::uint64_t>(layout.num_actions(n))};
    h = base::Fnv1a64(words, sizeof(words), h);
  }
  return fmt::format("{}:{}:{}:{:016x}", game_name, layout.num_infosets(), layout.num_entries(), h);
}

CoordinatorBase::CoordinatorBase(Config config, std::optional<CheckpointData> resume, RunLog& log)
    : config_(std::move(config)), resume_(std::move(resume)), log_(log), logdir_(config_.logging.logdir) {}

CoordinatorBase::~CoordinatorBase() {
  JoinCheckpointWriter();
  for (pid_t pid : pids_) {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  if (metrics_) std::fclose(metrics_);
}

void CoordinatorBase::CreateSegment(std::uint64_t infosets, std::uint64_t entries, std::uint64_t strategy_entries,
                                    std::uint64_t per_iteration_bytes, std::uint64_t per_update_bytes) {
  entries_ = entries;
  strategy_entries_ = strategy_entries;
  const int cores = AvailableCores();
  workers_ = static_cast<std::uint32_t>(config_.run.num_workers > 0 ? config_.run.num_workers : cores);
  follow_ = config_.run.coordinator_cpu == CoordinatorCpu::kFollow ||
            (config_.run.coordinator_cpu == CoordinatorCpu::kAuto && workers_ >= static_cast<std::uint32_t>(cores));
  const std::uint32_t slabs_per_worker = static_cast<std::uint32_t>(config_.run.queue_depth) + 4;
  const std::uint64_t whole_table = solver::MaxDeltaBytes(infosets, entries);
  // Batches carried over from a checkpoint keep their size, which may exceed
  // this run's batch size.
  std::uint64_t largest_batch = config_.run.batch_size;
  if (resume_) {
    for (const auto& p : resume_->pending) largest_batch = std::max(largest_batch, p.count);
  }
  const std::uint64_t per_batch = solver::MaxDeltaBytesPerBatch(
      largest_batch, per_iteration_bytes, per_update_bytes,
      config_.solver.average_update == AverageUpdate::kSampled ? config_.solver.average_interval : 0);
  const std::uint64_t slab_bytes = (std::min(whole_table, per_batch) + 63) / 64 * 64;
  log_.Info("delta slabs of {:.1f} MiB ({}), {} per worker", slab_bytes / 1048576.0,
            per_batch < whole_table ? fmt::format("a batch of {} iterations touches at most {:.1f} KiB per iteration",
                                                  largest_batch, per_iteration_bytes / 1024.0)
                                    : std::string("the whole table's deltas"),
            slabs_per_worker);

  ipc::SegmentLayout layout;
  layout.Add("coordinator", sizeof(CoordinatorShared));
  layout.Add("control", sizeof(ipc::ControlBlock) * workers_);
  layout.Add("tasks", sizeof(TaskQueue) * workers_);
  layout.Add("results", sizeof(ResultQueue) * workers_);
  layout.Add("slabs", ipc::SlabPool::RegionBytes(workers_, slabs_per_worker, slab_bytes));
  const std::uint64_t regret_bytes = regrets_int32_ ? sizeof(std::int32_t) : sizeof(double);
  layout.Add("regrets", entries * regret_bytes);
  layout.Add("strategy", strategy_entries * sizeof(double));
  // Each worker also keeps a batch's deltas privately (a sparse map sized by
  // what a batch can touch).
  const std::uint64_t private_bytes =
      static_cast<std::uint64_t>(workers_) * solver::DeltaAccess::MaxHeldBytes(entries, std::min(whole_table, per_batch));
  const std::uint64_t available = AvailableMemoryBytes();
  if (layout.total_size() + private_bytes > available) {
    throw std::runtime_error(fmt::format(
        "the run needs {:.1f} MiB (tables {:.1f} MiB, delta slabs {:.1f} MiB, the workers' private deltas {:.1f} MiB) "
        "but only {:.1f} MiB of memory is available; use fewer workers, a smaller --batch-size or a smaller "
        "abstraction",
        (layout.total_size() + private_bytes) / 1048576.0,
        static_cast<double>(regret_bytes * entries + 8 * strategy_entries) / 1048576.0,
        static_cast<double>(ipc::SlabPool::RegionBytes(workers_, slabs_per_worker, slab_bytes)) / 1048576.0,
        private_bytes / 1048576.0, available / 1048576.0));
  }
  const auto stale = ipc::Segment::RemoveStale();
  if (!stale.empty()) {
    log_.Info("removed {} stale shared-memory segment(s) left by runs that died: {}", stale.size(),
              fmt::join(stale, ", "));
  }
  segment_.emplace(ipc::Segment::Create(ipc::Segment::UniqueName(), layout));
  log_.Info("shared segment /dev/shm/{}: {:.1f} MiB", segment_->name(), layout.total_size() / 1048576.0);

  shared_ = new (segment_->RegionAs<void>("coordinator")) CoordinatorShared();
  shared_->cpu.follow.store(follow_ ? 1 : 0);
  control_ = segment_->RegionAs<ipc::ControlBlock>("control");
  tasks_ = segment_->RegionAs<TaskQueue>("tasks");
  results_ = segment_->RegionAs<ResultQueue>("results");
  for (std::uint32_t w = 0; w < workers_; ++w) {
    new (&control_[w]) ipc::ControlBlock();
    new (&tasks_[w]) TaskQueue();
    new (&results_[w]) ResultQueue();
  }
  slab_region_ = segment_->RegionAs<std::byte>("slabs");
  pool_.emplace(ipc::SlabPool::Create(slab_region_, workers_, slabs_per_worker, slab_bytes));
  regrets_ = segment_->RegionAs<void>("regrets");
  strategy_ = segment_->RegionAs<double>("strategy");
}

void CoordinatorBase::InitialiseState(std::uint64_t entries) {
  pids_.assign(workers_, 0);
  in_flight_.assign(workers_, {});
  last_worker_cpu_.assign(workers_, 0);
  sampled_pid_.assign(workers_, 0);
  seed_ = config_.run.seed;
  if (resume_) {
    if (resume_->int_regrets() != regrets_int32_) {
      throw CheckpointError(fmt::format("checkpoint holds {} regrets, this game uses {} regrets",
                                        regrets_int32_ ? "double" : "int32", regrets_int32_ ? "int32" : "double"));
    }
    if (resume_->num_regrets() != entries || resume_->strategy_sum.size() != strategy_entries_) {
      throw CheckpointError(fmt::format("checkpoint holds {} regrets and {} strategy sums, this run needs {} and {}",
                                        resume_->num_regrets(), resume_->strategy_sum.size(), entries,
                                        strategy_entries_));
    }
    if (regrets_int32_) {
      const auto& r = resume_->Regrets<std::int32_t>();
      std::copy(r.begin(), r.end(), static_cast<std::int32_t*>(regrets_));
    } else {
      const auto& r = resume_->Regrets<double>();
      std::copy(r.begin(), r.end(), static_cast<double*>(regrets_));
    }
    std::copy(resume_->strategy_sum.begin(), resume_->strategy_sum.end(), strategy_);
    next_batch_id_ = resume_->next_batch_id;
    next_iteration_ = resume_->next_iteration;
    discounts_applied_ = resume_->discounts_applied;
    seed_ = resume_->seed;
    elapsed_before_ = resume_->elapsed_s;
    totals_.iterations = resume_->iterations;
    iterations_before_ = resume_->iterations;
    for (const PendingBatch& p : resume_->pending) {
      carried_.push_back(TaskDescriptor{p.batch_id, p.first_iteration, p.count, p.seed, 0, {}});
    }
    log_.Info("resumed at iteration {} ({} batches applied, {} to issue again)", resume_->iterations,
              resume_->batches_applied, resume_->pending.size());
    batches_applied_before_ = resume_->batches_applied;
    resume_->regrets = RegretTable();
    resume_->strategy_sum.clear();
    resume_->strategy_sum.shrink_to_fit();
  }
  applied_.assign(next_batch_id_, false);
  // The snapshot memory: populated now, not during the first checkpoint, and
  // kept from the workers, or every page would be copy-on-write after the
  // fork and the first checkpoint would copy each as it writes it (on a
  // 1.2 GiB table on a virtual machine: 7 s of page faults, the workers
  // waiting; bench/scaling_bench --checkpoint).
  if (regrets_int32_) {
    spare_.regrets = std::vector<std::int32_t>();
    base::AllocatePopulatedPrivate(spare_.Regrets<std::int32_t>(), entries);
  } else {
    spare_.regrets = std::vector<double>();
    base::AllocatePopulatedPrivate(spare_.Regrets<double>(), entries);
  }
  base::AllocatePopulatedPrivate(spare_.strategy_sum, strategy_entries_);

  const RunDir run(logdir_);
  std::filesystem::create_directories(run.Checkpoints());
  const std::string yaml = ToYaml(config_);
  try {
    base::AtomicWriteFile(run.Config(), [&](base::FileSink& out) { out.Write(yaml); });
  } catch (const base::FileError& e) {
    throw CheckpointError(e.what());
  }
  metrics_ = std::fopen(run.Metrics().c_str(), "a");
  if (!metrics_) throw std::runtime_error("cannot write " + run.Metrics().string());
  start_time_ = SteadySeconds();
  last_metrics_t_ = Elapsed();
  last_checkpoint_t_ = Elapsed();
  last_metrics_iterations_ = totals_.iterations;
  last_checkpoint_iterations_ = totals_.iterations;
  last_snapshot_t_ = Elapsed();
  last_snapshot_iterations_ = totals_.iterations;
  last_coordinator_cpu_ = ProcessCpuSeconds(::getpid());
}

double CoordinatorBase::Elapsed() const { return SteadySeconds() - start_time_ + elapsed_before_; }

void CoordinatorBase::ApplyResult(std::uint32_t w, const ResultDescriptor& r) {
  auto& queue = in_flight_[w];
  const auto it = std::find_if(queue.begin(), queue.end(), [&](const TaskDescriptor& t) { return t.batch_id == r.batch_id; });
  if (it == queue.end() || r.batch_id >= applied_.size() || applied_[r.batch_id]) {
    ++totals_.duplicates;
    log_.Warn("worker {} returned batch {} that is not in flight; ignored", w, r.batch_id);
    pool_->Release(r.slab);
    return;
  }
  const double start = SteadySeconds();
  bool well_formed = r.bytes <= pool_->slab_bytes();
  if (well_formed) {
    WithTables([&](auto tables) {
      well_formed = solver::ApplyDeltas(std::span<const std::byte>(pool_->Data(r.slab), r.bytes), tables,
                                        config_.solver.regret_floor);
    });
  }
  if (!well_formed) {
    throw std::runtime_error(fmt::format("worker {} sent malformed deltas for batch {}", w, r.batch_id));
  }
  apply_seconds_ += SteadySeconds() - start;
  pool_->Release(r.slab);
  applied_[r.batch_id] = true;
  ++totals_.applied;
  totals_.iterations += r.count;
  queue.erase(it);
  MaybeDiscount();
}

std::uint64_t CoordinatorBase::DrainResults() {
  std::uint64_t applied = 0;
  ResultDescriptor batch[64];
  for (std::uint32_t w = 0; w < workers_; ++w) {
    ipc::Consumer<ResultQueue> in(&results_[w]);
    for (std::size_t n; (n = in.TryPopMany(batch, 64)) > 0;) {
      for (std::size_t i = 0; i < n; ++i) ApplyResult(w, batch[i]);
      applied += n;
    }
  }
  return applied;
}

void CoordinatorBase::ReapWorkers() {
  // waitpid only when SIGCHLD said something happened, or once a second in
  // case a signal was missed: not one syscall per loop.
  const double now_s = SteadySeconds();
  if (!g_child_signal && now_s - last_reap_check_ < 1.0) return;
  g_child_signal = 0;
  last_reap_check_ = now_s;
  int status = 0;
  for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
    const auto found = std::find(pids_.begin(), pids_.end(), pid);
    if (found == pids_.end()) continue;
    const auto w = static_cast<std::uint32_t>(found - pids_.begin());
    pids_[w] = 0;
    ++totals_.worker_deaths;
    // Results it pushed before dying are complete batches: apply them.
    ResultDescriptor batch[64];
    ipc::Consumer<ResultQueue> in(&results_[w]);
    for (std::size_t n; (n = in.TryPopMany(batch, 64)) > 0;) {
      for (std::size_t i = 0; i < n; ++i) ApplyResult(w, batch[i]);
    }
    const std::size_t lost = in_flight_[w].size();
    totals_.lost += lost;
    for (auto it = in_flight_[w].rbegin(); it != in_flight_[w].rend(); ++it) reissue_.push_front(*it);
    in_flight_[w].clear();
    new (&tasks_[w]) TaskQueue();
    new (&results_[w]) ResultQueue();
    pool_->ResetOwner(w);
    control_[w].state.store(ipc::WorkerState::kExited);
    const double now = Elapsed();
    recent_deaths_.push_back(now);
    std::erase_if(recent_deaths_, [&](double t) { return now - t > 60; });
    if (recent_deaths_.size() > 10) {
      log_.Warn("worker {} (pid {}) {}; more than 10 worker deaths in a minute: stopping the run", w, pid,
                DescribeStatus(status));
      stopping_ = true;
      stop_reason_ = "workers keep dying";
      failed_ = true;
      continue;
    }
    if (stopping_) {
      log_.Warn("worker {} (pid {}) {} while stopping; {} batch(es) recorded as pending", w, pid,
                DescribeStatus(status), lost);
      continue;
    }
    ForkWorker(w);
    log_.Warn("worker {} (pid {}) {}; {} batch(es) will be issued again; respawned as pid {}", w, pid,
              DescribeStatus(status), lost, pids_[w]);
  }
}

bool CoordinatorBase::NextBatch(TaskDescriptor& task) {
  if (!carried_.empty()) {
    task = carried_.front();
    carried_.pop_front();
    ++totals_.issued;
  } else if (!reissue_.empty()) {
    task = reissue_.front();
    reissue_.pop_front();
    ++totals_.reissued;
  } else {
    if (config_.run.iterations > 0 && next_iteration_ >= config_.run.iterations) return false;
    std::uint64_t count = config_.run.batch_size;
    if (config_.run.iterations > 0) count = std::min(count, config_.run.iterations - next_iteration_);
    task = TaskDescriptor{next_batch_id_, next_iteration_, count, BatchSeed(seed_, next_batch_id_), 0, {}};
    ++next_batch_id_;
    next_iteration_ += count;
    applied_.push_back(false);
    ++totals_.issued;
  }
  task.flags = PhaseFlags(task.first_iteration);
  return true;
}

double CoordinatorBase::Progress(const Interval& interval, std::uint64_t iteration) const {
  return interval.unit == Interval::Unit::kIterations ? static_cast<double>(iteration) : Elapsed();
}

bool CoordinatorBase::Reached(const Interval& point, std::uint64_t iteration) const {
  return Progress(point, iteration) >= point.value;  // off (0) is reached from the start
}

std::uint32_t CoordinatorBase::PhaseFlags(std::uint64_t first_iteration) const {
  const auto& s = config_.solver;
  std::uint32_t flags = 0;
  if (!s.prune_start->off() && Reached(*s.prune_start, first_iteration)) flags |= kTaskPrune;  // off: never
  if (Reached(s.average_start, first_iteration)) flags |= kTaskAverage;
  return flags;
}

void CoordinatorBase::Refill() {
  std::size_t total_in_flight = 0;
  for (const auto& q : in_flight_) total_in_flight += q.size();
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (pids_[w] <= 0) continue;
    ipc::Producer<TaskQueue> out(&tasks_[w], nullptr);
    for (;;) {
      if (config_.run.deterministic && total_in_flight > 0) return;
      const std::size_t depth = kTaskQueueCapacity - tasks_[w].WriteAvailable();
      if (depth >= static_cast<std::size_t>(config_.run.queue_depth)) break;
      if (in_flight_[w].size() >= pool_->slabs_per_owner()) break;
      TaskDescriptor task{};
      if (!NextBatch(task)) return;
      out.TryPush(task);  // cannot fail: depth < queue_depth <= capacity
      in_flight_[w].push_back(task);
      ++total_in_flight;
    }
  }
}

bool CoordinatorBase::Finished() const {
  // A dead worker's batches leave in_flight_ when it is reaped, so anything
  // still in flight belongs to a live worker: wait for it.
  return stopping_ && std::all_of(in_flight_.begin(), in_flight_.end(), [](const auto& q) { return q.empty(); });
}

void CoordinatorBase::Sleep() {
  double wait = config_.logging.metrics_interval_s - (Elapsed() - last_metrics_t_);
  wait = std::clamp(wait, 0.0, 0.02);
  shared_->results.Wait(
      [&] {
        for (std::uint32_t w = 0; w < workers_; ++w) {
          if (results_[w].ReadAvailable() > 0) return true;
        }
        return g_stop_signal != 0 || g_child_signal != 0;
      },
      std::chrono::nanoseconds(static_cast<std::int64_t>(wait * 1e9)));
}

void CoordinatorBase::MaybeDiscount() {
  const Interval& every = *config_.solver.discount_interval;
  if (every.off()) return;
  const auto last = static_cast<std::uint64_t>(config_.solver.discount_stop->value / every.value);
  const double progress = Progress(every, totals_.iterations);
  while (discounts_applied_ < last && progress >= static_cast<double>(discounts_applied_ + 1) * every.value) {
    const double factor = static_cast<double>(discounts_applied_ + 1) / static_cast<double>(discounts_applied_ + 2);
    WithTables([&](auto tables) {
      using R = typename decltype(tables.regrets)::element_type;
      for (R& stored : tables.regrets) {
        std::atomic_ref<R> r(stored);
        r.store(solver::RegretCodec<R>::Scale(r.load(std::memory_order_relaxed), factor), std::memory_order_relaxed);
      }
      for (double& sum : tables.strategy_sum) sum *= factor;
    });
    ++discounts_applied_;
  }
}

void CoordinatorBase::StopWorkers() {
  for (std::uint32_t w = 0; w < workers_; ++w) {
    if (pids_[w] <= 0) continue;
    TaskDescriptor stop{};
    stop.flags = kTaskStop;
    ipc::Producer<TaskQueue>(&tasks_[w], nullptr).PushFor(stop, std::chrono::seconds(1));
  }
  const double deadline = SteadySeconds() + 2.0;
  for (;;) {
    bool alive = false;
    for (std::uint32_t w = 0; w < workers_; ++w) {
      if (pids_[w] <= 0) continue;
      int status = 0;
      if (::waitpid(pids_[w], &status, WNOHANG) == pids_[w]) {
        pids_[w] = 0;
      } else {
        alive = true;
      }
    }
    if (!alive) break;
    if (SteadySeconds() > deadline) {
      for (std::uint32_t w = 0; w < workers_; ++w) {
        if (pids_[w] > 0) {
          log_.Warn("worker {} (pid {}) did not stop within 2 s; killing it", w, pids_[w]);
          ::kill(pids_[w], SIGKILL);
          ::waitpid(pids_[w], nullptr, 0);
          pids_[w] = 0;
        }
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Results that arrived while stopping are complete batches.
  DrainResults();
  // No worker is left to bind the coordinator: the final checkpoint and what
  // follows may use every CPU again.
  shared_->cpu.follow.store(0);
  start_mask_.ApplyToThisThread();
}

void CoordinatorBase::Snapshot(CheckpointData& data) const {
  data.pending.clear();
  data.config_yaml = ToYaml(config_);
  data.identity = IdentityKeys(config_);
  data.abstraction_fingerprint = fingerprint_;
  data.iterations = totals_.iterations;
  data.batches_applied = batches_applied_before_ + totals_.applied;
  data.next_batch_id = next_batch_id_;
  data.next_iteration = next_iteration_;
  data.discounts_applied = discounts_applied_;
  data.seed = seed_;
  data.elapsed_s = Elapsed();
  auto pend = [&](const TaskDescriptor& t) {
    data.pending.push_back({t.batch_id, t.first_iteration, t.count, t.seed});
  };
  for (const auto& t : carried_) pend(t);
  for (const auto& t : reissue_) pend(t);
  for (const auto& q : in_flight_) {
    for (const auto& t : q) pend(t);
  }
  WithTables([&](auto tables) {
    using R = typename decltype(tables.regrets)::element_type;
    if (!std::holds_alternative<std::vector<R>>(data.regrets)) data.regrets = std::vector<R>();
    data.Regrets<R>().assign(tables.regrets.begin(), tables.regrets.end());
    data.strategy_sum.assign(tables.strategy_sum.begin(), tables.strategy_sum.end());
  });
}

template <class Write>
void CoordinatorBase::StartWriter(const char* what, Write write) {
  JoinCheckpointWriter();
  writer_busy_.store(true);
  writer_ = std::thread([this, what, write = std::move(write)]() mutable {
    start_mask_.ApplyToThisThread();  // not the CPU the coordinator is bound to now
    std::string message;
    bool failed = false;
    try {
      message = write();
    } catch (const std::exception& e) {
      message = fmt::format("{} failed: {}", what, e.what());
      failed = true;
    }
    std::lock_guard lock(writer_mutex_);
    writer_message_ = message;
    writer_failed_ = writer_failed_ || failed;
    writer_busy_.store(false);
  });
}

void CoordinatorBase::StartCheckpoint(bool final) {
  JoinCheckpointWriter();  // spare_ is the writer's until then
  const double t0 = SteadySeconds();
  CheckpointData data = std::move(spare_);
  Snapshot(data);
  const double snapshot_ms = (SteadySeconds() - t0) * 1000;
  last_checkpoint_t_ = Elapsed();
  last_checkpoint_iterations_ = totals_.iterations;
  const RunDir run(logdir_);
  const std::filesystem::path path = run.Checkpoint(data.iterations);
  const int keep = config_.checkpoint.keep;
  StartWriter("checkpoint", [this, data = std::move(data), path, run, keep, snapshot_ms, final]() mutable {
    const double start = SteadySeconds();
    WriteCheckpoint(path, data);
    run.PruneCheckpoints(keep);
    spare_ = std::move(data);  // the memory goes back for the next checkpoint
    return fmt::format("{}checkpoint {} written: {:.1f} MiB, snapshot {:.1f} ms, write {:.0f} ms", final ? "final " : "",
                       path.string(), std::filesystem::file_size(path) / 1048576.0, snapshot_ms,
                       (SteadySeconds() - start) * 1000);
  });
}

void CoordinatorBase::StartSnapshot(std::function<std::vector<float>()> compute, bool on_coordinator) {
  last_snapshot_t_ = Elapsed();
  last_snapshot_iterations_ = totals_.iterations;
  const SnapshotHeader header{totals_.iterations, layout_fingerprint_, strategy_entries_, entries_ - strategy_entries_};
  const std::filesystem::path path = RunDir(logdir_).Snapshot(totals_.iterations);
  std::vector<float> probabilities;
  double computed_ms = 0;
  const auto timed_compute = [](const auto& f, std::vector<float>& out, double& ms) {
    const double start = SteadySeconds();
    out = f();
    ms = (SteadySeconds() - start) * 1000;
  };
  if (on_coordinator) timed_compute(compute, probabilities, computed_ms);
  StartWriter("snapshot", [header, path, on_coordinator, computed_ms, compute = std::move(compute), timed_compute,
                           probabilities = std::move(probabilities)]() mutable {
    if (!on_coordinator) timed_compute(compute, probabilities, computed_ms);
    const double start = SteadySeconds();
    WriteSnapshot(path, header, probabilities);
    return fmt::format("snapshot {} written: {:.1f} MiB, computed in {:.1f} ms ({}), write {:.0f} ms", path.string(),
                       std::filesystem::file_size(path) / 1048576.0, computed_ms,
                       on_coordinator ? "the coordinator paused" : "in the background",
                       (SteadySeconds() - start) * 1000);
  });
}

bool CoordinatorBase::Due(const Interval& interval, double since_t, std::uint64_t since_iterations) const {
  if (interval.off()) return false;
  if (interval.unit == Interval::Unit::kSeconds) return Elapsed() - since_t >= interval.value;
  return totals_.iterations - since_iterations >= static_cast<std::uint64_t>(interval.value);
}

void CoordinatorBase::JoinCheckpointWriter() {
  if (!writer_.joinable()) return;
  writer_.join();
  std::lock_guard lock(writer_mutex_);
  if (!writer_message_.empty()) {
    if (writer_failed_) {
      log_.Warn("{}", writer_message_);
    } else {
      log_.Info("{}", writer_message_);
    }
    writer_message_.clear();
  }
}

void CoordinatorBase::WriteMetrics(bool final, std::optional<double> exploitability) {
  const double now = Elapsed();
  const double dt = std::max(1e-9, now - last_metrics_t_);
  iterations_per_s_ = static_cast<double>(totals_.iterations - last_metrics_iterations_) / dt;
  nlohmann::json workers = nlohmann::json::array();
  std::vector<std::size_t> depths, result_depths;
  double cpu_sum = 0;
  for (std::uint32_t w = 0; w < workers_; ++w) {
    const pid_t pid = control_[w].pid.load();
    const double cpu = pids_[w] > 0 ? ProcessCpuSeconds(pid) : -1;
    double pct = 0;
    if (cpu >= 0 && sampled_pid_[w] == pid) pct = 100.0 * (cpu - last_worker_cpu_[w]) / dt;
    sampled_pid_[w] = pid;
    last_worker_cpu_[w] = std::max(cpu, 0.0);
    cpu_sum += pct;
    const auto& c = control_[w];
    workers.push_back({{"index", w},
                       {"pid", pid},
                       {"cpu_pct", pct},
                       {"iterations", c.iterations_done.load()},
                       {"batches", c.batches_done.load()},
                       {"put_waits", c.put.put_waits.load()},
                       {"put_timeouts", c.put.put_timeouts.load()},
                       {"anon_rss_bytes", pids_[w] > 0 ? AnonResidentBytes(pid) : 0}});
    depths.push_back(kTaskQueueCapacity - tasks_[w].WriteAvailable());
    result_depths.push_back(results_[w].ReadAvailable());
  }
  mean_worker_cpu_ = workers_ > 0 ? cpu_sum / workers_ : 0;
  if (follow_ && !follow_refused_logged_ && shared_->cpu.failures.load(std::memory_order_relaxed) > 0) {
    follow_refused_logged_ = true;
    log_.Warn("the kernel refused a worker's binding of the coordinator to its CPU (sched_setaffinity); "
              "run.coordinator_cpu: follow is off for the rest of the run");
  }
  const double coordinator_cpu = ProcessCpuSeconds(::getpid());
  nlohmann::json line = {{"t", now},
                         {"iterations", totals_.iterations},
                         {"iterations_per_s", iterations_per_s_},
                         {"batches_issued", totals_.issued},
                         {"batches_reissued", totals_.reissued},
                         {"batches_lost", totals_.lost},
                         {"batches_applied", totals_.applied},
                         {"workers", workers},
                         {"coordinator_cpu_pct", 100.0 * (coordinator_cpu - last_coordinator_cpu_) / dt},
                         {"queue_depths", depths},
                         {"result_depths", result_depths},
                         {"apply_s", apply_seconds_},
                         {"rss_bytes", ResidentBytes()},
                         {"worker_deaths", totals_.worker_deaths},
                         {"coordinator_binds", shared_->cpu.binds.load(std::memory_order_relaxed)}};
  if (exploitability) line["exploitability"] = *exploitability;
  if (final) {
    line["final"] = true;
    line["batches_duplicate"] = totals_.duplicates;
    line["stop_reason"] = stop_reason_;
  }
  std::fprintf(metrics_, "%s\n", line.dump().c_str());
  std::fflush(metrics_);
  last_coordinator_cpu_ = coordinator_cpu;
  last_metrics_t_ = now;
  last_metrics_iterations_ = totals_.iterations;

  if (final) {
    log_.EndProgress();
    log_.Info("{}", ProgressLine(last_exploitability_, true));
  } else if (log_.interactive()) {
    log_.Progress(ProgressLine(last_exploitability_, false));
  } else if (now - last_plain_progress_ >= 10) {
    last_plain_progress_ = now;
    log_.Info("{}", ProgressLine(last_exploitability_, false));
  }
}

std::string CoordinatorBase::ProgressLine(std::optional<double> exploitability, bool final) const {
  const double session = Elapsed() - elapsed_before_;
  if (final) {
    std::string line = fmt::format("{} it in {}, {} it/s on average", FormatCount(static_cast<double>(totals_.iterations)),
                                   FormatDuration(session),
                                   FormatCount(static_cast<double>(totals_.iterations - iterations_before_) /
                                               std::max(session, 1e-9)));
    if (exploitability) line += fmt::format(", exploitability {:.5f}", *exploitability);
    return line;
  }
  double fraction = -1;
  if (config_.run.iterations > 0) fraction = static_cast<double>(totals_.iterations) / config_.run.iterations;
  if (config_.run.time_budget_s > 0) fraction = std::max(fraction, session / config_.run.time_budget_s);
  std::string bar;
  std::string eta = "--";
  if (fraction >= 0) {
    fraction = std::min(fraction, 1.0);
    const int filled = static_cast<int>(fraction * 20);
    bar = "[" + std::string(filled, '#') + std::string(20 - filled, '-') + fmt::format("] {:3.0f}% ", fraction * 100);
    if (fraction > 0) eta = FormatDuration(session / fraction - session);
  }
  std::string line = fmt::format("{}{} it  {} it/s  elapsed {}  eta {}  worker cpu {:.0f}%", bar,
                                 FormatCount(static_cast<double>(totals_.iterations)), FormatCount(iterations_per_s_),
                                 FormatDuration(session), eta, mean_worker_cpu_);
  if (exploitability) line += fmt::format("  exploitability {:.5f}", *exploitability);
  return line;
}

void CoordinatorBase::Summary() {
  // Every issue (new or again) ends applied or lost, so this always holds.
  const bool identity = totals_.applied == totals_.issued - totals_.lost + totals_.reissued;
  log_.Info("batches: {} issued, {} lost to worker deaths, {} issued again, {} applied, {} duplicate results{}",
            totals_.issued, totals_.lost, totals_.reissued, totals_.applied, totals_.duplicates,
            identity && totals_.duplicates == 0 ? "; every batch applied exactly once" : "");
  log_.Info("done: {} iterations in {} ({}); logs in {}", totals_.iterations,
            FormatDuration(Elapsed() - elapsed_before_), stop_reason_, logdir_.string());
}

}  // namespace bp::trainer
