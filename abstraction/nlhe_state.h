// NlheState: one hand of no-limit hold'em for 2 to 6 players: chips and
// betting only (cards are dealt and compared by the caller). Trivially
// copyable, about 150 bytes, no heap: the solver copies it per action.
//
// Seats 0..n-1; the button is a seat. Antes (dead money) and blinds are
// posted at NewHand. Heads-up, the button posts the small blind, acts first
// preflop and last afterwards; with 3+ players the small blind is left of the
// button, the big blind left of that, the first to act preflop is left of the
// big blind, and postflop the first active player left of the button.
//
// Betting: a raise must raise by at least the last full raise (the big blind
// at the start of a street) unless it is all-in. A short all-in (raising by
// less) does not reopen the betting: players who acted since the last full
// raise may then only call or fold. (Several short all-ins that add up to a
// full raise are treated as short too: a simplification.)
// When a betting round closes the street advances; when fewer than two
// players can still bet, the remaining streets are run out with no betting.
//
// Payoffs: side pots by contribution level, each split evenly among the best
// eligible hands; odd chips go one at a time to the winners nearest the
// button's left. An uncalled bet comes back to its bettor as the only player
// eligible for its slice. Thread-compatible value type.
#pragma once

#include <array>
#include <cstdint>

#include "abstraction/reference_evaluator.h"
#include "abstraction/street.h"

namespace bp::abstraction {

inline constexpr int kMaxPlayers = 6;

struct TableConfig {
  int players = 2;
  std::array<std::int32_t, kMaxPlayers> stacks{};  // chips at the start of the hand
  std::int32_t small_blind = 50;
  std::int32_t big_blind = 100;
  std::int32_t ante = 0;
  int button = 0;
};

// Net chips of each player at the end of a hand in which seat p put in
// committed[p] and the players in folded_mask folded; ranks as in
// NlheState::Payoffs. What NlheState::Payoffs computes, for callers that keep
// only a terminal's contributions (the betting tree).
std::array<std::int32_t, kMaxPlayers> SettleHand(int players, int button,
                                                 const std::array<std::int32_t, kMaxPlayers>& committed,
                                                 std::uint8_t folded_mask,
                                                 const std::array<HandRank, kMaxPlayers>& ranks);

class NlheState {
 public:
  // Posts antes and blinds. Requires: 2 <= players <= 6, stacks > 0,
  // 0 < small_blind <= big_blind, ante >= 0, 0 <= button < players.
  static NlheState NewHand(const TableConfig& config);

  bool IsTerminal() const { return street_ == Street::kShowdown || ActiveCount() == 1; }
  // True if the hand ended with everyone but one folded.
  bool FoldedOut() const { return ActiveCount() == 1; }
  Street street() const { return street_; }
  // The seat to act; -1 when the hand is terminal.
  int ToAct() const { return IsTerminal() ? -1 : to_act_; }
  int players() const { return players_; }
  int button() const { return button_; }

  // Chips the player to act needs to put in to call (capped by their stack).
  std::int32_t CallAmount() const;
  bool CanCheck() const { return CallAmount() == 0; }
  bool CanFold() const { return CallAmount() > 0; }
  bool CanRaise() const;
  // Smallest and largest legal "raise to" totals for this street's bet.
  // MinRaiseTo is capped at all-in. Requires: CanRaise().
  std::int32_t MinRaiseTo() const;
  std::int32_t MaxRaiseTo() const;

  void Fold();
  void CheckOrCall();
  // Raises (or bets) so that the player's bet this street becomes `total`.
  // Requires: CanRaise() and MinRaiseTo() <= total <= MaxRaiseTo().
  void RaiseTo(std::int32_t total);

  std::int32_t stack(int p) const { return stack_[p]; }
  std::int32_t committed(int p) const { return committed_[p]; }
  std::int32_t street_bet(int p) const { return street_bet_[p]; }
  std::int32_t current_bet() const { return current_bet_; }
  std::int32_t pot() const;
  bool folded(int p) const { return folded_ >> p & 1; }
  std::uint8_t folded_mask() const { return folded_; }
  bool all_in(int p) const { return all_in_ >> p & 1; }

  // Net chips won or lost by each player at a terminal state, given the
  // rank of every player's hand (ignored for folded players and fold-outs).
  std::array<std::int32_t, kMaxPlayers> Payoffs(const std::array<HandRank, kMaxPlayers>& ranks) const;

 private:
  int ActiveCount() const;   // not folded
  int CanBetCount() const;   // not folded and not all-in
  int NextSeat(int seat) const { return (seat + 1) % players_; }
  int NextToAct(int after) const;  // next seat that is neither folded nor all-in
  void Put(int p, std::int32_t chips);
  void AfterAction(int p);
  bool RoundClosed() const;
  bool NothingToDecide() const;
  void StartStreet(Street street);

  std::array<std::int32_t, kMaxPlayers> stack_{};
  std::array<std::int32_t, kMaxPlayers> committed_{};    // this hand, antes included
  std::array<std::int32_t, kMaxPlayers> street_bet_{};
  std::array<std::int32_t, kMaxPlayers> acted_level_{};  // current bet when p last acted; -1 not yet
  std::int32_t current_bet_ = 0;
  std::int32_t last_raise_ = 0;        // size of the last full raise this street
  std::int32_t full_raise_level_ = 0;  // current bet after the last full raise
  std::int32_t big_blind_ = 0;
  std::uint8_t folded_ = 0;
  std::uint8_t all_in_ = 0;
  std::int8_t players_ = 0;
  std::int8_t button_ = 0;
  std::int8_t to_act_ = 0;
  Street street_ = Street::kPreflop;
};

}  // namespace bp::abstraction
