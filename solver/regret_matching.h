// Regret matching (Hart & Mas-Colell 2000): the current strategy of an
// information set is proportional to the positive part of its cumulative
// regrets, uniform when none is positive. Works for floating-point and integer
// regrets. Pure functions; allocation-free; safe anywhere.
#pragma once

#include <algorithm>

#include "base/check.h"

namespace bp::solver {

// Writes a probability distribution over `n` actions to `out`.
// Requires: n >= 1; `regrets` and `out` hold n elements.
template <class T>
inline void RegretMatching(const T* regrets, int n, double* out) {
  BP_DCHECK_GE(n, 1);
  double positive_sum = 0.0;
  for (int a = 0; a < n; ++a) {
    const double r = std::max(static_cast<double>(regrets[a]), 0.0);
    out[a] = r;
    positive_sum += r;
  }
  if (positive_sum > 0.0) {
    const double inv = 1.0 / positive_sum;
    for (int a = 0; a < n; ++a) out[a] *= inv;
  } else {
    const double uniform = 1.0 / n;
    for (int a = 0; a < n; ++a) out[a] = uniform;
  }
}

// Normalises a non-negative strategy sum into `out`; uniform when it is all zero.
// Requires: n >= 1.
template <class T>
inline void NormalizeStrategySum(const T* sums, int n, double* out) {
  double total = 0.0;
  for (int a = 0; a < n; ++a) total += static_cast<double>(sums[a]);
  for (int a = 0; a < n; ++a) {
    out[a] = total > 0.0 ? static_cast<double>(sums[a]) / total : 1.0 / n;
  }
}

// The action that `u`, uniform in [0, 1), draws from the distribution `p`
// over n actions (the last one takes any rounding slack).
// Requires: n >= 1.
template <class T>
inline int SampleIndex(const T* p, int n, double u) {
  for (int a = 0; a < n - 1; ++a) {
    u -= static_cast<double>(p[a]);
    if (u < 0.0) return a;
  }
  return n - 1;
}

}  // namespace bp::solver
