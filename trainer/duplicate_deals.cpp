#include "trainer/duplicate_deals.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

#include "abstraction/equity.h"

#include "trainer/task_pool.h"

namespace bp::trainer {

namespace {

struct Sums {
  std::array<double, 3> sum{}, squares{};  // seat 0, seat 1, both
};

MeanInterval Interval(double sum, double squares, double n, double per) {
  const double mean = sum / n;
  const double variance = n > 1 ? std::max(0.0, (squares - n * mean * mean) / (n - 1)) : 0.0;
  return {mean / per, 1.96 * std::sqrt(variance / n) / per};
}

}  // namespace

DealCards DrawDeal(solver::Rng& rng) {
  std::array<abstraction::Card, abstraction::kNumCards> deck;
  for (int c = 0; c < abstraction::kNumCards; ++c) deck[static_cast<std::size_t>(c)] = static_cast<abstraction::Card>(c);
  DealCards d;
  for (std::size_t i = 0; i < d.cards.size(); ++i) {
    const std::size_t j = i + rng.UniformBelow(static_cast<std::uint32_t>(abstraction::kNumCards - i));
    std::swap(deck[i], deck[j]);
    d.cards[i] = deck[i];
  }
  return d;
}

std::optional<double> AllInValue(const abstraction::HandEvaluator& evaluator,
                                 const abstraction::PreflopEquity* preflop_equity, const abstraction::NlheState& state,
                                 const DealCards& cards, int street, int seat) {
  using abstraction::Card;
  using abstraction::HandRank;
  // Computed for seat 0 and negated for seat 1 (heads-up payoffs sum to 0),
  // so the two seats' values are exact opposites. Payoffs are linear in the
  // outcome: a tie pays the mean of a win and a loss.
  const double sign = seat == 0 ? 1.0 : -1.0;
  seat = 0;
  std::array<HandRank, abstraction::kMaxPlayers> ranks{};
  ranks[0] = HandRank{1};
  const double win = state.Payoffs(ranks)[0];
  ranks[0] = HandRank{0};
  ranks[1] = HandRank{1};
  const double lose = state.Payoffs(ranks)[0];
  const int known = abstraction::kBoardCards[static_cast<std::size_t>(std::min(street, 3))];
  if (known == 0) {
    if (preflop_equity == nullptr) return std::nullopt;
    const double eq = preflop_equity->Equity(abstraction::HolePairIndex(cards.hole(seat)[0], cards.hole(seat)[1]),
                                             abstraction::HolePairIndex(cards.hole(1 - seat)[0], cards.hole(1 - seat)[1]));
    return sign * (eq * win + (1 - eq) * lose);
  }
  if (known >= 5) return std::nullopt;
  abstraction::CardMask used = 0;
  for (int i = 0; i < 4; ++i) used |= abstraction::MaskOf(cards.cards[static_cast<std::size_t>(i)]);
  for (int i = 0; i < known; ++i) used |= abstraction::MaskOf(cards.board()[i]);
  std::vector<Card> rest;
  for (int c = 0; c < abstraction::kNumCards; ++c) {
    if (!(used & abstraction::MaskOf(static_cast<Card>(c)))) rest.push_back(static_cast<Card>(c));
  }
  Card mine[7] = {cards.hole(seat)[0], cards.hole(seat)[1]}, theirs[7] = {cards.hole(1 - seat)[0], cards.hole(1 - seat)[1]};
  std::copy(cards.board(), cards.board() + known, mine + 2);
  std::copy(cards.board(), cards.board() + known, theirs + 2);
  double score = 0, count = 0;
  auto showdown = [&] {
    const auto a = evaluator.Strength7(mine), b = evaluator.Strength7(theirs);
    score += a > b ? 1.0 : a == b ? 0.5 : 0.0;
    count += 1;
  };
  for (std::size_t i = 0; i < rest.size(); ++i) {
    mine[2 + known] = theirs[2 + known] = rest[i];
    if (known == 4) {
      showdown();
      continue;
    }
    for (std::size_t j = i + 1; j < rest.size(); ++j) {
      mine[6] = theirs[6] = rest[j];
      showdown();
    }
  }
  const double eq = score / count;
  return sign * (eq * win + (1 - eq) * lose);
}

double HandResult(const abstraction::HandEvaluator& evaluator, const abstraction::PreflopEquity* preflop_equity,
                  const abstraction::NlheState& state, const DealCards& cards, int street, int seat) {
  if (!state.FoldedOut() && street < 3) {  // all-in with cards to come
    if (const auto value = AllInValue(evaluator, preflop_equity, state, cards, street, seat)) return *value;
  }
  std::array<abstraction::HandRank, abstraction::kMaxPlayers> ranks{};
  if (!state.FoldedOut()) {
    for (int s = 0; s < 2; ++s) {
      abstraction::Card seven[7] = {cards.hole(s)[0], cards.hole(s)[1]};
      std::copy(cards.board(), cards.board() + 5, seven + 2);
      ranks[static_cast<std::size_t>(s)] = evaluator.Evaluate7(seven);
    }
  }
  return state.Payoffs(ranks)[static_cast<std::size_t>(seat)];
}

DuplicateResult RunDuplicateDeals(std::uint64_t deals, std::uint64_t seed, int threads, const std::string& label,
                                  double scale, const std::function<std::unique_ptr<DuplicateHand>()>& make_hand) {
  const std::uint64_t chunks = (deals + kDealsPerChunk - 1) / kDealsPerChunk;
  std::vector<Sums> sums(chunks);
  const auto start = std::chrono::steady_clock::now();
  TaskPool pool(threads, stderr);
  pool.Run(
      chunks,
      [&](std::size_t chunk) {
        const std::unique_ptr<DuplicateHand> hand = make_hand();
        Sums& s = sums[chunk];
        const std::uint64_t first = chunk * kDealsPerChunk, last = std::min(deals, first + kDealsPerChunk);
        for (std::uint64_t d = first; d < last; ++d) {
          // One stream per deal: (seed, d) through SplitMix64 in Rng::Seed.
          solver::Rng rng(seed * 0x9e3779b97f4a7c15ULL + d);
          const DealCards cards = DrawDeal(rng);
          const double r0 = hand->Play(cards, 0, rng) * scale;
          const double r1 = hand->Play(cards, 1, rng) * scale;
          const std::array<double, 3> r = {r0, r1, r0 + r1};
          for (std::size_t k = 0; k < 3; ++k) {
            s.sum[k] += r[k];
            s.squares[k] += r[k] * r[k];
          }
        }
      },
      label);
  Sums total;
  for (const Sums& s : sums) {
    for (std::size_t k = 0; k < 3; ++k) {
      total.sum[k] += s.sum[k];
      total.squares[k] += s.squares[k];
    }
  }
  DuplicateResult r;
  r.deals = deals;
  r.hands = 2 * deals;
  r.threads = pool.threads();
  const auto n = static_cast<double>(deals);
  r.seat[0] = Interval(total.sum[0], total.squares[0], n, 1);
  r.seat[1] = Interval(total.sum[1], total.squares[1], n, 1);
  r.overall = Interval(total.sum[2], total.squares[2], n, 2);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace bp::trainer
