#include "trainer/match.h"

#include <fmt/core.h>

#include <memory>

#include "trainer/yaml_schema.h"  // ConfigError

namespace bp::trainer {

namespace {

using abstraction::Card;
using abstraction::NlheState;

class MatchHand final : public DuplicateHand {
 public:
  MatchHand(const TreeStrategy& a, const TreeStrategy& b, const abstraction::HandEvaluator& evaluator,
            const abstraction::PreflopEquity* preflop_equity)
      : strategies_{&a, &b}, evaluator_(evaluator), preflop_equity_(preflop_equity), followers_{TreeFollower(a.tree()), TreeFollower(b.tree())} {}

  // `seat`: where A sits. The draws of a deal's two seatings are the same
  // numbers in the same order: each seating starts from a copy of `rng`.
  double Play(const DealCards& cards, int seat, solver::Rng& rng) override {
    if (seat == 0) start_ = rng;
    solver::Rng draws = start_;
    NlheState state = NlheState::NewHand(strategies_[0]->tree().table());
    for (TreeFollower& f : followers_) f.Reset();
    auto side_of = [&](int player) { return player == seat ? 0 : 1; };
    int street = 0;
    while (!state.IsTerminal()) {
      street = static_cast<int>(state.street());
      const int actor = state.ToAct();
      const int side = side_of(actor);
      TreeFollower& own = followers_[static_cast<std::size_t>(side)];
      TreeFollower& other = followers_[static_cast<std::size_t>(1 - side)];
      const double u = draws.UniformDouble(), v = draws.UniformDouble();
      RealAction real{};
      const bool own_aligned = own.Aligned(state), other_aligned = other.Aligned(state);
      int own_action = -1;
      if (own_aligned) {
        const TreeStrategy& s = *strategies_[static_cast<std::size_t>(side)];
        const float* p = s.At(own.node(), s.Bucket(street, cards.hole(actor), cards.board()));
        const MappedChoice c = ChooseMapped(own, state, p, u);
        real = c.real;
        own_action = c.follow;
      }
      if (other_aligned) {
        const abstraction::Translation t = other.Translate(real, state);
        other.Apply(t.lower == t.upper || v < t.lower_probability ? t.lower : t.upper);
      }
      if (own_action >= 0) own.Apply(own_action);
      ApplyReal(state, real);
    }
    if (seat == 1) rng = draws;  // the deal's stream goes on (unused after)
    return HandResult(evaluator_, preflop_equity_, state, cards, street, seat);
  }

 private:
  std::array<const TreeStrategy*, 2> strategies_;
  const abstraction::HandEvaluator& evaluator_;
  const abstraction::PreflopEquity* preflop_equity_;
  std::array<TreeFollower, 2> followers_;
  solver::Rng start_;
};

}  // namespace

DuplicateResult PlayMatch(const TreeStrategy& a, const TreeStrategy& b, const abstraction::HandEvaluator& evaluator,
                          std::uint64_t deals, std::uint64_t seed, int threads, const std::string& progress_label,
                          const abstraction::PreflopEquity* preflop_equity) {
  const abstraction::TableConfig& ta = a.tree().table();
  const abstraction::TableConfig& tb = b.tree().table();
  if (ta.players != 2 || tb.players != 2) {
    throw ConfigError(fmt::format("--against: matches are heads-up; the blueprints have {} and {} players", ta.players,
                                  tb.players));
  }
  if (ta.stacks[0] != tb.stacks[0] || ta.stacks[1] != tb.stacks[1] || ta.small_blind != tb.small_blind ||
      ta.big_blind != tb.big_blind || ta.ante != tb.ante || ta.button != tb.button) {
    throw ConfigError(fmt::format("--against: the blueprints play different tables (stacks {} and {}, blinds {}/{} "
                                  "and {}/{}, antes {} and {}); a match needs the same table",
                                  ta.stacks[0], tb.stacks[0], ta.small_blind, ta.big_blind, tb.small_blind,
                                  tb.big_blind, ta.ante, tb.ante));
  }
  const double scale = 1000.0 / ta.big_blind;
  return RunDuplicateDeals(deals, seed, threads, progress_label, scale,
                           [&] { return std::make_unique<MatchHand>(a, b, evaluator, preflop_equity); });
}

}  // namespace bp::trainer
