// Heads-up matches between two strategies in their own betting trees (two
// blueprints, say): duplicate deals (trainer/duplicate_deals.h), each side
// following the real hand in its own tree (trainer/tree_strategy.h), so the
// trees may differ, as may the card abstractions; the tables (stacks,
// blinds) must be the same. Each side samples its action at (its node, its
// bucket) and maps it to a real action; the other maps that real action
// into its own tree (a randomised translation where it falls between two of
// its actions). Both seatings of a deal draw the same random numbers in the
// same order, so a strategy against itself scores exactly 0. Hands that end
// in an all-in with cards to come are all-in adjusted (AllInValue,
// trainer/duplicate_deals.h; preflop only with `preflop_equity`).
#pragma once

#include <cstdint>
#include <string>

#include "abstraction/hand_evaluator.h"
#include "trainer/duplicate_deals.h"
#include "trainer/tree_strategy.h"

namespace bp::trainer {

// A's winnings against B in mbb per hand. ConfigError if the tables differ
// or either is not heads-up.
DuplicateResult PlayMatch(const TreeStrategy& a, const TreeStrategy& b, const abstraction::HandEvaluator& evaluator,
                          std::uint64_t deals, std::uint64_t seed, int threads, const std::string& progress_label = "",
                          const abstraction::PreflopEquity* preflop_equity = nullptr);

}  // namespace bp::trainer
