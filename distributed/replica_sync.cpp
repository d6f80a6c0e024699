#include "distributed/replica_sync.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

namespace bp::distributed {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void Check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw SyncError(std::string(what) + " failed");
}

// Appends one run to a run list.
void PutRun(std::vector<std::byte>& out, std::uint64_t first, const std::vector<double>& values) {
  const std::size_t at = out.size();
  out.resize(at + 16 + 8 * values.size());
  const std::uint64_t head[2] = {first, values.size()};
  std::memcpy(out.data() + at, head, 16);
  std::memcpy(out.data() + at + 16, values.data(), 8 * values.size());
}

// Builds a run list from (entry, value) pairs given in increasing entry order.
class RunWriter {
 public:
  void Add(std::uint64_t entry, double value) {
    if (!values_.empty() && entry != first_ + values_.size()) Flush();
    if (values_.empty()) first_ = entry;
    values_.push_back(value);
  }
  std::vector<std::byte> Finish() {
    Flush();
    return std::move(out_);
  }

 private:
  void Flush() {
    if (values_.empty()) return;
    PutRun(out_, first_, values_);
    values_.clear();
  }
  std::vector<std::byte> out_;
  std::vector<double> values_;
  std::uint64_t first_ = 0;
};

// Decoded (entry, value) pairs of one contribution, in order.
std::vector<std::pair<std::uint64_t, double>> Decode(std::span<const std::byte> runs, std::uint64_t entries) {
  std::vector<std::pair<std::uint64_t, double>> out;
  out.reserve(runs.size() / 8);
  ForEachDelta(runs, entries, [&](std::uint64_t e, double v) { out.emplace_back(e, v); });
  return out;
}

}  // namespace

bool LaunchedByMpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  Check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

DeltaLog::DeltaLog(std::uint64_t entries) : values_(entries, 0.0), bits_((entries + 63) / 64, 0) {}

void DeltaLog::Add(std::uint64_t base, int n, const double* delta) {
  for (int a = 0; a < n; ++a) {
    const std::uint64_t e = base + static_cast<std::uint64_t>(a);
    std::uint64_t& word = bits_[e / 64];
    const std::uint64_t bit = std::uint64_t{1} << (e % 64);
    if ((word & bit) == 0) {
      word |= bit;
      ++touched_;
    }
    values_[e] += delta[a];
  }
}

std::vector<std::byte> DeltaLog::Encode() const {
  RunWriter out;
  for (std::uint64_t w = 0; w < bits_.size(); ++w) {
    for (std::uint64_t word = bits_[w]; word != 0; word &= word - 1) {
      const std::uint64_t e = w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
      out.Add(e, values_[e]);
    }
  }
  return out.Finish();
}

void DeltaLog::Clear() {
  for (std::uint64_t w = 0; w < bits_.size(); ++w) {
    for (std::uint64_t word = bits_[w]; word != 0; word &= word - 1) {
      values_[w * 64 + static_cast<std::uint64_t>(std::countr_zero(word))] = 0.0;
    }
    bits_[w] = 0;
  }
  touched_ = 0;
}

SyncStats SumDense(MPI_Comm comm, std::span<const double> mine, std::span<double> sum) {
  const double start = Now();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (sum.size() != mine.size()) throw SyncError("SumDense: the sum and the contribution differ in length");
  std::uint64_t length = mine.size(), agreed = 0;
  Check(MPI_Allreduce(&length, &agreed, 1, MPI_UINT64_T, MPI_MAX, comm), "MPI_Allreduce");
  if (agreed != length) throw SyncError("SumDense: the ranks' tables differ in length");
  SyncStats stats;
  constexpr std::size_t kChunk = 1 << 20;  // doubles per step: 8 MiB, times the ranks on rank 0
  std::vector<double> gathered(rank == 0 ? kChunk * static_cast<std::size_t>(size) : 0);
  for (std::size_t at = 0; at < mine.size(); at += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, mine.size() - at));
    Check(MPI_Gather(mine.data() + at, n, MPI_DOUBLE, gathered.data(), n, MPI_DOUBLE, 0, comm), "MPI_Gather");
    if (rank == 0) {
      for (int i = 0; i < n; ++i) {
        double v = gathered[static_cast<std::size_t>(i)];
        for (int r = 1; r < size; ++r) v += gathered[static_cast<std::size_t>(r) * static_cast<std::size_t>(n) + static_cast<std::size_t>(i)];
        sum[at + static_cast<std::size_t>(i)] = v;
      }
    }
    Check(MPI_Bcast(sum.data() + at, n, MPI_DOUBLE, 0, comm), "MPI_Bcast");
  }
  const std::uint64_t bytes = 8 * mine.size();
  stats.bytes_sent = rank == 0 ? bytes * static_cast<std::uint64_t>(size - 1) : bytes;
  stats.bytes_received = rank == 0 ? bytes * static_cast<std::uint64_t>(size - 1) : bytes;
  stats.seconds = Now() - start;
  return stats;
}

