// RankSync<R>: one rank's side of a run over several MPI ranks (one rank per
// machine, each a coordinator with its own workers and shared segment).
//
// Every rank holds the whole tables. Between sync points a rank applies its
// own workers' batches to its tables, as a single machine does, and records
// their deltas (distributed::DeltaLog). At a sync point the ranks' deltas
// are summed once, in rank order, and broadcast (distributed::SumTouched),
// and every rank sets each touched entry to base + sum (the regret floor
// applied once), where base is the replica at the previous sync: after a
// sync every replica is the same, byte for byte, and equal to its base.
// Discounts are applied right after, to both, in the same order everywhere.
//
// Rank 0 decides: when a sync is due (distributed.sync_interval, on its
// clock or on the iterations of all ranks) and when the run stops; it tells
// the others through a non-blocking broadcast each of them tests once per
// loop turn (Poll), so that no rank blocks until a sync really starts. The
// next broadcast is posted only after the sync's collectives, so that every
// rank calls the collectives in one order (MPI's rule, non-blocking ones
// included).
//
// Coordinator thread only; collectives in the same order on every rank.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "base/checksum.h"
#include "distributed/replica_sync.h"
#include "solver/table_access.h"
#include "solver/tables.h"
#include "trainer/checkpoint.h"
#include "trainer/run_schedule.h"
#include "trainer/shared_tables.h"

namespace bp::trainer {

// The MPI job this process belongs to; null when it was not started by an
// MPI launcher (then nothing here is used and MPI is never initialised).
struct DistributedContext {
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank = 0;
  int size = 1;
};
const DistributedContext* CurrentDistributed();
void SetCurrentDistributed(const DistributedContext* context);

// What rank 0 tells every rank at a sync point.
struct SyncCommand {
  std::uint32_t stop = 0;           // 1: the run stops; this is the last command
  std::uint32_t checkpoint = 0;     // 1: rank 0 writes a checkpoint after this sync (GatherLedgers)
  std::uint64_t discounts_due = 0;  // discounts applied in all, after this sync
};

// Every rank's ledger at a sync, gathered on rank 0 for its checkpoint.
struct GatheredLedgers {
  std::vector<PendingBatch> pending;  // every rank's, in rank order
  std::uint64_t next_batch_id = 0;    // past every id any rank issued
  std::uint64_t next_iteration = 0;   // past every iteration any rank issued
};

// What a sync leaves every rank knowing.
struct SyncTotals {
  std::uint64_t iterations = 0;  // applied on every rank together
  std::uint64_t batches_issued = 0, batches_applied = 0;
  std::uint64_t syncs = 0;
  double last_seconds = 0;       // the last sync's exchange
  std::uint64_t last_bytes_sent = 0;
  double seconds = 0;            // all exchanges
  std::uint64_t bytes_sent = 0;  // all exchanges, this rank
  // Rank 0 only: every rank's iterations and mean worker CPU (%) at the last sync.
  std::vector<std::uint64_t> rank_iterations;
  std::vector<double> rank_worker_cpu;
};

template <class R>
class RankSync {
 public:
  RankSync(const DistributedContext& context, SharedTables<R> tables)
      : context_(context),
        tables_(tables),
        regret_log_(tables.regrets.size()),
        strategy_log_(tables.strategy_sum.size()),
        base_regrets_(tables.regrets.begin(), tables.regrets.end()),
        base_strategy_(tables.strategy_sum.begin(), tables.strategy_sum.end()) {
    if (context_.rank != 0) PostCommand();
  }
  RankSync(const RankSync&) = delete;
  RankSync& operator=(const RankSync&) = delete;
  ~RankSync() {
    if (pending_ != MPI_REQUEST_NULL) MPI_Request_free(&pending_);
  }

  bool root() const { return context_.rank == 0; }
  const DistributedContext& context() const { return context_; }
  const SyncTotals& totals() const { return totals_; }

