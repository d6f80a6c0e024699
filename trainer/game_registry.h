// GameRegistry: the one place where a config's game.name becomes a game (as
// OpenSpiel's REGISTER_SPIEL_GAME makes a name a game). Training, inspect,
// the preflop chart, the betting-tree summary, the blueprint and the
// benchmarks all go through it; code that works on any game is a generic
// lambda called with the game built.
//
//   kuhn          abstraction::KuhnPoker
//   leduc         abstraction::LeducHoldem
//   nlhe_preflop  abstraction::PreflopGame: the table and betting of the
//                 config, showdowns valued with GameInputs::equity (names
//                 and tree only when none is given)
//   nlhe          abstraction::NlheGame: the table and betting of the
//                 config, the card abstraction GameInputs::buckets (or the
//                 file config.abstraction.buckets, opened here)
// A game lives for the call; thread-compatible like the games themselves.
#pragma once

#include <fmt/core.h>

#include <optional>
#include <stdexcept>
#include <utility>

#include "abstraction/bucket_file.h"
#include "abstraction/hand_evaluator.h"
#include "abstraction/kuhn.h"
#include "abstraction/leduc.h"
#include "abstraction/nlhe_game.h"
#include "abstraction/preflop_game.h"
#include "trainer/config.h"

namespace bp::trainer {

// What a game needs beyond its config; null: see the table above.
struct GameInputs {
  const abstraction::BucketFile* buckets = nullptr;
  const abstraction::PreflopEquity* equity = nullptr;
};

// Whether the game is no-limit hold'em (a table, a betting abstraction).
inline bool IsNoLimit(GameName name) { return name == GameName::kNlhe || name == GameName::kNlhePreflop; }

// The nlhe and nlhe_preflop games of a config; ConfigError naming the config
// if its table or betting abstraction cannot make one.
abstraction::NlheGame MakeNlheGame(const Config& config, const abstraction::BucketFile& buckets,
                                   const abstraction::HandEvaluator& evaluator);
abstraction::PreflopGame MakePreflopGame(const Config& config, const abstraction::PreflopEquity& equity);

// f(game) with the game `config` names; returns what f returns (the same
// type for every game).
template <class F>
decltype(auto) WithGame(const Config& config, const GameInputs& inputs, F&& f) {
  switch (config.game.name) {
    case GameName::kKuhn:
      return f(abstraction::KuhnPoker());
    case GameName::kLeduc:
      return f(abstraction::LeducHoldem());
    case GameName::kNlhePreflop: {
      if (inputs.equity != nullptr) return f(MakePreflopGame(config, *inputs.equity));
      const abstraction::PreflopEquity names_only = abstraction::PreflopEquity::Empty();
      return f(MakePreflopGame(config, names_only));
    }
    case GameName::kNlhe: {
      std::optional<abstraction::BucketFile> opened;
      if (inputs.buckets == nullptr) opened.emplace(abstraction::BucketFile::Open(config.abstraction.buckets));
      const abstraction::HandEvaluator evaluator;
      return f(MakeNlheGame(config, inputs.buckets != nullptr ? *inputs.buckets : *opened, evaluator));
    }
  }
  throw std::logic_error("unknown game");
}

}  // namespace bp::trainer