std::vector<std::byte> SumTouched(MPI_Comm comm, std::span<const std::byte> mine, std::uint64_t entries,
                                  SyncStats* stats) {
  const double start = Now();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (mine.size() % 8 != 0) throw SyncError("SumTouched: a run list is a whole number of 8-byte words");
  // Lengths in 8-byte words, so that MPI's int counts reach 16 GiB.
  const auto words = static_cast<long long>(mine.size() / 8);
  if (words > 0x7fffffff) throw SyncError("SumTouched: a contribution above 16 GiB; sync more often");
  const int my_words = static_cast<int>(words);
  std::vector<int> counts(rank == 0 ? static_cast<std::size_t>(size) : 0), offsets;
  Check(MPI_Gather(&my_words, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm), "MPI_Gather");
  std::vector<std::byte> all;
  if (rank == 0) {
    long long total = 0;
    offsets.resize(static_cast<std::size_t>(size));
    for (int r = 0; r < size; ++r) {
      offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += counts[static_cast<std::size_t>(r)];
      if (total > 0x7fffffff) throw SyncError("SumTouched: the contributions exceed 16 GiB; sync more often");
    }
    all.resize(static_cast<std::size_t>(total) * 8);
  }
  Check(MPI_Gatherv(mine.data(), my_words, MPI_UINT64_T, all.data(), counts.data(), offsets.data(), MPI_UINT64_T, 0,
                    comm),
        "MPI_Gatherv");
  std::vector<std::byte> merged;
  std::uint64_t merged_words = 0;
  if (rank == 0) {
    std::vector<std::vector<std::pair<std::uint64_t, double>>> parts;
    try {
      for (int r = 0; r < size; ++r) {
        parts.push_back(Decode(std::span<const std::byte>(all).subspan(
                                   static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]) * 8,
                                   static_cast<std::size_t>(counts[static_cast<std::size_t>(r)]) * 8),
                               entries));
      }
    } catch (const SyncError&) {
      MPI_Abort(comm, 1);  // a rank sent garbage: no replica may take it
      throw;
    }
    // K-way merge; equal entries summed in rank order.
    std::vector<std::size_t> at(parts.size(), 0);
    RunWriter out;
    for (;;) {
      std::uint64_t next = UINT64_MAX;
      for (std::size_t r = 0; r < parts.size(); ++r) {
        if (at[r] < parts[r].size()) next = std::min(next, parts[r][at[r]].first);
      }
      if (next == UINT64_MAX) break;
      bool any = false;
      double v = 0;
      for (std::size_t r = 0; r < parts.size(); ++r) {
        if (at[r] < parts[r].size() && parts[r][at[r]].first == next) {
          v = any ? v + parts[r][at[r]].second : parts[r][at[r]].second;
          any = true;
          ++at[r];
        }
      }
      out.Add(next, v);
    }
    merged = out.Finish();
    merged_words = merged.size() / 8;
  }
  Check(MPI_Bcast(&merged_words, 1, MPI_UINT64_T, 0, comm), "MPI_Bcast");
  if (rank != 0) merged.resize(merged_words * 8);
  // Broadcast in pieces below 2^31 words.
  for (std::uint64_t w = 0; w < merged_words; w += 1u << 30) {
    const int n = static_cast<int>(std::min<std::uint64_t>(1u << 30, merged_words - w));
    Check(MPI_Bcast(merged.data() + 8 * w, n, MPI_UINT64_T, 0, comm), "MPI_Bcast");
  }
  if (stats != nullptr) {
    stats->bytes_sent = rank == 0 ? merged.size() * static_cast<std::uint64_t>(size - 1) : mine.size();
    stats->bytes_received = rank == 0 ? all.size() - mine.size() : merged.size();
    stats->seconds = Now() - start;
  }
  return merged;
}

}  // namespace bp::distributed
