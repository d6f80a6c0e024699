// Off-tree bet translation: maps a bet the abstraction does not have to the
// abstract bets around it, randomised by the pseudo-harmonic mapping of
// Ganzfried and Sandholm, "Action translation in extensive-form games with
// large action spaces" (IJCAI 2013).
//
// Bets are measured as fractions of the pot after calling (the convention of
// BetSize). For an observed bet x between abstract bets A < x < B, the
// mapping picks A with probability
//     f(x) = (B - x)(1 + A) / ((B - A)(1 + x))
// and B otherwise; f(A) = 1, f(B) = 0, and f decreases in between. Below the
// smallest abstract size the lower neighbour is a check or call (fraction 0);
// at or above the largest, the largest. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "abstraction/betting_tree.h"

namespace bp::abstraction {

// f(x) above. Requires 0 <= a < b and a <= x <= b.
double PseudoHarmonicLowerProbability(double a, double b, double x);

struct Translation {
  int lower = 0;               // index into the sizes (or the actions, below)
  int upper = 0;               // equals lower when x needs no randomising
  double lower_probability = 1;
};

// sizes: ascending pot fractions, at least one. x: the observed fraction.
Translation TranslateFraction(std::span<const double> sizes, double x);

// At decision node `node` of `tree` reached with `state`: the child actions
// that an observed raise to `raise_to` chips (a legal raise in `state`)
// translates to. lower/upper are action indices of the node: the check or
// call action (if the node has one) and its raises. Throws
// std::invalid_argument if the node has neither a raise nor a check or call.
Translation TranslateRaise(const BettingTree& tree, std::uint32_t node, const NlheState& state,
                           std::int32_t raise_to);

// The fraction of the pot after calling that a raise to `raise_to` chips
// adds over the current bet in `state`.
double RaiseFraction(const NlheState& state, std::int32_t raise_to);

}  // namespace bp::abstraction
