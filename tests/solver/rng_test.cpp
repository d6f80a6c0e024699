#include "solver/rng.h"

#include <doctest/doctest.h>

#include <array>
#include <random>

using bp::solver::Rng;

static_assert(std::uniform_random_bit_generator<Rng>);

TEST_CASE("the same seed gives the same stream; different seeds differ") {
  Rng a(42), b(42), c(43);
  int same_as_c = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a();
    CHECK(x == b());
    same_as_c += x == c() ? 1 : 0;
  }
  CHECK(same_as_c == 0);
}

TEST_CASE("saved state restores the stream exactly") {
  Rng a(5);
  for (int i = 0; i < 10; ++i) a();
  const Rng::State saved = a.state();
  std::array<std::uint64_t, 8> expected{};
  for (auto& x : expected) x = a();
  Rng b(999);
  b.set_state(saved);
  for (auto x : expected) CHECK(b() == x);
}

TEST_CASE("UniformBelow and UniformDouble stay in range and look uniform") {
  Rng rng(1);
  std::array<int, 6> counts{};
  const int draws = 600000;
  for (int i = 0; i < draws; ++i) {
    const auto k = rng.UniformBelow(6);
    REQUIRE(k < 6);
    ++counts[k];
    const double u = rng.UniformDouble();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
  }
  // Each count is Binomial(600000, 1/6): sd ~ 289; 6 sd is a generous bound.
  for (int c : counts) CHECK(std::abs(c - draws / 6) < 6 * 289);
}
