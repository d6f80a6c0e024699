#include "trainer/game_registry.h"

namespace bp::trainer {

abstraction::NlheGame MakeNlheGame(const Config& config, const abstraction::BucketFile& buckets,
                                   const abstraction::HandEvaluator& evaluator) {
  try {
    return abstraction::NlheGame(TableOf(config), config.betting, buckets, evaluator);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(fmt::format("{}: {}", config.source, e.what()));
  } catch (const abstraction::BettingTreeError& e) {
    throw ConfigError(fmt::format("{}: {}", config.source, e.what()));
  }
}

abstraction::PreflopGame MakePreflopGame(const Config& config, const abstraction::PreflopEquity& equity) {
  try {
    return abstraction::PreflopGame(TableOf(config), config.betting, equity);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(fmt::format("{}: {}", config.source, e.what()));
  }
}

}  // namespace bp::trainer
