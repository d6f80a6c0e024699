// How a traversal reads and writes the regret and strategy-sum tables.
//
// DirectAccess: in place, on tables this thread owns (the serial solver).
//
// DeltaAccess: the tables belong to someone else (the coordinator, in shared
// memory) and may change underneath; the traversal reads them with relaxed
// atomic loads and writes nothing there. Its own updates go to a private
// sparse map of the infosets this batch touched, overlaid on every read, so
// that a batch sees its own regret updates exactly as the serial solver
// would; the deltas are emitted and cleared in time proportional to what the
// batch touched. Applying a batch's deltas (base += delta, entry by
// entry) gives the same bits whoever applies them: a one-worker run is
// reproducible bit for bit against a serial run with the same batches.
//
// Thread-safety: an access object belongs to one traversal loop.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <stdexcept>
#include <vector>

#include "base/check.h"
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

  // kN > 0 says that n is kN (loops of a fixed length), in every method.
  template <int kN = 0>
  [[gnu::always_inline]] void Regrets(std::uint64_t base, int n, double* out) const {
    if constexpr (kN > 0) n = kN;
    for (int a = 0; a < n; ++a) out[a] = RegretCodec<R>::Decode(regrets_[base + a]);
  }
  template <int kN = 0>
  [[gnu::always_inline]] void AddRegrets(std::uint64_t base, int n, const double* delta) {
    if constexpr (kN > 0) n = kN;
    for (int a = 0; a < n; ++a) regrets_[base + a] = RegretCodec<R>::Add(regrets_[base + a], delta[a], floor_);
  }
  // Requires: base + n <= the strategy-sum table's size.
  template <int kN = 0>
  [[gnu::always_inline]] void AddStrategy(std::uint64_t base, int n, const double* sigma) {
    if constexpr (kN > 0) n = kN;
    for (int a = 0; a < n; ++a) sums_[base + a] += sigma[a];
  }
  // Asks for the regret row at `base` ahead of its use (a hint; optional for an Access).
  void Prefetch(std::uint64_t base) const { __builtin_prefetch(regrets_ + base); }

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
      : base_(base_regrets), strategy_entries_(strategy_entries) {
    if (num_entries <= kDirectEntries) {
      touched_.assign(num_entries, 0);
      values_.assign(2 * num_entries, 0.0);
    } else {
      Rehash(kInitialSlots);
    }
  }
  BasicDeltaAccess(const R* base_regrets, std::uint64_t num_entries)
      : BasicDeltaAccess(base_regrets, num_entries, num_entries) {}

  // kN > 0 says that n is kN (loops of a fixed length), in every method.
  template <int kN = 0>
  void Regrets(std::uint64_t base, int n, double* out) const {
    if constexpr (kN > 0) n = kN;
    const std::uint32_t at = Find(base);
    if (at == kAbsent) {
      for (int a = 0; a < n; ++a) out[a] = LoadBase(base + a);
      return;
    }
    const double* d = values_.data() + at;
    for (int a = 0; a < n; ++a) out[a] = LoadBase(base + a) + d[a];
  }
  template <int kN = 0>
  void AddRegrets(std::uint64_t base, int n, const double* delta) {
    if constexpr (kN > 0) n = kN;
    const std::uint32_t at = Touch(base, n);  // may grow values_
    double* d = values_.data() + at;
    for (int a = 0; a < n; ++a) d[a] += delta[a];
  }
  // Requires: base + n <= strategy_entries.
  template <int kN = 0>
  void AddStrategy(std::uint64_t base, int n, const double* sigma) {
    if constexpr (kN > 0) n = kN;
    BP_DCHECK_LE(base + static_cast<std::uint64_t>(n), strategy_entries_);
    const std::uint32_t at = Touch(base, n);  // may grow values_
    double* d = values_.data() + at + n;
    for (int a = 0; a < n; ++a) d[a] += sigma[a];
  }

  // Asks for the shared regret row at `base` and its slot in the map ahead
  // of their use (a hint).
  void Prefetch(std::uint64_t base) const {
    __builtin_prefetch(base_ + base);
    if (touched_.empty()) __builtin_prefetch(&slots_[SlotOf(base)]);
  }

  // Bytes EmitAndClear will write.
  std::uint64_t EmitBytes() const {
    return blocks_.size() * sizeof(std::uint64_t) + touched_entries_ * sizeof(DeltaPair);
  }
  // Writes the touched infosets' deltas to `out` (EmitBytes() bytes, 8-byte
  // aligned) in table order, clears them, and returns the bytes written.
  std::uint64_t EmitAndClear(std::byte* out);
  // An upper bound on HeldBytes for batches whose emitted deltas take at
  // most `batch_bytes` (solver/delta_bound.h). Small tables: 17 bytes per
  // entry (a flag and two deltas) and a 16-byte list item per infoset at
  // most one per entry, doubled for the list's growth. Large tables: a
  // record is at least 16 bytes, and each of its entries costs 16 bytes of
  // values and its infoset 48 bytes of map and list, doubled for growth.
  static std::uint64_t MaxHeldBytes(std::uint64_t num_entries, std::uint64_t batch_bytes) {
    if (num_entries <= kDirectEntries) return num_entries * 17 + 2 * sizeof(Block) * num_entries;
    return 2 * (batch_bytes / 8 * 16 + batch_bytes / 16 * 48) + kInitialSlots * sizeof(Slot);
  }
  // Private memory now held (it grows to what the largest batch touched).
  std::uint64_t HeldBytes() const {
    return touched_.capacity() + slots_.capacity() * sizeof(Slot) +
           values_.capacity() * sizeof(double) + blocks_.capacity() * sizeof(Block);
  }

 private:
  // A map from an infoset's first entry to its 2n deltas in values_ (n
  // regret deltas, then n strategy-sum deltas): an open-addressing hash map
  // (linear probing, at most half full) whose size follows what a batch
  // touches, not the table, so that a worker's private memory stays small
  // and cache-resident whatever the abstraction's size; or, for tables of
  // at most kDirectEntries entries (Kuhn, Leduc, small abstractions), no map:
  // the deltas of first entry e live at 2e, zero until touched, which is
  // faster there (bench/delta_bench).
  struct Slot {
    std::uint64_t base;
    std::uint32_t at;
  };
  struct Block {
    std::uint64_t base;
    std::uint32_t at;
    std::uint32_t n;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static constexpr std::uint32_t kAbsent = ~std::uint32_t{0};
  static constexpr std::uint64_t kInitialSlots = 1024;
  static constexpr std::uint64_t kDirectEntries = std::uint64_t{1} << 18;  // 4 MiB of deltas

  std::uint64_t SlotOf(std::uint64_t base) const { return (base * 0x9E3779B97F4A7C15ULL) >> shift_; }
  std::uint32_t Find(std::uint64_t base) const {
    if (!touched_.empty()) return static_cast<std::uint32_t>(2 * base);
    for (std::uint64_t i = SlotOf(base);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.base == base) return s.at;
      if (s.base == kEmpty) return kAbsent;
    }
  }
  // The offset of base's deltas in values_, added (zeroed) on first touch.
  std::uint32_t Touch(std::uint64_t base, int n) {
    if (!touched_.empty()) {
      const auto at = static_cast<std::uint32_t>(2 * base);
      if (!touched_[base]) {
        touched_[base] = static_cast<std::uint8_t>(n);
        blocks_.push_back({base, at, static_cast<std::uint32_t>(n)});
        touched_entries_ += static_cast<std::uint64_t>(n);
      }
      return at;
    }
    return TouchHashed(base, n);
  }
  [[gnu::noinline]] std::uint32_t TouchHashed(std::uint64_t base, int n) {
    std::uint64_t i = SlotOf(base);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].base == base) return slots_[i].at;
      if (slots_[i].base == kEmpty) break;
    }
    if (values_.size() + 2 * static_cast<std::uint64_t>(n) >= kAbsent) {
      throw std::length_error("DeltaAccess: a batch touched more than 2^32 deltas; use smaller batches");
    }
    const auto at = static_cast<std::uint32_t>(values_.size());
    values_.resize(values_.size() + 2 * static_cast<std::size_t>(n), 0.0);
    blocks_.push_back({base, at, static_cast<std::uint32_t>(n)});
    touched_entries_ += static_cast<std::uint64_t>(n);
    slots_[i] = {base, at};
    if (2 * blocks_.size() > slots_.size()) Rehash(2 * slots_.size());
    return at;
  }
  void Rehash(std::uint64_t size) {  // size: a power of two
    slots_.assign(size, Slot{kEmpty, 0});
    mask_ = size - 1;
    shift_ = 64 - static_cast<int>(std::countr_zero(size));
    for (const Block& b : blocks_) {
      std::uint64_t i = SlotOf(b.base);
      while (slots_[i].base != kEmpty) i = (i + 1) & mask_;
      slots_[i] = {b.base, b.at};
    }
  }
  double LoadBase(std::uint64_t i) const {
    return RegretCodec<R>::Decode(std::atomic_ref<const R>(base_[i]).load(std::memory_order_relaxed));
  }

  const R* base_;
  std::uint64_t strategy_entries_;
  std::vector<std::uint8_t> touched_;  // small tables: per first entry, its action count once touched
  std::vector<Slot> slots_;            // large tables: the hash map
  std::uint64_t mask_ = 0;
  int shift_ = 64;
  std::vector<double> values_;
  std::vector<Block> blocks_;  // the touched infosets, in touch order
  std::uint64_t touched_entries_ = 0;
};

