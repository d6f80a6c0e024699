// Leduc hold'em (Southey et al., "Bayes' Bluff", 2005): a six-card deck
// (J, Q, K in two suits), one private card each, ante 1; a first betting
// round with bets of 2, a public board card, a second round with bets of 4;
// at most 2 bets/raises per round; player 0 acts first in both rounds. At
// showdown a private card pairing the board wins, else the higher card; equal
// ranks split. Actions are written f (fold), c (check/call), r (bet/raise).
// 120 deals, 936 information sets (cards told apart by suit); the game value
// for player 0 is -0.0856064.
//
// Buckets: round 0, the private card (0..5); round 1, private card * 5 + the
// index of the board card among the five others (0..29).
// Infoset names: "<card>:<history>" in round 0, "<card> <board>:<history>" in
// round 1, e.g. "Ks:rc/" or "Js Qh:cc/r". Cards: Js Jh Qs Qh Ks Kh = 0..5.
#pragma once

#include <string>

#include "abstraction/limit_game.h"

namespace bp::abstraction {

class LeducHoldem : public LimitGame<2> {
 public:
  LeducHoldem();

  std::uint32_t NumBuckets(int street) const { return street == 0 ? 6 : 30; }
  std::string InfosetName(std::uint32_t node, std::uint32_t bucket) const;

  static std::string CardName(int card);
  static int Rank(int card) { return card / 2; }
  // +1 if hand a beats hand b on this board, -1 if it loses, 0 on a split.
  static int CompareHands(int a, int b, int board);
  static std::uint32_t RoundOneBucket(int card, int board) {
    return static_cast<std::uint32_t>(card * 5 + (board < card ? board : board - 1));
  }
};

}  // namespace bp::abstraction
