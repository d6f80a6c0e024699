// Run under mpirun with 3 ranks (ctest does: shared memory and loopback
// only). Each rank adds pseudo-random deltas to its log, some entries on
// every rank, some on one; the sums of SumTouched and SumDense must equal a
// sum every rank recomputes for all ranks in rank order, bit for bit, and
// be byte-identical across ranks (their checksums compared). Also: a
// malformed run list is refused, and a rank that touched nothing still
// takes part. Exit 0 when every check passes on every rank.
#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "base/checksum.h"
#include "distributed/replica_sync.h"
#include "solver/rng.h"

using namespace bp;

namespace {

int failures = 0;
int rank = 0, ranks = 1;

void Expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "rank %d: FAILED: %s\n", rank, what);
    ++failures;
  }
}

constexpr std::uint64_t kEntries = 3 * (1 << 20) + 77;  // more than one dense chunk

// Rank r's additions in round `round`: (base, n, deltas) triples.
struct Add {
  std::uint64_t base;
  int n;
  double d[4];
};
std::vector<Add> AddsOf(int r, int round) {
  std::vector<Add> adds;
  if (round == 1 && r == 2) return adds;  // a rank with nothing to send
  solver::Rng rng(static_cast<std::uint64_t>(1000 * round + r));
  const int count = 2000 + 500 * r;
  for (int i = 0; i < count; ++i) {
    Add a{};
    a.n = 1 + static_cast<int>(rng.UniformBelow(4));
    // Half in a window every rank writes to, half anywhere.
    const std::uint64_t span = i % 2 == 0 ? 5000 : kEntries - 4;
    a.base = rng.UniformBelow(static_cast<std::uint32_t>(span));
    for (int k = 0; k < a.n; ++k) a.d[k] = rng.UniformDouble() * 200 - 100 + 1e-3;
    adds.push_back(a);
  }
  // The table's last entry too.
  if (r == 0) adds.push_back({kEntries - 1, 1, {0.5, 0, 0, 0}});
  return adds;
}

std::uint64_t Checksum(const void* data, std::size_t bytes) {
  return base::Checksum::Of(base::Checksum::Kind::kXxh3, data, bytes);
}

bool SameOnEveryRank(std::uint64_t value) {
  std::vector<std::uint64_t> all(static_cast<std::size_t>(ranks));
  MPI_Allgather(&value, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
  for (std::uint64_t v : all) {
    if (v != all[0]) return false;
  }
  return true;
}

void Round(int round) {
  distributed::DeltaLog log(kEntries);
  for (const Add& a : AddsOf(rank, round)) log.Add(a.base, a.n, a.d);

  // What every rank's log holds, rebuilt here for all ranks, summed in rank order.
  std::vector<double> expected(kEntries, 0.0);
  std::vector<char> touched(kEntries, 0);
  for (int r = 0; r < ranks; ++r) {
    distributed::DeltaLog theirs(kEntries);
    for (const Add& a : AddsOf(r, round)) theirs.Add(a.base, a.n, a.d);
    distributed::ForEachDelta(theirs.Encode(), kEntries, [&](std::uint64_t e, double v) {
      expected[e] = touched[e] ? expected[e] + v : v;
      touched[e] = 1;
    });
  }

  distributed::SyncStats stats;
  const std::vector<std::byte> merged = distributed::SumTouched(MPI_COMM_WORLD, log.Encode(), kEntries, &stats);
  std::vector<double> got(kEntries, 0.0);
  std::uint64_t listed = 0, previous_end = 0;
  bool ordered = true;
  std::uint64_t last = 0;
  distributed::ForEachDelta(merged, kEntries, [&](std::uint64_t e, double v) {
    ordered = ordered && (listed == 0 || e > last);
    last = e;
    got[e] = v;
    ++listed;
  });
  (void)previous_end;
  std::uint64_t want_listed = 0;
  for (char t : touched) want_listed += t != 0;
  Expect(ordered, "merged entries in increasing order");
  Expect(listed == want_listed, "merged: every entry some rank touched, once");
  Expect(std::memcmp(got.data(), expected.data(), 8 * kEntries) == 0, "SumTouched equals the rank-order sum bit for bit");
  Expect(SameOnEveryRank(Checksum(merged.data(), merged.size())), "SumTouched: the same bytes on every rank");
  Expect(stats.bytes_sent > 0 || (round == 1 && rank == 2), "SumTouched counts the bytes it sent");

  std::vector<double> dense(kEntries, -1.0);
  distributed::SumDense(MPI_COMM_WORLD, log.dense(), dense);
  Expect(std::memcmp(dense.data(), expected.data(), 8 * kEntries) == 0, "SumDense equals the rank-order sum bit for bit");
  Expect(SameOnEveryRank(Checksum(dense.data(), 8 * kEntries)), "SumDense: the same bytes on every rank");

  // Clear leaves nothing behind.
  log.Clear();
  Expect(log.touched() == 0 && log.Encode().empty(), "Clear empties the log");
  bool zero = true;
  for (double v : log.dense()) zero = zero && v == 0.0;
  Expect(zero, "Clear zeroes the dense deltas");
}

void MalformedListsAreRefused() {
  if (rank != 0) return;  // local checks only
  auto refused = [](std::vector<std::uint64_t> words, std::uint64_t entries) {
    std::vector<std::byte> bytes(words.size() * 8);
    std::memcpy(bytes.data(), words.data(), bytes.size());
    try {
      distributed::ForEachDelta(bytes, entries, [](std::uint64_t, double) {});
    } catch (const distributed::SyncError&) {
      return true;
    }
    return false;
  };
  const std::uint64_t one = 0x3ff0000000000000ULL;  // 1.0
  Expect(!refused({5, 1, one, 7, 2, one, one}, 10), "a valid list reads");
  Expect(refused({5, 1}, 10), "a record whose values are cut is refused");
  Expect(refused({5}, 10), "a cut header is refused");
  Expect(refused({9, 2, one, one}, 10), "a run beyond the table is refused");
  Expect(refused({5, 0}, 10), "an empty run is refused");
  Expect(refused({5, 1, one, 6, 1, one}, 10), "adjacent runs are refused");
  Expect(refused({5, 1, one, 3, 1, one}, 10), "runs out of order are refused");
  Expect(refused({UINT64_MAX, 2, one, one}, 10), "a run whose end overflows is refused");
}

}  // namespace

int main(int argc, char** argv) {
  Expect(distributed::LaunchedByMpi(), "started by mpirun (the environment says so)");
  distributed::MpiSession mpi(&argc, &argv);
  rank = mpi.rank();
  ranks = mpi.size();
  Expect(ranks == 3, "run with 3 ranks");
  for (int round = 0; round < 2; ++round) Round(round);
  MalformedListsAreRefused();
  int total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) std::printf("replica_sync_test: %d rank(s), %d failure(s)\n", ranks, total);
  return total == 0 ? 0 : 1;
}