using DeltaAccess = BasicDeltaAccess<double>;

template <class R>
std::uint64_t BasicDeltaAccess<R>::EmitAndClear(std::byte* out) {
  std::byte* p = out;
  // In table order, so that the single writer writes each cache line once,
  // in one go, while readers keep reading around it. A small table whose
  // batch touched at least one infoset in 64 entries is scanned in order
  // (Leduc: a 2 KiB scan instead of sorting ~900 infosets); otherwise the
  // touched list is sorted.
  if (!touched_.empty() && touched_.size() <= 64 * blocks_.size()) {
    blocks_.clear();
    const std::uint8_t* flags = touched_.data();
    const std::uint64_t size = touched_.size();
    std::uint64_t e = 0;
    for (; e + 8 <= size; e += 8) {
      std::uint64_t word;
      std::memcpy(&word, flags + e, sizeof(word));
      while (word != 0) {  // one touched infoset per nonzero byte
        const int byte = std::countr_zero(word) / 8;
        const std::uint64_t base = e + static_cast<std::uint64_t>(byte);
        blocks_.push_back({base, static_cast<std::uint32_t>(2 * base), flags[base]});
        word &= ~(std::uint64_t{0xff} << (8 * byte));
      }
    }
    for (; e < size; ++e) {
      if (flags[e]) blocks_.push_back({e, static_cast<std::uint32_t>(2 * e), flags[e]});
    }
  } else {
    std::sort(blocks_.begin(), blocks_.end(), [](const Block& a, const Block& b) { return a.base < b.base; });
  }
  for (const Block& b : blocks_) {
    const std::uint64_t header = b.base << 8 | b.n;
    std::memcpy(p, &header, sizeof(header));
    p += sizeof(header);
    const double* d = values_.data() + b.at;
    for (std::uint32_t a = 0; a < b.n; ++a) {
      const bool has_strategy = b.base + a < strategy_entries_;
      const DeltaPair pair{static_cast<float>(d[a]), has_strategy ? static_cast<float>(d[b.n + a]) : 0.0f};
      std::memcpy(p, &pair, sizeof(pair));
      p += sizeof(pair);
    }
    if (!touched_.empty()) {
      touched_[b.base] = 0;
      std::fill_n(values_.data() + b.at, 2 * b.n, 0.0);
    } else {
      std::uint64_t i = SlotOf(b.base);
      while (slots_[i].base != b.base) i = (i + 1) & mask_;
      slots_[i].base = kEmpty;  // every key goes, so no tombstones are needed
    }
  }
  blocks_.clear();
  if (touched_.empty()) values_.clear();
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
  // Workers hold the regrets' lines shared and wrote the slab on their own
  // cores: a cursor kLead records ahead asks for the destination lines
  // writable (and the slab's) early, so that the misses overlap
  // (bench/apply_bench).
  constexpr int kLead = 64;
  const std::byte* ahead = p;
  const auto look_ahead = [&] {
    if (end - ahead < static_cast<std::ptrdiff_t>(sizeof(std::uint64_t))) {
      ahead = end;
      return;
    }
    std::uint64_t h;
    std::memcpy(&h, ahead, sizeof(h));
    const std::uint64_t b = h >> 8;
    const auto k = static_cast<std::ptrdiff_t>(h & 0xff);
    if (b < tables.regrets.size()) __builtin_prefetch(&tables.regrets[b], 1);
    if (b < tables.strategy_sum.size()) __builtin_prefetch(&tables.strategy_sum[b], 1);
    const std::ptrdiff_t record = static_cast<std::ptrdiff_t>(sizeof(h)) + k * static_cast<std::ptrdiff_t>(sizeof(DeltaPair));
    ahead = k == 0 || end - ahead < record ? end : ahead + record;
    __builtin_prefetch(ahead + 256);
  };
  for (int i = 0; i < kLead; ++i) look_ahead();
  while (p < end) {
    look_ahead();
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
