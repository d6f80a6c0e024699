// Regret matching (Hart & Mas-Colell 2000): the current strategy of an
// information set is proportional to the positive part of its cumulative
// regrets, uniform when none is positive. Works for floating-point and integer
// regrets. Pure functions; allocation-free; safe anywhere.
#pragma once

#include <algorithm>

#include "base/check.h"
#include "solver/game.h"

namespace bp::solver {

// Writes a probability distribution over `n` actions to `out`. kN > 0 says
// that n is kN (loops of a fixed length, unrolled).
// Requires: n >= 1; `regrets` and `out` hold n elements.
template <int kN = 0, class T>
inline void RegretMatching(const T* regrets, int n_runtime, double* out) {
  const int n = kN > 0 ? kN : n_runtime;
  BP_DCHECK_GE(n, 1);
  double positive_sum = 0.0;
  for (int a = 0; a < n; ++a) {
    const double r = std::max(static_cast<double>(regrets[a]), 0.0);
    out[a] = r;
    positive_sum += r;
  }
  if constexpr (kN > 0) {  // no branch: the division is issued either way
    const bool any = positive_sum > 0.0;
    const double inv = 1.0 / (any ? positive_sum : 1.0);
    for (int a = 0; a < n; ++a) out[a] = any ? out[a] * inv : 1.0 / kN;
    return;
  }
  if (positive_sum > 0.0) {
    const double inv = 1.0 / positive_sum;
    for (int a = 0; a < n; ++a) out[a] *= inv;
  } else {
    const double uniform = 1.0 / n;
    for (int a = 0; a < n; ++a) out[a] = uniform;
  }
}

// The action that `u`, uniform in [0, 1), draws from the regret-matching
// strategy of `regrets` (RegretMatching): the first whose cumulative
// positive regret exceeds u times their sum, or u * n when none is positive.
// Needs no division, so a branch on the result resolves early.
// Requires: 1 <= n <= kMaxActions.
template <int kN = 0, class T>
[[gnu::always_inline]] inline int SampleFromRegrets(const T* regrets, int n_runtime, double u) {
  const int n = kN > 0 ? kN : n_runtime;
  double positive[kN > 0 ? kN : kMaxActions];
  double sum = 0.0;
  for (int a = 0; a < n; ++a) {
    positive[a] = std::max(static_cast<double>(regrets[a]), 0.0);
    sum += positive[a];
  }
  if (!(sum > 0.0)) return std::min(static_cast<int>(u * n), n - 1);
  double target = u * sum;
  for (int a = 0; a < n - 1; ++a) {
    target -= positive[a];
    if (target < 0.0) return a;
  }
  return n - 1;
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
