// Median of a sample (the upper one of an even count); 0 for none. Used by
// inspect and the benchmarks to summarise noisy per-second measurements.
#pragma once

#include <algorithm>
#include <vector>

namespace bp::trainer {

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace bp::trainer
