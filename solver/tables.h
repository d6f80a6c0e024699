// Regret and strategy-sum tables, and how a regret is stored.
//
// A regret table holds `double`s, or `std::int32_t`s in fixed point as in
// Pluribus (Brown & Sandholm, Science 2019), which halves the largest table
// of a big abstraction. RegretCodec<R> converts between the stored value and
// the solver's utility units:
//   double        stored as is;
//   std::int32_t  kUnitsPerUtility (100) units per utility unit: for NLHE,
//                 whose utilities are in big blinds, one unit is a chip at
//                 blinds 50/100, Pluribus' unit. An update adds the delta
//                 rounded to the nearest unit and saturates at the int32
//                 range (about +-21 million big blinds).
// The game chooses (RegretOf<G>: G::Regret when a game declares it, double
// otherwise); strategy sums are always double.
//
// BasicTableView is a non-owning view over the two dense arrays (regrets,
// strategy sums) laid out by TableLayout, the strategy sums possibly only a
// prefix of the regrets (TableLayout::street_end); the memory may be a vector
// (serial solving) or a shared-memory segment (the multi-process trainer).
// BasicTables owns the memory for the serial case; copying it is deleted
// (tables can be gigabytes).
// Thread-safety: none; the owner of the memory decides who writes.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace bp::solver {

template <class R>
struct RegretCodec;

template <>
struct RegretCodec<double> {
  static constexpr const char* kName = "double";
  static double Decode(double stored) { return stored; }
  // A floor in utility units (-infinity: none) as a stored value.
  static double Floor(double floor) { return floor; }
  // stored + delta (utility units), raised to `floor` (from Floor).
  static double Add(double stored, double delta, double floor) { return std::max(stored + delta, floor); }
  // The stored value times `factor` (discounting).
  static double Scale(double stored, double factor) { return stored * factor; }
};

template <>
struct RegretCodec<std::int32_t> {
  static constexpr const char* kName = "int32";
  static constexpr double kUnitsPerUtility = 100.0;
  static double Decode(std::int32_t stored) { return static_cast<double>(stored) * (1.0 / kUnitsPerUtility); }
  static std::int32_t Floor(double floor) { return Saturate(std::ceil(floor * kUnitsPerUtility)); }
  static std::int32_t Add(std::int32_t stored, double delta, std::int32_t floor) {
    const double v = static_cast<double>(stored) + std::nearbyint(delta * kUnitsPerUtility);
    return Saturate(std::max(v, static_cast<double>(floor)));
  }
  static std::int32_t Scale(std::int32_t stored, double factor) {
    return Saturate(std::nearbyint(static_cast<double>(stored) * factor));
  }

 private:
  static std::int32_t Saturate(double v) {
    if (std::isnan(v)) return 0;  // never from finite deltas; not undefined behaviour either
    return static_cast<std::int32_t>(std::clamp(v, static_cast<double>(std::numeric_limits<std::int32_t>::min()),
                                                static_cast<double>(std::numeric_limits<std::int32_t>::max())));
  }
};

// The regret type a game asks for.
template <class G>
struct RegretTypeOf {
  using type = double;
};
template <class G>
  requires requires { typename G::Regret; }
struct RegretTypeOf<G> {
  using type = typename G::Regret;
};
template <class G>
using RegretOf = typename RegretTypeOf<G>::type;

template <class R>
struct BasicTableView {
  std::span<R> regrets;
  std::span<double> strategy_sum;
};
using TableView = BasicTableView<double>;

template <class R>
class BasicTables {
 public:
  // Strategy sums for the first `strategy_entries` entries only (a prefix:
  // the streets whose average strategy is kept); all of them by default.
  explicit BasicTables(std::uint64_t num_entries) : BasicTables(num_entries, num_entries) {}
  BasicTables(std::uint64_t num_entries, std::uint64_t strategy_entries)
      : regrets_(num_entries, R{}), strategy_sum_(strategy_entries, 0.0) {}
  BasicTables(const BasicTables&) = delete;
  BasicTables& operator=(const BasicTables&) = delete;
  BasicTables(BasicTables&&) = default;
  BasicTables& operator=(BasicTables&&) = default;

  BasicTableView<R> View() { return {regrets_, strategy_sum_}; }
  std::span<const R> regrets() const { return regrets_; }
  std::span<const double> strategy_sum() const { return strategy_sum_; }

 private:
  std::vector<R> regrets_;
  std::vector<double> strategy_sum_;
};
using Tables = BasicTables<double>;

}  // namespace bp::solver
