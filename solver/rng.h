// Rng: the solver's explicit random number generator.
//
// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
// generators", 2018), seeded through SplitMix64 so that any 64-bit seed gives a
// well-mixed state. Satisfies std::uniform_random_bit_generator, so games can
// draw from it without depending on this header's type.
//
// Thread-safety: none; one Rng per traversal loop. The state is four words,
// trivially copyable. The trainer never saves it: every batch seeds its own
// from (run seed, batch id) (trainer/shared_state.h, BatchSeed).
#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace bp::solver {

__extension__ using Uint128 = unsigned __int128;

class Rng {
 public:
  using result_type = std::uint64_t;
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed = 0) { Seed(seed); }

  void Seed(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& word : state_) word = SplitMix64(x);
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
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
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t SplitMix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  State state_{};
};

}  // namespace bp::solver
