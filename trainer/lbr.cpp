#include "trainer/lbr.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "trainer/yaml_schema.h"  // ConfigError

namespace bp::trainer {

using abstraction::Card;
using abstraction::CardMask;
using abstraction::kNumHolePairs;
using abstraction::MaskOf;
using abstraction::NlheState;

namespace {

struct PairTable {
  std::array<std::array<Card, 2>, kNumHolePairs> cards{};
  std::array<CardMask, kNumHolePairs> mask{};
  constexpr PairTable() {
    for (int a = 0; a < abstraction::kNumCards; ++a) {
      for (int b = a + 1; b < abstraction::kNumCards; ++b) {
        const auto i = static_cast<std::size_t>(abstraction::HolePairIndex(static_cast<Card>(a), static_cast<Card>(b)));
        cards[i] = {static_cast<Card>(a), static_cast<Card>(b)};
        mask[i] = (CardMask{1} << a) | (CardMask{1} << b);
      }
    }
  }
};
constexpr PairTable kPairs;

// Sizes 0.05 x 1.15^k, k = 0..54, then all-in: the paper's 56 actions.
std::vector<abstraction::BetSize> FiftySixSizes() {
  std::vector<abstraction::BetSize> sizes;
  for (int k = 0; k < 55; ++k) sizes.push_back({0.05 * std::pow(1.15, k), false});
  sizes.push_back({0, true});
  return sizes;
}

}  // namespace

std::vector<abstraction::BetSize> ParseLbrActions(const std::string& text) {
  if (text == "fc") return {};
  if (text == "fcpa") return {{1.0, false}, {0, true}};
  if (text == "56") return FiftySixSizes();
  try {
    const auto depths = abstraction::ParseSizes(text);
    if (depths.empty()) throw std::invalid_argument("no sizes");
    if (depths.size() != 1) throw std::invalid_argument("one list of sizes, without '|'");
    if (depths[0].size() > 64) throw std::invalid_argument("at most 64 sizes");
    return depths[0];
  } catch (const std::invalid_argument& e) {
    throw ConfigError(fmt::format("--lbr-actions: expected fc, fcpa, 56 or pot fractions such as '0.5, 1, allin', "
                                  "found '{}' ({})",
                                  Printable(text), e.what()));
  }
}

std::array<bool, abstraction::kNumStreets> ParseLbrStreets(const std::string& text) {
  std::array<bool, abstraction::kNumStreets> plays{};
  auto fail = [&] {
    return ConfigError(fmt::format("--lbr-streets: expected streets 1 (preflop) to 4 (river) such as 1-4, 3-4 or "
                                   "1,3-4, found '{}'",
                                   Printable(text)));
  };
  if (text.empty()) throw fail();
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    const std::string part = text.substr(at, comma - at);
    int first = 0, last = 0;
    if (part.size() == 1 && part[0] >= '1' && part[0] <= '4') {
      first = last = part[0] - '0';
    } else if (part.size() == 3 && part[1] == '-' && part[0] >= '1' && part[0] <= '4' && part[2] >= '1' &&
               part[2] <= '4' && part[0] <= part[2]) {
      first = part[0] - '0';
      last = part[2] - '0';
    } else {
      throw fail();
    }
    for (int s = first; s <= last; ++s) plays[static_cast<std::size_t>(s - 1)] = true;
    at = comma + 1;
  }
  return plays;
}

LbrSettings MakeLbrSettings(const std::string& actions, const std::string& streets) {
  LbrSettings s;
  s.actions = actions;
  s.sizes = ParseLbrActions(actions);
  s.streets = streets.empty() ? (actions == "fc" ? "1-4" : "3-4") : streets;
  s.plays = ParseLbrStreets(s.streets);
  return s;
}

void OpponentRange::Reset(const Card* lbr_hole) {
  const CardMask seen = MaskOf(lbr_hole[0]) | MaskOf(lbr_hole[1]);
  live_.clear();
  for (int p = 0; p < kNumHolePairs; ++p) {
    const bool ok = (kPairs.mask[static_cast<std::size_t>(p)] & seen) == 0;
    weights_[static_cast<std::size_t>(p)] = ok ? 1.0 : 0.0;
    if (ok) live_.push_back(static_cast<std::uint16_t>(p));
  }
  for (const std::uint16_t p : live_) weights_[p] = 1.0 / static_cast<double>(live_.size());
}

