#include "solver/regret_matching.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "solver/rng.h"

using bp::solver::NormalizeStrategySum;
using bp::solver::RegretMatching;
using bp::solver::Rng;

namespace {
void CheckDistribution(const double* p, int n) {
  double sum = 0.0;
  for (int a = 0; a < n; ++a) {
    CHECK(p[a] >= 0.0);
    CHECK(p[a] <= 1.0);
    CHECK(std::isfinite(p[a]));
    sum += p[a];
  }
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
}
}  // namespace

TEST_CASE("regret matching yields a distribution for any regrets") {
  Rng rng(7);
  double regrets[16];
  double out[16];
  for (int trial = 0; trial < 20000; ++trial) {
    const int n = 1 + static_cast<int>(rng.UniformBelow(16));
    const int kind = static_cast<int>(rng.UniformBelow(4));
    for (int a = 0; a < n; ++a) {
      const double u = rng.UniformDouble() * 2.0 - 1.0;
      switch (kind) {
        case 0: regrets[a] = u; break;                                  // mixed signs
        case 1: regrets[a] = -std::abs(u) * 1e9; break;                 // all non-positive
        case 2: regrets[a] = u * 1e300; break;                          // huge magnitudes
        default: regrets[a] = rng.UniformBelow(3) == 0 ? 0.0 : u * 1e-300;  // zeros, tiny
      }
    }
    RegretMatching(regrets, n, out);
    CheckDistribution(out, n);
  }
}

TEST_CASE("regret matching is proportional to positive regrets, uniform when none") {
  const double regrets[4] = {3.0, -2.0, 1.0, 0.0};
  double out[4];
  RegretMatching(regrets, 4, out);
  CHECK(out[0] == doctest::Approx(0.75));
  CHECK(out[1] == 0.0);
  CHECK(out[2] == doctest::Approx(0.25));
  CHECK(out[3] == 0.0);

  const double negative[3] = {-1.0, -5.0, 0.0};
  RegretMatching(negative, 3, out);
  for (int a = 0; a < 3; ++a) CHECK(out[a] == doctest::Approx(1.0 / 3));
}

TEST_CASE("regret matching works on int32 regrets at the floor and ceiling") {
  const std::int32_t regrets[3] = {std::numeric_limits<std::int32_t>::max(), -310000000,
                                   std::numeric_limits<std::int32_t>::max()};
  double out[3];
  RegretMatching(regrets, 3, out);
  CheckDistribution(out, 3);
  CHECK(out[0] == doctest::Approx(0.5));
  CHECK(out[1] == 0.0);
}

TEST_CASE("strategy sums normalise; all-zero sums give the uniform strategy") {
  const double sums[3] = {1.0, 3.0, 0.0};
  double out[3];
  NormalizeStrategySum(sums, 3, out);
  CHECK(out[0] == doctest::Approx(0.25));
  CHECK(out[1] == doctest::Approx(0.75));
  CHECK(out[2] == 0.0);
  const double zeros[2] = {0.0, 0.0};
  NormalizeStrategySum(zeros, 2, out);
  CHECK(out[0] == doctest::Approx(0.5));
  CHECK(out[1] == doctest::Approx(0.5));
}

TEST_CASE("sampling from regrets draws what the regret-matching strategy draws, for fixed and runtime counts") {
  using bp::solver::SampleFromRegrets;
  using bp::solver::SampleIndex;
  Rng rng(11);
  int differ = 0;
  for (int trial = 0; trial < 200000; ++trial) {
    const int n = 2 + trial % 3;
    double regrets[4];
    for (int a = 0; a < n; ++a) {
      const double r = rng.UniformDouble();
      regrets[a] = r < 0.3 ? -r : r < 0.4 ? 0.0 : r;  // negatives and zeros too
    }
    if (trial % 17 == 0) {
      for (int a = 0; a < n; ++a) regrets[a] = -1.0;  // none positive: uniform
    }
    double sigma[4];
    RegretMatching(regrets, n, sigma);
    const double u = rng.UniformDouble();
    const int expected = SampleIndex(sigma, n, u);
    const int runtime = SampleFromRegrets(regrets, n, u);
    const int fixed = n == 2 ? SampleFromRegrets<2>(regrets, 0, u)
                      : n == 3 ? SampleFromRegrets<3>(regrets, 0, u)
                               : SampleFromRegrets<4>(regrets, 0, u);
    REQUIRE(runtime == fixed);
    REQUIRE(runtime >= 0);
    REQUIRE(runtime < n);
    CHECK(sigma[runtime] > 0.0);  // never an action of probability 0
    if (runtime != expected) ++differ;  // only when u lies within rounding of a boundary
  }
  CHECK(differ <= 2);
}

TEST_CASE("sampling from regrets: frequencies follow the positive regrets") {
  using bp::solver::SampleFromRegrets;
  Rng rng(3);
  const double regrets[3] = {1.0, -5.0, 3.0};
  int counts[3] = {0, 0, 0};
  const int draws = 400000;
  for (int i = 0; i < draws; ++i) ++counts[SampleFromRegrets<3>(regrets, 3, rng.UniformDouble())];
  CHECK(counts[1] == 0);
  CHECK(static_cast<double>(counts[0]) / draws == doctest::Approx(0.25).epsilon(0.02));
  CHECK(static_cast<double>(counts[2]) / draws == doctest::Approx(0.75).epsilon(0.01));
  const double none[2] = {-1.0, 0.0};
  int first = 0;
  for (int i = 0; i < draws; ++i) first += SampleFromRegrets(none, 2, rng.UniformDouble()) == 0;
  CHECK(static_cast<double>(first) / draws == doctest::Approx(0.5).epsilon(0.01));
  CHECK(SampleFromRegrets(none, 2, 0.9999999999999999) == 1);
}
