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
#include <limits>
#include <span>
#include <vector>

#include "solver/regret_matching.h"
#include "solver/tables.h"

namespace bp::solver {

// Regrets below the floor are raised to it when an update is applied
// (Pluribus: -310,000,000 chips), so that an action that was bad for long can
// come back within a bounded number of iterations.
inline constexpr double kNoRegretFloor = -std::numeric_limits<double>::infinity();

template <class R>
class BasicDirectAccess {
 public:
  explicit BasicDirectAccess(BasicTableView<R> tables, double regret_floor = kNoRegretFloor)
      : regrets_(tables.regrets.data()), sums_(tables.strategy_sum.data()), floor_(RegretCodec<R>::Floor(regret_floor)) {}

  void Regrets(std::uint64_t base, int n, double* out) const {
    for (int a = 0; a < n; ++a) out[a] = RegretCodec<R>::Decode(regrets_[base + a]);
  }
  void AddRegrets(std::uint64_t base, int n, const double* delta) {
    for (int a = 0; a < n; ++a) regrets_[base + a] = RegretCodec<R>::Add(regrets_[base + a], delta[a], floor_);
  }
  // Requires: base + n <= the strategy-sum table's size.
  void AddStrategy(std::uint64_t base, int n, const double* sigma) {
    for (int a = 0; a < n; ++a) sums_[base + a] += sigma[a];
  }

 private:
  R* regrets_;
  double* sums_;
  R floor_;
};
using DirectAccess = BasicDirectAccess<double>;

// Wire format of a batch's deltas (what a worker writes into a slab), one
// record per touched infoset:
//   u64   header: first table entry << 8 | number of actions n (1..16)
//   n x { f32 regret delta, f32 strategy-sum delta }
// Deltas travel as float, in utility units (a batch's sums are small
// numbers), whatever the regret table's type. About 11 bytes per entry for Leduc, against 24 for (u64, f64, f64).
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

template <class R>
class BasicDeltaAccess {
 public:
  // `base_regrets` (num_entries elements) is read with relaxed atomic loads;
  // strategy sums are kept for the first `strategy_entries` entries.
  BasicDeltaAccess(const R* base_regrets, std::uint64_t num_entries, std::uint64_t strategy_entries)
      : base_(base_regrets), regret_delta_(num_entries, 0.0), strategy_delta_(strategy_entries, 0.0),
        touched_(num_entries, 0) {}
  BasicDeltaAccess(const R* base_regrets, std::uint64_t num_entries)
      : BasicDeltaAccess(base_regrets, num_entries, num_entries) {}

  void Regrets(std::uint64_t base, int n, double* out) const {
    for (int a = 0; a < n; ++a) out[a] = LoadBase(base + a) + regret_delta_[base + a];
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
    return RegretCodec<R>::Decode(std::atomic_ref<const R>(base_[i]).load(std::memory_order_relaxed));
  }
  void Touch(std::uint64_t base, int n) {
    if (touched_[base]) return;
    touched_[base] = static_cast<std::uint8_t>(n);
    blocks_.push_back(base);
    touched_entries_ += static_cast<std::uint64_t>(n);
  }

  const R* base_;
  std::vector<double> regret_delta_;
  std::vector<double> strategy_delta_;
  std::vector<std::uint8_t> touched_;  // at an infoset's first entry: its action count, or 0
  std::vector<std::uint64_t> blocks_;  // first entries of the touched infosets
  std::uint64_t touched_entries_ = 0;
};

using DeltaAccess = BasicDeltaAccess<double>;

template <class R>
std::uint64_t BasicDeltaAccess<R>::EmitAndClear(std::byte* out) {
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
      const std::uint64_t e = base + static_cast<std::uint64_t>(a);
      const bool has_strategy = e < strategy_delta_.size();
      const DeltaPair pair{static_cast<float>(regret_delta_[e]),
                           has_strategy ? static_cast<float>(strategy_delta_[e]) : 0.0f};
      std::memcpy(p, &pair, sizeof(pair));
      p += sizeof(pair);
      regret_delta_[e] = 0.0;
      if (has_strategy) strategy_delta_[e] = 0.0;
    }
    touched_[base] = 0;
  }
  blocks_.clear();
  touched_entries_ = 0;
  return static_cast<std::uint64_t>(p - out);
}

// The single writer's side: adds a batch's deltas (the wire format above)
// into the tables (RegretCodec<R>::Add: int32 regrets round the batch's sum
// once), raising regrets below `regret_floor` to it. Regret stores
// are relaxed atomics because workers read the same words concurrently.
// Returns false, having applied nothing past it, at the first malformed
// record (entry out of range, bad action count, a strategy delta past the
// strategy-sum table, or a record running past the end).
template <class R>
bool ApplyDeltas(std::span<const std::byte> bytes, BasicTableView<R> tables, double regret_floor = kNoRegretFloor) {
  const R floor = RegretCodec<R>::Floor(regret_floor);
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
      std::atomic_ref<R> r(tables.regrets[base + a]);
      r.store(RegretCodec<R>::Add(r.load(std::memory_order_relaxed), d.regret, floor), std::memory_order_relaxed);
      if (base + a < tables.strategy_sum.size()) {
        tables.strategy_sum[base + a] += d.strategy;
      } else if (d.strategy != 0.0f) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace bp::solver