void OpponentRange::Remove(Card card) {
  double sum = 0;
  std::size_t kept = 0;
  for (const std::uint16_t p : live_) {
    if (kPairs.mask[p] & MaskOf(card)) {
      weights_[p] = 0;
    } else {
      sum += weights_[p];
      live_[kept++] = p;
    }
  }
  live_.resize(kept);
  if (sum > 0) {
    for (const std::uint16_t p : live_) weights_[p] /= sum;
  }
}

void OpponentRange::Observe(const TreeStrategy& strategy, std::uint32_t node, int n,
                            const std::array<bool, solver::kMaxActions>& taken, std::span<const std::uint32_t> buckets) {
  std::array<double, kNumHolePairs> next;
  double sum = 0;
  for (const std::uint16_t p : live_) {
    const float* probabilities = strategy.At(node, buckets[p]);
    double q = 0;
    for (int a = 0; a < n; ++a) {
      if (taken[static_cast<std::size_t>(a)]) q += static_cast<double>(probabilities[a]);
    }
    next[p] = weights_[p] * q;
    sum += next[p];
  }
  if (!(sum > 0)) return;
  std::size_t kept = 0;
  for (const std::uint16_t p : live_) {
    weights_[p] = next[p] / sum;
    if (weights_[p] > 0) live_[kept++] = p;
  }
  live_.resize(kept);
}

void RangeEquities(const abstraction::HandEvaluator& evaluator, const LbrSettings& settings, const Card* hole,
                   const Card* board, int board_cards, std::span<const std::uint16_t> live,
                   std::span<const double* const> ranges, std::span<double> out, solver::Rng& rng) {
  // Per pair: its score (wins + ties / 2) summed over the runouts, and the
  // runouts it shares no card with. Every range's equity is then
  // sum(w * score) / sum(w * runouts): one pass over the runouts for all.
  std::array<double, kNumHolePairs> score{}, count{};
  if (board_cards == 0 && settings.preflop_equity != nullptr) {
    const int me = abstraction::HolePairIndex(hole[0], hole[1]);
    for (const std::uint16_t p : live) {
      score[p] = settings.preflop_equity->Equity(me, p);
      count[p] = 1;
    }
  } else {
    Card mine[7] = {hole[0], hole[1]};
    Card theirs[7];
    std::copy(board, board + board_cards, mine + 2);
    CardMask used = MaskOf(hole[0]) | MaskOf(hole[1]);
    for (int i = 0; i < board_cards; ++i) used |= MaskOf(board[i]);
    std::array<Card, abstraction::kNumCards> rest;
    int left = 0;
    for (int c = 0; c < abstraction::kNumCards; ++c) {
      if (!(used & MaskOf(static_cast<Card>(c)))) rest[static_cast<std::size_t>(left++)] = static_cast<Card>(c);
    }
    auto runout = [&] {  // mine[2..6] is a full board
      const auto strength = evaluator.Strength7(mine);
      CardMask dealt = 0;
      for (int i = board_cards; i < 5; ++i) dealt |= MaskOf(mine[2 + i]);
      std::copy(mine + 2, mine + 7, theirs + 2);
      for (const std::uint16_t p : live) {
        if (kPairs.mask[p] & dealt) continue;
        theirs[0] = kPairs.cards[p][0];
        theirs[1] = kPairs.cards[p][1];
        const auto s = evaluator.Strength7(theirs);
        score[p] += strength > s ? 1.0 : strength == s ? 0.5 : 0.0;
        count[p] += 1;
      }
    };
    if (board_cards == 5) {
      runout();
    } else if (board_cards == 4) {
      for (int i = 0; i < left; ++i) {
        mine[6] = rest[static_cast<std::size_t>(i)];
        runout();
      }
    } else {
      const int samples = board_cards == 3 ? settings.flop_samples : settings.preflop_samples;
      const int needed = 5 - board_cards;
      for (int k = 0; k < samples; ++k) {
        for (int i = 0; i < needed; ++i) {  // a partial shuffle of what is left
          const auto j = static_cast<std::size_t>(i) + rng.UniformBelow(static_cast<std::uint32_t>(left - i));
          std::swap(rest[static_cast<std::size_t>(i)], rest[j]);
          mine[2 + board_cards + i] = rest[static_cast<std::size_t>(i)];
        }
        runout();
      }
    }
  }
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    double num = 0, den = 0;
    for (const std::uint16_t p : live) {
      num += ranges[r][p] * score[p];
      den += ranges[r][p] * count[p];
    }
    out[r] = den > 0 ? num / den : 0.5;
  }
}

