// Regret and strategy-sum tables.
//
// TableView is a non-owning view over the two dense arrays (regrets, strategy
// sums) laid out by TableLayout, the strategy sums possibly only a prefix of
// the regrets (TableLayout::street_end); the memory may be a vector (serial solving) or
// a shared-memory segment (the multi-process trainer). Tables owns the memory
// for the serial case; copying it is deleted (tables can be gigabytes).
// Thread-safety: none; the owner of the memory decides who writes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace bp::solver {

struct TableView {
  std::span<double> regrets;
  std::span<double> strategy_sum;
};

class Tables {
 public:
  // Strategy sums for the first `strategy_entries` entries only (a prefix:
  // the streets whose average strategy is kept); all of them by default.
  explicit Tables(std::uint64_t num_entries) : Tables(num_entries, num_entries) {}
  Tables(std::uint64_t num_entries, std::uint64_t strategy_entries)
      : regrets_(num_entries, 0.0), strategy_sum_(strategy_entries, 0.0) {}
  Tables(const Tables&) = delete;
  Tables& operator=(const Tables&) = delete;
  Tables(Tables&&) = default;
  Tables& operator=(Tables&&) = default;

  TableView View() { return {regrets_, strategy_sum_}; }
  std::span<const double> regrets() const { return regrets_; }
  std::span<const double> strategy_sum() const { return strategy_sum_; }

 private:
  std::vector<double> regrets_;
  std::vector<double> strategy_sum_;
};

}  // namespace bp::solver
