// Street: the betting rounds of hold'em, one vocabulary for every part of
// the program (the hand state, the betting tree, bucket files, configs,
// charts and messages). kShowdown is where a hand ends when it reaches the
// end of the river; it is not a betting round.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace bp::abstraction {

enum class Street : std::uint8_t { kPreflop = 0, kFlop, kTurn, kRiver, kShowdown };

// The betting rounds: preflop, flop, turn, river.
inline constexpr std::size_t kNumStreets = 4;

// "preflop", "flop", "turn", "river" ("showdown" for kShowdown).
constexpr const char* StreetName(Street street) {
  constexpr const char* kNames[] = {"preflop", "flop", "turn", "river", "showdown"};
  return kNames[static_cast<std::size_t>(street)];
}
// The same for a street number (0 = preflop).
constexpr const char* StreetName(int street) { return StreetName(static_cast<Street>(street)); }

// Board cards seen on each street: 0, 3, 4, 5.
inline constexpr std::array<int, kNumStreets> kBoardCards = {0, 3, 4, 5};

}  // namespace bp::abstraction
