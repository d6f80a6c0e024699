// `train_blueprint play BLUEPRINT`: heads-up hands in the terminal against
// a blueprint. The seats alternate (the player has the button in the first
// hand), every hand starts from the config's stacks, the bot samples the
// blueprint's strategy (off-tree sizes translated as `query` does) and the
// running score is shown in bb/100 with its 95% interval.
//
// Input, one action per line: f (fold), k (check), c (call; a check when
// there is nothing to call), b<chips> or r<chips> (bet or raise to a street
// total), a (all-in), q (quit), ? (help). A bad line gets a short message
// and the prompt again; end of input, q or Ctrl-C end the session with the
// score (a hand not finished is not counted).
#pragma once

#include <cstdint>
#include <cstdio>
#include <istream>
#include <optional>
#include <string>

namespace bp::trainer {

struct PlayOptions {
  std::string blueprint;              // LOGDIR/blueprint.bin
  std::string buckets;                // bucket file, if not the config's
  std::optional<std::uint64_t> seed;  // none: a random seed, printed
  std::uint64_t hands = 0;            // stop after this many; 0 = until input ends
  bool reveal = false;                // the bot's probabilities after each hand
};

// Plays from `in` to `out`; returns the exit code (0). Throws what
// Blueprint::Open throws for a bad file, ConfigError for a blueprint that is
// not heads-up.
int Play(const PlayOptions& options, std::istream& in, std::FILE* out);

}  // namespace bp::trainer
