// Duplicate deals on many threads, for the evaluations of heads-up
// strategies (local best response, blueprint matches).
//
// Deal d draws its nine cards (seat 0's hole cards, seat 1's, the five board
// cards) from an Rng seeded by (seed, d) alone, and is played twice, with
// the evaluated side in seat 0 and then in seat 1, the cards staying with the
// seats. A deal's two results and their sum are summed per chunk of
// kDealsPerChunk deals; the chunks are added in order, so the result depends
// on the seed and the number of deals only, never on the thread count.
// Statistics: per seat and per hand (a deal's sum over 2), each a mean with
// the half-width of its 95% interval (1.96 standard errors of the mean, from
// the sample variance). Thread-safe: each chunk has its own state.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "abstraction/card.h"
#include "abstraction/hand_evaluator.h"
#include "abstraction/nlhe_state.h"
#include "abstraction/preflop_equity.h"
#include "solver/rng.h"

namespace bp::trainer {

inline constexpr std::uint64_t kDealsPerChunk = 16;

struct MeanInterval {
  double mean = 0;
  double ci95 = 0;  // half-width
};

struct DuplicateResult {
  std::uint64_t deals = 0;
  std::uint64_t hands = 0;           // 2 x deals
  std::array<MeanInterval, 2> seat;  // the evaluated side in seat 0, in seat 1; per hand
  MeanInterval overall;              // per hand, both seats
  double seconds = 0;
  int threads = 1;
};

// The nine cards of deal `d` and the Rng that goes on to play it.
struct DealCards {
  std::array<abstraction::Card, 9> cards;  // seat 0 hole, seat 1 hole, board
  const abstraction::Card* hole(int seat) const { return cards.data() + 2 * seat; }
  const abstraction::Card* board() const { return cards.data() + 4; }
};
DealCards DrawDeal(solver::Rng& rng);

// The showdown of a heads-up hand that ended in an all-in on `street` with
// board cards still to come (all-in adjusted): `seat`'s expected payoff in
// chips over every way the rest of the board can fall (exact: 44 rivers
// after the turn, 990 turns and rivers after the flop; after the preflop the
// exact preflop equity table, or nullopt without one, when the dealt board
// decides). Requires: `state` terminal, not folded out, heads-up.
std::optional<double> AllInValue(const abstraction::HandEvaluator& evaluator,
                                 const abstraction::PreflopEquity* preflop_equity, const abstraction::NlheState& state,
                                 const DealCards& cards, int street, int seat);

// `seat`'s payoff in chips at the end of a heads-up hand whose betting ended
// on `street`: all-in adjusted (AllInValue) where it can be, else settled
// with the dealt board. Requires: `state` terminal, heads-up.
double HandResult(const abstraction::HandEvaluator& evaluator, const abstraction::PreflopEquity* preflop_equity,
                  const abstraction::NlheState& state, const DealCards& cards, int street, int seat);

// Per-thread work: play deal `cards` with the evaluated side in `seat`;
// returns its result (any unit; the caller scales). One Hand object per
// chunk, made by the factory.
class DuplicateHand {
 public:
  virtual ~DuplicateHand() = default;
  virtual double Play(const DealCards& cards, int seat, solver::Rng& rng) = 0;
};

// Plays `deals` deals on `threads` threads (>= 1). With a non-empty
// `label`, progress and an ETA go to stderr (trainer/task_pool.h). Results
// are multiplied by `scale` (e.g. chips -> mbb).
DuplicateResult RunDuplicateDeals(std::uint64_t deals, std::uint64_t seed, int threads, const std::string& label,
                                  double scale, const std::function<std::unique_ptr<DuplicateHand>()>& make_hand);

}  // namespace bp::trainer
