#include "abstraction/nlhe_state.h"

#include <algorithm>
#include <bit>
#include <type_traits>

namespace bp::abstraction {

static_assert(std::is_trivially_copyable_v<NlheState>);

NlheState NlheState::NewHand(const TableConfig& config) {
  NlheState s;
  s.players_ = static_cast<std::int8_t>(config.players);
  s.button_ = static_cast<std::int8_t>(config.button);
  s.big_blind_ = config.big_blind;
  for (int p = 0; p < config.players; ++p) s.stack_[p] = config.stacks[p];
  for (int p = 0; p < config.players; ++p) {
    const std::int32_t ante = std::min(config.ante, s.stack_[p]);
    s.stack_[p] -= ante;
    s.committed_[p] += ante;
    if (s.stack_[p] == 0) s.all_in_ |= static_cast<std::uint8_t>(1u << p);
  }
  const bool heads_up = config.players == 2;
  const int sb = heads_up ? config.button : s.NextSeat(config.button);
  const int bb = s.NextSeat(sb);
  s.Put(sb, std::min(config.small_blind, s.stack_[sb]));
  s.Put(bb, std::min(config.big_blind, s.stack_[bb]));
  s.current_bet_ = std::max(s.street_bet_[sb], s.street_bet_[bb]);
  s.last_raise_ = config.big_blind;
  s.full_raise_level_ = 0;  // nobody has acted: everyone may raise
  s.acted_level_.fill(-1);
  s.street_ = Street::kPreflop;
  s.to_act_ = static_cast<std::int8_t>(bb);
  s.to_act_ = static_cast<std::int8_t>(s.NextToAct(bb));
  if (s.NothingToDecide()) s.StartStreet(Street::kShowdown);
  return s;
}

int NlheState::ActiveCount() const { return players_ - std::popcount(static_cast<unsigned>(folded_)); }

int NlheState::CanBetCount() const {
  return players_ - std::popcount(static_cast<unsigned>(folded_ | all_in_));
}

int NlheState::NextToAct(int after) const {
  int seat = after;
  for (int i = 0; i < players_; ++i) {
    seat = NextSeat(seat);
    if (!folded(seat) && !all_in(seat)) return seat;
  }
  return -1;
}

void NlheState::Put(int p, std::int32_t chips) {
  stack_[p] -= chips;
  committed_[p] += chips;
  street_bet_[p] += chips;
  if (stack_[p] == 0) all_in_ |= static_cast<std::uint8_t>(1u << p);
}

std::int32_t NlheState::CallAmount() const {
  return std::min(current_bet_ - street_bet_[to_act_], stack_[to_act_]);
}

bool NlheState::CanRaise() const {
  const int p = to_act_;
  if (stack_[p] <= current_bet_ - street_bet_[p]) return false;  // can only call (all-in) or fold
  if (acted_level_[p] >= full_raise_level_ && acted_level_[p] >= 0) return false;  // not reopened
  // Someone must be left to call a raise.
  for (int q = 0; q < players_; ++q) {
    if (q != p && !folded(q) && !all_in(q)) return true;
  }
  return false;
}

std::int32_t NlheState::MinRaiseTo() const {
  return std::min(current_bet_ + last_raise_, MaxRaiseTo());
}

std::int32_t NlheState::MaxRaiseTo() const { return street_bet_[to_act_] + stack_[to_act_]; }

std::int32_t NlheState::pot() const {
  std::int32_t total = 0;
  for (int p = 0; p < players_; ++p) total += committed_[p];
  return total;
}

void NlheState::Fold() {
  folded_ |= static_cast<std::uint8_t>(1u << to_act_);
  AfterAction(to_act_);
}

void NlheState::CheckOrCall() {
  const int p = to_act_;
  Put(p, CallAmount());
  acted_level_[p] = current_bet_;
  AfterAction(p);
}

void NlheState::RaiseTo(std::int32_t total) {
  const int p = to_act_;
  const std::int32_t raise = total - current_bet_;
  Put(p, total - street_bet_[p]);
  if (raise >= last_raise_) {  // a full raise reopens the betting for everyone
    last_raise_ = raise;
    full_raise_level_ = total;
  }
  current_bet_ = total;
  acted_level_[p] = current_bet_;
  AfterAction(p);
}

bool NlheState::RoundClosed() const {
  for (int q = 0; q < players_; ++q) {
    if (folded(q) || all_in(q)) continue;
    if (acted_level_[q] < 0 || street_bet_[q] != current_bet_) return false;
  }
  return true;
}

bool NlheState::NothingToDecide() const {
  const int can_bet = CanBetCount();
  if (can_bet == 0) return true;
  if (can_bet > 1) return false;
  for (int q = 0; q < players_; ++q) {
    if (!folded(q) && !all_in(q)) return street_bet_[q] >= current_bet_;  // owes nothing, nobody to bet against
  }
  return true;
}

void NlheState::AfterAction(int p) {
  if (ActiveCount() == 1) return;  // folded out
  if (RoundClosed() || NothingToDecide()) {
    StartStreet(static_cast<Street>(static_cast<int>(street_) + 1));
    return;
  }
  to_act_ = static_cast<std::int8_t>(NextToAct(p));
}

void NlheState::StartStreet(Street street) {
  street_bet_.fill(0);
  acted_level_.fill(-1);
  current_bet_ = 0;
  last_raise_ = big_blind_;
  full_raise_level_ = 0;
  street_ = street;
  if (street_ == Street::kShowdown) return;
  if (CanBetCount() <= 1) {  // nobody left to bet against: run the board out
    street_ = Street::kShowdown;
    return;
  }
  // Heads-up the big blind (the non-button) acts first after the flop; with
  // more players the first one left of the button. Both: left of the button.
  to_act_ = static_cast<std::int8_t>(NextToAct(button_));
}

std::array<std::int32_t, kMaxPlayers> NlheState::Payoffs(const std::array<HandRank, kMaxPlayers>& ranks) const {
  return SettleHand(players_, button_, committed_, folded_, ranks);
}

std::array<std::int32_t, kMaxPlayers> SettleHand(int players, int button,
                                                 const std::array<std::int32_t, kMaxPlayers>& committed,
                                                 std::uint8_t folded_mask,
                                                 const std::array<HandRank, kMaxPlayers>& ranks) {
  auto folded = [&](int p) { return (folded_mask >> p & 1u) != 0; };
  std::array<std::int32_t, kMaxPlayers> won{};
  const int active = players - std::popcount(static_cast<unsigned>(folded_mask));
  if (active == 1) {
    std::int32_t pot = 0;
    for (int p = 0; p < players; ++p) pot += committed[p];
    for (int p = 0; p < players; ++p) {
      if (!folded(p)) won[p] = pot;
    }
  } else {
    // Contribution levels, low to high; each slice goes to its best eligible hands.
    std::array<std::int32_t, kMaxPlayers> levels{};
    for (int p = 0; p < players; ++p) levels[p] = committed[p];
    for (int i = 1; i < players; ++i) {  // insertion sort: at most 6 values
      for (int j = i; j > 0 && levels[j - 1] > levels[j]; --j) std::swap(levels[j - 1], levels[j]);
    }
    std::int32_t previous = 0;
    for (int i = 0; i < players; ++i) {
      const std::int32_t level = levels[i];
      if (level == previous) continue;
      std::int32_t slice = 0;
      for (int p = 0; p < players; ++p) {
        slice += std::min(committed[p], level) - std::min(committed[p], previous);
      }
      HandRank best = 0;
      bool any = false;
      for (int p = 0; p < players; ++p) {
        if (!folded(p) && committed[p] >= level && (!any || ranks[p] > best)) {
          best = ranks[p];
          any = true;
        }
      }
      // Winners in seat order from the button's left, for the odd chips.
      std::array<int, kMaxPlayers> winners{};
      int count = 0;
      for (int i2 = 1; i2 <= players; ++i2) {
        const int p = (button + i2) % players;
        if (!folded(p) && committed[p] >= level && ranks[p] == best) winners[count++] = p;
      }
      if (count == 0) {  // defensive: nobody eligible; return the slice to its contributors' best
        for (int p = 0; p < players; ++p) {
          if (!folded(p)) winners[count++] = p;
        }
      }
      const std::int32_t share = slice / count;
      std::int32_t odd = slice - share * count;
      for (int k = 0; k < count; ++k) won[winners[k]] += share + (odd-- > 0 ? 1 : 0);
      previous = level;
    }
  }
  for (int p = 0; p < players; ++p) won[p] -= committed[p];
  return won;
}

}  // namespace bp::abstraction