  // Records a batch's deltas (the bytes the tables just took).
  void Record(std::span<const std::byte> deltas) {
    const std::byte* p = deltas.data();
    const std::byte* end = p + deltas.size();
    double regret[16], strategy[16];
    while (end - p >= static_cast<std::ptrdiff_t>(sizeof(std::uint64_t))) {
      std::uint64_t header;
      std::memcpy(&header, p, sizeof(header));
      p += sizeof(header);
      const std::uint64_t base = header >> 8;
      const int n = static_cast<int>(header & 0xff);
      for (int a = 0; a < n; ++a) {
        solver::DeltaPair d;
        std::memcpy(&d, p, sizeof(d));
        p += sizeof(d);
        regret[a] = d.regret;
        strategy[a] = d.strategy;
      }
      regret_log_.Add(base, n, regret);
      const std::uint64_t strategy_entries = strategy_log_.entries();
      if (base < strategy_entries) {
        strategy_log_.Add(base, static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(n), strategy_entries - base)),
                          strategy);
      }
    }
  }

  // Others: no more commands after this one (rank 0 said stop).
  void StopListening() { listening_ = false; }

  // Rank 0: starts a sync with `command` now (every other rank takes part
  // when its Poll sees it). Others: the command of a sync that starts now,
  // if rank 0 has sent one.
  void Send(const SyncCommand& command) {
    command_ = command;
    MPI_Request request;
    MPI_Ibcast(&command_, sizeof(command_), MPI_BYTE, 0, context_.comm, &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
  }
  std::optional<SyncCommand> Poll() {
    int done = 0;
    MPI_Test(&pending_, &done, MPI_STATUS_IGNORE);
    if (!done) return std::nullopt;
    return command_;  // the next one is listened for after this sync (collectives keep one order)
  }
  // Others: waits for rank 0's next command (while stopping, say).
  SyncCommand WaitCommand() {
    MPI_Wait(&pending_, MPI_STATUS_IGNORE);
    return command_;
  }

  // The exchange (collective): every rank's deltas since the last sync
  // summed into every replica, then `discounts_due` discounts in all.
  // local: this rank's iterations applied and batches issued and applied,
  // in all. `floor`: solver.regret_floor. Returns the discounts applied now.
  std::uint64_t Sync(std::uint64_t discounts_due, std::uint64_t discounts_applied, std::uint64_t local_iterations,
                     std::uint64_t local_issued, std::uint64_t local_applied, double floor, double worker_cpu = 0) {
    distributed::SyncStats regret_stats, strategy_stats;
    const auto regrets = distributed::SumTouched(context_.comm, regret_log_.Encode(), tables_.regrets.size(), &regret_stats);
    const auto strategy =
        distributed::SumTouched(context_.comm, strategy_log_.Encode(), tables_.strategy_sum.size(), &strategy_stats);
    const R stored_floor = solver::RegretCodec<R>::Floor(floor);
    distributed::ForEachDelta(regrets, tables_.regrets.size(), [&](std::uint64_t e, double v) {
      const R value = solver::RegretCodec<R>::Add(base_regrets_[e], v, stored_floor);
      base_regrets_[e] = value;
      std::atomic_ref<R>(tables_.regrets[e]).store(value, std::memory_order_relaxed);
    });
    distributed::ForEachDelta(strategy, tables_.strategy_sum.size(), [&](std::uint64_t e, double v) {
      base_strategy_[e] += v;
      tables_.strategy_sum[e] = base_strategy_[e];
    });
    regret_log_.Clear();
    strategy_log_.Clear();
    std::uint64_t applied = 0;
    for (std::uint64_t k = discounts_applied; k < discounts_due; ++k) {
      const double factor = RunSchedule::DiscountFactor(k + 1);  // the (k+1)-th discount
      for (std::size_t e = 0; e < base_regrets_.size(); ++e) {
        base_regrets_[e] = solver::RegretCodec<R>::Scale(base_regrets_[e], factor);
        std::atomic_ref<R>(tables_.regrets[e]).store(base_regrets_[e], std::memory_order_relaxed);
      }
      for (std::size_t e = 0; e < base_strategy_.size(); ++e) tables_.strategy_sum[e] = base_strategy_[e] *= factor;
      ++applied;
    }
    std::uint64_t local[3] = {local_iterations, local_issued, local_applied}, global[3] = {};
    MPI_Allreduce(local, global, 3, MPI_UINT64_T, MPI_SUM, context_.comm);
    totals_.iterations = global[0];
    totals_.batches_issued = global[1];
    totals_.batches_applied = global[2];
    double mine[2] = {static_cast<double>(local_iterations), worker_cpu};
    std::vector<double> each(root() ? 2 * static_cast<std::size_t>(context_.size) : 0);
    MPI_Gather(mine, 2, MPI_DOUBLE, each.data(), 2, MPI_DOUBLE, 0, context_.comm);
    if (root()) {
      totals_.rank_iterations.resize(static_cast<std::size_t>(context_.size));
      totals_.rank_worker_cpu.resize(static_cast<std::size_t>(context_.size));
      for (std::size_t r = 0; r < totals_.rank_iterations.size(); ++r) {
        totals_.rank_iterations[r] = static_cast<std::uint64_t>(each[2 * r]);
        totals_.rank_worker_cpu[r] = each[2 * r + 1];
      }
    }
    ++totals_.syncs;
    totals_.last_seconds = regret_stats.seconds + strategy_stats.seconds;
    totals_.last_bytes_sent = regret_stats.bytes_sent + strategy_stats.bytes_sent;
    totals_.seconds += totals_.last_seconds;
    totals_.bytes_sent += totals_.last_bytes_sent;
    // Every rank has called the same collectives in the same order: now the
    // others listen for rank 0's next command.
    if (context_.rank != 0 && listening_) PostCommand();
    return applied;
  }

  // Collective, right after a sync whose command said checkpoint: every
  // rank's batches not in the tables (`pending`: issued and not applied)
  // and where its numbering has got to, on rank 0 (others: empty).
  GatheredLedgers GatherLedgers(const std::vector<PendingBatch>& pending, std::uint64_t next_batch_id,
                                std::uint64_t next_iteration) const {
    constexpr int kWords = 4;
    std::vector<std::uint64_t> mine;
    mine.reserve(pending.size() * kWords);
    for (const PendingBatch& p : pending) mine.insert(mine.end(), {p.batch_id, p.first_iteration, p.count, p.seed});
    const int count = static_cast<int>(mine.size());
    std::vector<int> counts(root() ? static_cast<std::size_t>(context_.size) : 0);
    MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, context_.comm);
    std::vector<int> displs(counts.size());
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = static_cast<int>(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    std::vector<std::uint64_t> all(total);
    MPI_Gatherv(mine.data(), count, MPI_UINT64_T, all.data(), counts.data(), displs.data(), MPI_UINT64_T, 0,
                context_.comm);
    std::uint64_t next[2] = {next_batch_id, next_iteration}, most[2] = {};
    MPI_Reduce(next, most, 2, MPI_UINT64_T, MPI_MAX, 0, context_.comm);
    GatheredLedgers out;
    if (!root()) return out;
    for (std::size_t i = 0; i + kWords <= all.size(); i += kWords) {
      out.pending.push_back({all[i], all[i + 1], all[i + 2], all[i + 3]});
    }
    out.next_batch_id = most[0];
    out.next_iteration = most[1];
    return out;
  }

  // Whether every rank's tables are the same bytes (collective): compares
  // the checksums of the replicas. Returns this rank's checksum.
  std::uint64_t Checksum(bool* same) const {
    using base::Checksum;
    const std::uint64_t sum =
        Checksum::Of(Checksum::Kind::kXxh3, tables_.regrets.data(), tables_.regrets.size_bytes()) * 0x9e3779b97f4a7c15ULL ^
        Checksum::Of(Checksum::Kind::kXxh3, tables_.strategy_sum.data(), tables_.strategy_sum.size_bytes());
    std::uint64_t low = sum, high = sum;
    MPI_Allreduce(MPI_IN_PLACE, &low, 1, MPI_UINT64_T, MPI_MIN, context_.comm);
    MPI_Allreduce(MPI_IN_PLACE, &high, 1, MPI_UINT64_T, MPI_MAX, context_.comm);
    *same = low == high;
    return sum;
  }

 private:
  void PostCommand() { MPI_Ibcast(&command_, sizeof(command_), MPI_BYTE, 0, context_.comm, &pending_); }

  const DistributedContext context_;
  SharedTables<R> tables_;
  distributed::DeltaLog regret_log_, strategy_log_;
  std::vector<R> base_regrets_;
  std::vector<double> base_strategy_;
  SyncCommand command_{};
  MPI_Request pending_ = MPI_REQUEST_NULL;
  bool listening_ = true;
  SyncTotals totals_;
};

}  // namespace bp::trainer