namespace {

class LbrHand final : public DuplicateHand {
 public:
  LbrHand(const TreeStrategy& strategy, const abstraction::HandEvaluator& evaluator, const LbrSettings& settings)
      : strategy_(strategy),
        tree_(strategy.tree()),
        evaluator_(evaluator),
        settings_(settings),
        follower_(strategy.tree()),
        state_(NlheState::NewHand(strategy.tree().table())) {
    fold_.resize((settings.sizes.size() + 1) * kNumHolePairs);
    called_.resize((settings.sizes.size() + 1) * kNumHolePairs);
  }

  double Play(const DealCards& cards, int seat, solver::Rng& rng) override {
    const int lbr = seat, opp = 1 - seat;
    state_ = NlheState::NewHand(tree_.table());
    follower_.Reset();
    range_.Reset(cards.hole(lbr));
    buckets_street_ = -1;
    int revealed = 0, street = 0;
    while (!state_.IsTerminal()) {
      street = static_cast<int>(state_.street());
      const int board_cards = abstraction::kBoardCards[static_cast<std::size_t>(street)];
      for (; revealed < board_cards; ++revealed) range_.Remove(cards.board()[revealed]);
      const bool aligned = follower_.Aligned(state_);
      if (state_.ToAct() == opp) {
        if (!aligned) {
          state_.CheckOrCall();
          continue;
        }
        const float* p = strategy_.At(follower_.node(), strategy_.Bucket(street, cards.hole(opp), cards.board()));
        const MappedChoice c = ChooseMapped(follower_, state_, p, rng.UniformDouble());
        Buckets(street, cards.board());
        range_.Observe(strategy_, follower_.node(), follower_.num_actions(), c.same, buckets_);
        ApplyReal(state_, c.real);
        follower_.Apply(c.follow);
      } else {
        const RealAction a = Choose(street, cards.hole(lbr), cards.board(), opp, aligned, rng);
        if (aligned) {
          const abstraction::Translation t = follower_.Translate(a, state_);
          const int pick = t.lower == t.upper || rng.UniformDouble() < t.lower_probability ? t.lower : t.upper;
          follower_.Apply(pick);
        }
        ApplyReal(state_, a);
      }
    }
    return HandResult(evaluator_, settings_.preflop_equity, state_, cards, street, lbr);
  }

 private:
  bool TreeHasPassive() const {
    for (int a = 0; a < follower_.num_actions(); ++a) {
      const auto kind = tree_.Action(follower_.node(), a).kind;
      if (kind == abstraction::ActionKind::kCheck || kind == abstraction::ActionKind::kCall) return true;
    }
    return false;
  }

  // The bucket of every live pair on `street`, once per street.
  void Buckets(int street, const Card* board) {
    if (buckets_street_ == street) return;
    buckets_street_ = street;
    for (const std::uint16_t p : range_.live()) {
      buckets_[p] = strategy_.uses_cards() ? strategy_.Bucket(street, kPairs.cards[p].data(), board) : 0;
    }
  }

