// Rng: the solver's explicit random number generator.
//
// wyrand (Wang Yi's generator from wyhash, 2019): a Weyl sequence (one
// 64-bit word plus an odd constant per draw) mixed by one 64x64->128-bit
// multiply folded onto itself. Period 2^64; it passes BigCrush and
// PractRand by its author's tests, which is far more than Monte Carlo
// sampling needs here. It replaced xoshiro256** for speed: one word of
// state to load and store per draw instead of four, about 8% more
// iterations/s in solver_bench. Seeded through SplitMix64, so that any
// 64-bit seed gives a well-mixed start (every seed starts somewhere on the
// same 2^64 cycle; streams of a batch's length, some 10^7 draws, from
// distinct seeds overlap with negligible probability). Satisfies
// std::uniform_random_bit_generator, so games can draw from it without
// depending on this header's type.
//
// Thread-safety: none; one Rng per traversal loop. The state is one word,
// trivially copyable. The trainer never saves it: every batch seeds its own
// from (run seed, batch id) (trainer/shared_state.h, BatchSeed).
#pragma once

#include <cstdint>
#include <limits>

namespace bp::solver {

__extension__ using Uint128 = unsigned __int128;

class Rng {
 public:
  using result_type = std::uint64_t;
  using State = std::uint64_t;

  explicit Rng(std::uint64_t seed = 0) { Seed(seed); }

  void Seed(std::uint64_t seed) {
    std::uint64_t x = seed;
    state_ = SplitMix64(x);
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    state_ += 0xa0761d6478bd642fULL;
    const Uint128 product = static_cast<Uint128>(state_) * (state_ ^ 0xe7037ed1a0b428dbULL);
    return static_cast<std::uint64_t>(product >> 64) ^ static_cast<std::uint64_t>(product);
  }

  // Uniform in [0, n) by multiply-shift (bias below n / 2^64, irrelevant here).
  // Requires: n > 0.
  std::uint32_t UniformBelow(std::uint32_t n) {
    return static_cast<std::uint32_t>((static_cast<Uint128>((*this)()) * n) >> 64);
  }

  // Uniform double in [0, 1) with 53 random bits.
  double UniformDouble() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  const State& state() const { return state_; }
  void set_state(const State& s) { state_ = s; }

 private:
  static std::uint64_t SplitMix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  State state_ = 0;
};

}  // namespace bp::solver
