// The games a benchmark builds from a config: f(game) with the game the
// config names, its card abstraction loaded for nlhe.
#pragma once

#include <fmt/core.h>

#include <stdexcept>

#include "abstraction/bucket_file.h"
#include "abstraction/leduc.h"
#include "abstraction/nlhe_game.h"
#include "trainer/config.h"

namespace bp::bench {

template <class F>
auto WithNlheGame(const trainer::Config& config, F&& f) {
  const auto buckets = abstraction::BucketFile::Open(config.abstraction.buckets);
  const abstraction::HandEvaluator evaluator;
  const abstraction::NlheGame game(trainer::TableOf(config), config.betting, buckets, evaluator);
  return f(game);
}

// Leduc or nlhe; anything else is refused.
template <class F>
auto WithGame(const trainer::Config& config, F&& f) {
  if (config.game.name == "leduc") return f(abstraction::LeducHoldem());
  if (config.game.name == "nlhe") return WithNlheGame(config, f);
  throw std::runtime_error(fmt::format("{}: game {} is not benchmarked here", config.source, config.game.name));
}

}  // namespace bp::bench
