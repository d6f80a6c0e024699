// Kuhn poker (Kuhn 1950): two players, cards J < Q < K, one card each, ante 1,
// one betting round with a single bet of 1. Actions are written p (pass:
// check or fold) and b (bet or call). 6 deals, 12 information sets; the game
// value for player 0 is -1/18.
//
// Infoset names: "<card>:<history>", e.g. "K:" (player 0 at the root with the
// king) or "J:pb" (player 0 holding the jack after pass, bet).
#pragma once

#include <string>

#include "abstraction/limit_game.h"

namespace bp::abstraction {

class KuhnPoker : public LimitGame<1> {
 public:
  KuhnPoker();

  std::uint32_t NumBuckets(int) const { return 3; }
  std::string InfosetName(std::uint32_t node, std::uint32_t bucket) const;
  static char CardName(int card) { return "JQK"[card]; }
};

}  // namespace bp::abstraction
