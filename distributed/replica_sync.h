// Keeping replicated tables in step across MPI ranks (training on several
// machines, one rank per machine).
//
// Every rank holds the whole table and adds its own workers' deltas to it.
// At a sync point each rank hands over what it added since the last one; the
// ranks' contributions are summed once, on rank 0, in rank order, and the
// sum is broadcast, so that every replica receives the same bytes and adds
// them in the same order: byte-identical replicas whatever the summation
// order of floating point would otherwise do.
//
// Two exchanges, chosen per table:
//   SumDense    the whole delta array, in chunks (gather to rank 0, sum in
//               rank order, broadcast): for tables small enough that most
//               entries change between syncs.
//   SumTouched  only the touched entries, as runs (wire format below),
//               gathered to rank 0, merged in entry order with equal
//               entries summed in rank order, broadcast: for large tables.
//
// Wire format of a run list (little-endian, 8-byte aligned): a sequence of
// records, each
//     u64 first   the first entry of the run
//     u64 n       its length (> 0)
//     n x f64     the deltas of entries first .. first + n - 1
// by increasing `first`, runs disjoint and not adjacent (adjacent runs are
// one run). An empty list is zero bytes.
//
// Not thread-safe: one thread of a rank calls these, every rank the same
// calls in the same order (collectives).
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace bp::distributed {

// Whether this process was started by an MPI launcher (mpirun, mpiexec,
// srun): its environment says so. Without one the trainer never
// initialises MPI.
bool LaunchedByMpi();

// MPI for the life of the object: MPI_Init_thread (funneled: only the thread
// that made it calls MPI) and MPI_Finalize. One per process.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  ~MpiSession();
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

class SyncError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What one exchange cost this rank.
struct SyncStats {
  std::uint64_t bytes_sent = 0;      // by this rank (its contribution; rank 0 also the broadcast)
  std::uint64_t bytes_received = 0;  // the sum it received (rank 0: the contributions)
  double seconds = 0;
};

// The deltas a rank added since the last sync: a dense array and a bitmap
// of the touched entries, so that the touched ones are listed in entry order
// in time proportional to the table / 64 plus what was touched.
class DeltaLog {
 public:
  explicit DeltaLog(std::uint64_t entries);
  std::uint64_t entries() const { return values_.size(); }
  // Adds delta[0..n) to entries base .. base + n - 1. Requires base + n <= entries().
  void Add(std::uint64_t base, int n, const double* delta);
  std::uint64_t touched() const { return touched_; }
  std::span<const double> dense() const { return values_; }
  // The touched entries as a run list (the wire format above).
  std::vector<std::byte> Encode() const;
  void Clear();

 private:
  std::vector<double> values_;
  std::vector<std::uint64_t> bits_;
  std::uint64_t touched_ = 0;
};

// Calls f(entry, value) for every entry of a run list, in order. SyncError
// for a malformed list (a cut record, runs out of order or beyond `entries`).
template <class F>
void ForEachDelta(std::span<const std::byte> runs, std::uint64_t entries, F&& f);

// Every rank's `mine` summed in rank order into `sum` (same length on every
// rank), identical bytes on every rank. Collective.
SyncStats SumDense(MPI_Comm comm, std::span<const double> mine, std::span<double> sum);

// Every rank's run list merged: equal entries summed in rank order, the
// result a run list, identical bytes on every rank. Collective. SyncError
// (on rank 0, which then aborts the job) for a malformed contribution.
std::vector<std::byte> SumTouched(MPI_Comm comm, std::span<const std::byte> mine, std::uint64_t entries,
                                  SyncStats* stats = nullptr);

// ---- implementation ----

template <class F>
void ForEachDelta(std::span<const std::byte> runs, std::uint64_t entries, F&& f) {
  std::size_t at = 0;
  std::uint64_t next = 0;  // the first entry a run may start at
  bool first_run = true;
  while (at < runs.size()) {
    if (runs.size() - at < 16) throw SyncError("run list: a record header is cut short");
    std::uint64_t head[2];
    __builtin_memcpy(head, runs.data() + at, 16);
    at += 16;
    const std::uint64_t first = head[0], n = head[1];
    if (n == 0 || first >= entries || n > entries - first) throw SyncError("run list: a run outside the table");
    if (!first_run && first <= next) throw SyncError("run list: runs out of order or adjacent");
    if ((runs.size() - at) / 8 < n) throw SyncError("run list: a run's values are cut short");
    for (std::uint64_t i = 0; i < n; ++i) {
      double v;
      __builtin_memcpy(&v, runs.data() + at + 8 * i, 8);
      f(first + i, v);
    }
    at += 8 * n;
    next = first + n;
    first_run = false;
  }
}

}  // namespace bp::distributed
