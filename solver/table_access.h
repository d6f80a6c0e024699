// How a traversal reads and writes the regret and strategy-sum tables.
//
// DirectAccess: in place, on tables this thread owns (the serial solver).
//
// DeltaAccess: the tables belong to someone else (the coordinator, in shared
// memory) and may change underneath; the traversal reads them with relaxed
// atomic loads and writes nothing there. Its own updates go to private dense
// delta arrays, overlaid on every read, so that a batch sees its own regret
// updates exactly as the serial solver would. The touched infosets are listed,
// so the deltas can be emitted sparsely and cleared in time proportional to
// what the batch touched. Applying a batch's deltas (base += delta, entry by
// entry) gives the same bits whoever applies them: a one-worker run is
// reproducible bit for bit against a serial run with the same batches.
//
// Thread-safety: an access object belongs to one traversal loop.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "solver/regret_matching.h"
#include "solver/tables.h"

namespace bp::solver {

class DirectAccess {
 public:
  explicit DirectAccess(TableView tables) : regrets_(tables.regrets.data()), sums_(tables.strategy_sum.data()) {}

  void CurrentStrategy(std::uint64_t base, int n, double* sigma) { RegretMatching(regrets_ + base, n, sigma); }
  void AddRegrets(std::uint64_t base, int n, const double* delta) {
    for (int a = 0; a < n; ++a) regrets_[base + a] += delta[a];
  }
  void AddStrategy(std::uint64_t base, int n, const double* sigma) {
    for (int a = 0; a < n; ++a) sums_[base + a] += sigma[a];
  }

 private:
  double* regrets_;
  double* sums_;
};

// Wire format of a batch's deltas (what a worker writes into a slab), one
// record per touched infoset:
//   u64   header: first table entry << 8 | number of actions n (1..16)
//   n x { f32 regret delta, f32 strategy-sum delta }
// Deltas travel as float (a batch's sums are small numbers); the tables stay
// double. About 11 bytes per entry for Leduc, against 24 for (u64, f64, f64).
struct DeltaPair {
  float regret;
  float strategy;
};
static_assert(sizeof(DeltaPair) == 8);
inline constexpr std::uint64_t kMaxDeltaEntry = (std::uint64_t{1} << 56) - 1;

// Bytes needed to emit every entry of a table with these counts.
inline std::uint64_t MaxDeltaBytes(std::uint64_t infosets, std::uint64_t entries) {
  return infosets * sizeof(std::uint64_t) + entries * sizeof(DeltaPair);
}

class DeltaAccess {
 public:
  // `base_regrets` (num_entries elements) is read with relaxed atomic loads.
  DeltaAccess(const double* base_regrets, std::uint64_t num_entries)
      : base_(base_regrets), regret_delta_(num_entries, 0.0), strategy_delta_(num_entries, 0.0),
        touched_(num_entries, 0) {}

  void CurrentStrategy(std::uint64_t base, int n, double* sigma) {
    double r[16];
    for (int a = 0; a < n; ++a) r[a] = LoadBase(base + a) + regret_delta_[base + a];
    RegretMatching(r, n, sigma);
  }
  void AddRegrets(std::uint64_t base, int n, const double* delta) {
    Touch(base, n);
    for (int a = 0; a < n; ++a) regret_delta_[base + a] += delta[a];
  }
  void AddStrategy(std::uint64_t base, int n, const double* sigma) {
    Touch(base, n);
    for (int a = 0; a < n; ++a) strategy_delta_[base + a] += sigma[a];
  }

  // Bytes EmitAndClear will write.
  std::uint64_t EmitBytes() const {
    return blocks_.size() * sizeof(std::uint64_t) + touched_entries_ * sizeof(DeltaPair);
  }
  // Writes the touched infosets' deltas to `out` (EmitBytes() bytes, 8-byte
  // aligned) in table order, clears them, and returns
  // the bytes written.
  std::uint64_t EmitAndClear(std::byte* out);

 private:
  double LoadBase(std::uint64_t i) const {
    return std::atomic_ref<const double>(base_[i]).load(std::memory_order_relaxed);
  }
  void Touch(std::uint64_t base, int n) {
    if (touched_[base]) return;
    touched_[base] = static_cast<std::uint8_t>(n);
    blocks_.push_back(base);
    touched_entries_ += static_cast<std::uint64_t>(n);
  }

  const double* base_;
  std::vector<double> regret_delta_;
  std::vector<double> strategy_delta_;
  std::vector<std::uint8_t> touched_;  // at an infoset's first entry: its action count, or 0
  std::vector<std::uint64_t> blocks_;  // first entries of the touched infosets
  std::uint64_t touched_entries_ = 0;
};

inline std::uint64_t DeltaAccess::EmitAndClear(std::byte* out) {
  std::byte* p = out;
  // In table order, so that the single writer writes each cache line once,
  // in one go, while readers keep reading around it.
  std::sort(blocks_.begin(), blocks_.end());
  for (std::uint64_t base : blocks_) {
    const int n = touched_[base];
    const std::uint64_t header = base << 8 | static_cast<std::uint64_t>(n);
    std::memcpy(p, &header, sizeof(header));
    p += sizeof(header);
    for (int a = 0; a < n; ++a) {
      const DeltaPair pair{static_cast<float>(regret_delta_[base + a]), static_cast<float>(strategy_delta_[base + a])};
      std::memcpy(p, &pair, sizeof(pair));
      p += sizeof(pair);
      regret_delta_[base + a] = 0.0;
      strategy_delta_[base + a] = 0.0;
    }
    touched_[base] = 0;
  }
  blocks_.clear();
  touched_entries_ = 0;
  return static_cast<std::uint64_t>(p - out);
}

// The single writer's side: adds a batch's deltas (the wire format above)
// into the tables. Regret stores are relaxed atomics because workers read the
// same words concurrently. Returns false, having applied nothing past it, at
// the first malformed record (entry out of range, bad action count, or a
// record running past the end).
inline bool ApplyDeltas(std::span<const std::byte> bytes, TableView tables) {
  const std::byte* p = bytes.data();
  const std::byte* end = p + bytes.size();
  while (p < end) {
    __builtin_prefetch(p + 512);  // the slab was just written on another core
    if (end - p < static_cast<std::ptrdiff_t>(sizeof(std::uint64_t))) return false;
    std::uint64_t header;
    std::memcpy(&header, p, sizeof(header));
    p += sizeof(header);
    const std::uint64_t base = header >> 8;
    const int n = static_cast<int>(header & 0xff);
    if (n < 1 || n > 16 || base + n > tables.regrets.size() ||
        end - p < static_cast<std::ptrdiff_t>(n * sizeof(DeltaPair))) {
      return false;
    }
    for (int a = 0; a < n; ++a) {
      DeltaPair d;
      std::memcpy(&d, p, sizeof(d));
      p += sizeof(d);
      std::atomic_ref<double> r(tables.regrets[base + a]);
      r.store(r.load(std::memory_order_relaxed) + d.regret, std::memory_order_relaxed);
      tables.strategy_sum[base + a] += d.strategy;
    }
  }
  return true;
}

}  // namespace bp::solver
