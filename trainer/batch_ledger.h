// BatchLedger: the exactly-once accounting of a run's batches. Pure logic:
// no processes, no clock, no shared memory. The coordinator thread owns it.
//
// A batch is a run of iterations [first_iteration, first_iteration + count)
// with an id; its seed derives from (run seed, id) (BatchSeed), so a batch
// issued again computes exactly what it computed the first time. Every batch
// is in one of four places:
//   carried    pending in the checkpoint the run resumed from: issued first
//   reissue    it was in flight on a worker that died: issued next, in order
//   in flight  issued to a live worker, its result not applied yet
//   applied    its deltas are in the tables
// Over several MPI ranks each rank keeps its own ledger, and the ledgers
// share one numbering (BatchNumbering): rank r of K issues ids first_id + r,
// first_id + r + K, ..., and the m-th of them covers the iterations from
// first_iteration + (r + K m) x batch size. So ids and iteration numbers are
// unique across ranks, a batch's seed derives from its id alone, and the
// iteration numbers (which the schedule's phases read) run on the global
// clock.
// Invariants (tests/trainer/batch_ledger_test.cpp):
//   - a result is applied only if its batch is in flight on the worker that
//     sent it, and then leaves the ledger's flight: no id is applied twice;
//     any other result is a duplicate, counted and refused;
//   - once nothing is in flight, applied = issued - lost + reissued, where
//     issued counts new and carried batches, lost those in flight when their
//     worker died;
//   - Pending() is every batch issued or carried and not applied: what a
//     checkpoint keeps, so that a resume issues exactly those again.
// Thread-compatible: one owner.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_set>
#include <vector>

#include "trainer/checkpoint.h"

namespace bp::trainer {

struct Batch {
  std::uint64_t id = 0;
  std::uint64_t first_iteration = 0;
  std::uint64_t count = 0;
  std::uint64_t seed = 0;
};

// Where a ledger's new batches are numbered from, and its share of the
// numbering: one rank of `stride`, at `offset` (0 <= offset < stride).
struct BatchNumbering {
  std::uint64_t first_id = 0;
  std::uint64_t first_iteration = 0;
  std::uint32_t stride = 1;
  std::uint32_t offset = 0;
};

class BatchLedger {
 public:
  struct Totals {
    std::uint64_t issued = 0, reissued = 0, lost = 0, applied = 0, duplicates = 0;
  };

  // A fresh ledger: ids and iterations from `numbering` (a fresh run: from
  // 0); nothing applied yet.
  BatchLedger(std::uint32_t workers, std::uint64_t run_seed, BatchNumbering numbering = {});
  // Continues the ledger a checkpoint saved (SaveTo): ids and iterations go
  // on from it, its pending batches are issued first, the ones it applied
  // count as applied. `stride` and `offset`: this ledger's share of the
  // numbering (BatchNumbering) from the checkpoint's next id on.
  explicit BatchLedger(std::uint32_t workers, const CheckpointData& checkpoint, std::uint32_t stride = 1,
                       std::uint32_t offset = 0);

  // The next batch for `worker`: carried, else to reissue, else a new one of
  // `batch_size` iterations that ends by `iteration_limit` (0: no limit);
  // nullopt when the limit is reached and nothing is left to issue again.
  // With a stride above 1 every new batch has `batch_size` iterations and
  // `iteration_limit` must be 0 (rank 0 decides when a run over ranks stops).
  std::optional<Batch> Issue(std::uint32_t worker, std::uint64_t batch_size, std::uint64_t iteration_limit);
  // `worker`'s result for batch `id`: the batch, which counts as applied from
  // now on, or nullopt (counted as a duplicate) if it is not in flight there.
  std::optional<Batch> Complete(std::uint32_t worker, std::uint64_t id);
  // `worker` died: its batches in flight are lost, to be issued again first.
  // Returns how many.
  std::size_t Lose(std::uint32_t worker);

  std::size_t InFlight(std::uint32_t worker) const { return in_flight_[worker].size(); }
  std::size_t InFlight() const;
  bool HasReissues() const { return !reissue_.empty(); }
  // Every batch issued or carried and not applied, oldest first.
  std::vector<PendingBatch> Pending() const;
  // Writes the ledger's part of a checkpoint: ids, iterations, applied
  // count, run seed, Pending().
  void SaveTo(CheckpointData& checkpoint) const;

  const Totals& totals() const { return totals_; }
  // Applied, including those before a resume.
  std::uint64_t iterations() const { return iterations_; }
  std::uint64_t batches_applied() const { return applied_before_ + totals_.applied; }
  std::uint64_t iterations_before_resume() const { return iterations_before_; }
  // The id and first iteration of the next new batch this ledger issues
  // (a stride of 1), or past every one it issued (the ids and iterations of
  // every share from here on are new: what a checkpoint's next id is).
  std::uint64_t next_batch_id() const { return next_batch_id_; }
  std::uint64_t next_iteration() const { return next_iteration_; }
  // Iterations issued or carried and not applied yet.
  std::uint64_t unapplied_iterations() const;
  const BatchNumbering& numbering() const { return numbering_; }
  std::uint64_t run_seed() const { return run_seed_; }
  // Nothing in flight, the identity above holds and no result was a duplicate.
  bool ExactlyOnce() const;

 private:
  std::uint64_t run_seed_;
  BatchNumbering numbering_;
  std::uint64_t issued_new_ = 0;      // new batches issued: the m of the next one
  std::uint64_t next_batch_id_ = 0;   // see next_batch_id()
  std::uint64_t next_iteration_ = 0;  // see next_iteration()
  std::uint64_t iterations_ = 0;
  std::uint64_t iterations_before_ = 0;
  std::uint64_t applied_before_ = 0;
  std::vector<std::deque<Batch>> in_flight_;  // per worker, in the order issued
  std::deque<Batch> carried_;
  std::deque<Batch> reissue_;
  std::unordered_set<std::uint64_t> unapplied_;  // ids issued or carried and not applied
  Totals totals_;
};

}  // namespace bp::trainer