  RealAction Choose(int street, const Card* hole, const Card* board, int opp, bool aligned, solver::Rng& rng) {
    if (!settings_.plays[static_cast<std::size_t>(street)]) return {};
    std::vector<RealAction>& candidates = candidates_;
    candidates.clear();
    if (state_.CanFold()) candidates.push_back({RealAction::kFold, 0});
    if (settings_.calls_off_tree || !aligned || TreeHasPassive()) candidates.push_back({});
    const std::size_t first_raise = candidates.size();
    if (state_.CanRaise()) {
      const double base = static_cast<double>(state_.pot()) + state_.CallAmount();
      for (const abstraction::BetSize& size : settings_.sizes) {
        std::int64_t to = state_.MaxRaiseTo();
        if (!size.all_in) to = state_.current_bet() + std::llround(size.pot_fraction * base);
        const RealAction r{RealAction::kRaise,
                           static_cast<std::int32_t>(std::clamp<std::int64_t>(to, state_.MinRaiseTo(), state_.MaxRaiseTo()))};
        if (std::find(candidates.begin(), candidates.end(), r) == candidates.end()) candidates.push_back(r);
      }
    }
    if (candidates.size() == 1) return candidates[0];
    if (candidates.empty()) return {};
    const std::span<const double> w = range_.weights();
    const std::span<const std::uint16_t> live = range_.live();
    const std::size_t raises = candidates.size() - first_raise;
    if (aligned && raises > 0) Buckets(street, board);
    ranges_.assign(1, w.data());
    fold_probability_.assign(raises, 0.0);
    for (std::size_t j = 0; j < raises; ++j) {
      double* fold = fold_.data() + j * kNumHolePairs;
      double* called = called_.data() + j * kNumHolePairs;
      for (const std::uint16_t p : live) fold[p] = 0;
      if (aligned) {
        const abstraction::Translation t = follower_.Translate(candidates[first_raise + j], state_);
        const std::array<std::pair<int, double>, 2> branches = {
            std::pair{t.lower, t.lower == t.upper ? 1.0 : t.lower_probability},
            std::pair{t.upper, t.lower == t.upper ? 0.0 : 1.0 - t.lower_probability}};
        for (const auto& [action, probability] : branches) {
          if (!(probability > 0)) continue;
          const std::uint32_t child = follower_.ChildOf(action);
          if (tree_.IsTerminal(child) || tree_.Player(child) != opp || tree_.StreetOf(child) != street ||
              tree_.Action(child, 0).kind != abstraction::ActionKind::kFold) {
            continue;
          }
          for (const std::uint16_t p : live) fold[p] += probability * strategy_.At(child, buckets_[p])[0];
        }
      }
      double fp = 0;
      for (const std::uint16_t p : live) {
        called[p] = w[p] * (1.0 - fold[p]);
        fp += w[p] * fold[p];
      }
      fold_probability_[j] = std::clamp(fp, 0.0, 1.0);
      ranges_.push_back(called);
    }
    equities_.resize(ranges_.size());
    RangeEquities(evaluator_, settings_, hole, board, abstraction::kBoardCards[static_cast<std::size_t>(street)], live,
                  ranges_, equities_, rng);
    const int lbr = 1 - opp;
    const double pot = state_.pot(), call = state_.CallAmount();
    double best = -1e300;
    RealAction choice{};
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      double value = 0;
      const RealAction& c = candidates[i];
      if (c.kind == RealAction::kCheckCall) {
        value = equities_[0] * (pot + call) - call;
      } else if (c.kind == RealAction::kRaise) {
        const std::size_t j = i - first_raise;
        const std::int32_t cap = state_.street_bet(opp) + state_.stack(opp);
        const double to = std::min(c.to, cap);
        const double x = to - state_.street_bet(lbr);
        const double y = std::max(0.0, to - state_.street_bet(opp));
        const double f = fold_probability_[j];
        value = f * pot + (1 - f) * (equities_[j + 1] * (pot + x + y) - x);
      }
      if (value > best) {
        best = value;
        choice = c;
      }
    }
    return choice;
  }

  const TreeStrategy& strategy_;
  const abstraction::BettingTree& tree_;
  const abstraction::HandEvaluator& evaluator_;
  const LbrSettings& settings_;
  TreeFollower follower_;
  NlheState state_;
  OpponentRange range_;
  std::array<std::uint32_t, kNumHolePairs> buckets_{};
  int buckets_street_ = -1;
  std::vector<RealAction> candidates_;
  std::vector<double> fold_, called_, fold_probability_, equities_;
  std::vector<const double*> ranges_;
};

}  // namespace

DuplicateResult RunLbr(const TreeStrategy& strategy, const abstraction::HandEvaluator& evaluator,
                       const LbrSettings& settings, std::uint64_t deals, std::uint64_t seed, int threads,
                       const std::string& progress_label) {
  const abstraction::TableConfig& table = strategy.tree().table();
  if (table.players != 2) {
    throw ConfigError(fmt::format("--lbr: local best response is for heads-up strategies; this one has {} players",
                                  table.players));
  }
  const double scale = 1000.0 / table.big_blind;
  return RunDuplicateDeals(deals, seed, threads, progress_label, scale,
                           [&] { return std::make_unique<LbrHand>(strategy, evaluator, settings); });
}

}  // namespace bp::trainer
