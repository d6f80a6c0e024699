// BettingAbstraction: which bets and raises the blueprint may make, per
// street and per raise depth, as fractions of the pot. Plain data; the
// trainer's config reads it from YAML (the `betting` section), BettingTree
// turns it into a tree for a table.
//
// Sizes. A size f at a decision where the player must call c chips into a pot
// of P chips (everything committed so far, this street's bets included) makes
// the player's bet this street f * (P + c) more than the current bet: a bet of
// f * P on an unopened street, a "pot-sized raise" for f = 1. Sizes below the
// minimum raise become the minimum raise, sizes at or above the player's stack
// become all-in; sizes that land on the same chip total count once. `allin`
// adds the all-in explicitly.
//
// Raise depth. Depth d lists the sizes for the (d+1)-th bet or raise of a
// street: depth 0 opens the street (preflop: the first raise over the big
// blind). Deeper raises use the last list. After max_raises bets and raises
// on a street only fold, check and call remain.
//
// Limp (preflop only). With limp false, a player facing only the big blind
// may fold or raise but not call (the big blind may still check); a player who
// cannot raise may always call.
#pragma once

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <vector>

#include "abstraction/street.h"

namespace bp::abstraction {

struct BetSize {
  double pot_fraction = 0;  // ignored when all_in
  bool all_in = false;
  friend bool operator==(const BetSize&, const BetSize&) = default;
};

struct StreetBetting {
  int max_raises = 3;                       // bets and raises per street; 0 = none
  std::vector<std::vector<BetSize>> sizes;  // per raise depth; the last repeats
  bool limp = true;                         // preflop only
  friend bool operator==(const StreetBetting&, const StreetBetting&) = default;

  // The sizes for raise depth `depth` (the last list for deeper raises);
  // empty if none are configured.
  std::span<const BetSize> SizesAt(int depth) const {
    if (sizes.empty()) return {};
    return sizes[std::min(static_cast<std::size_t>(depth), sizes.size() - 1)];
  }
};

struct BettingAbstraction {
  std::array<StreetBetting, kNumStreets> streets;  // preflop, flop, turn, river
  friend bool operator==(const BettingAbstraction&, const BettingAbstraction&) = default;
};

// Sizes per depth as text: depths separated by '|', sizes by ',', e.g.
// "0.5, 1, allin | 1, allin". Parse throws std::invalid_argument naming the
// offending size; fractions must be in (0, 100]; a depth may not be empty.
std::vector<std::vector<BetSize>> ParseSizes(const std::string& text);
std::string FormatSizes(const std::vector<std::vector<BetSize>>& sizes);

}  // namespace bp::abstraction
