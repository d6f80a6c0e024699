#include "trainer/config_checks.h"

#include <fmt/core.h>

#include <utility>

namespace bp::trainer {

// Checks that involve several keys.
void CheckAcrossKeys(const Config& config, const std::string& source) {
  const auto& g = config.game;
  if (g.stacks.size() != 1 && g.stacks.size() != static_cast<std::size_t>(g.players)) {
    throw ConfigError(fmt::format("{}: game.stacks: expected one value for every seat or {} values (game.players), "
                                  "found {}",
                                  source, g.players, g.stacks.size()));
  }
  if (g.small_blind > g.big_blind) {
    throw ConfigError(fmt::format("{}: game.small_blind: expected at most game.big_blind ({}), found {}", source,
                                  g.big_blind, g.small_blind));
  }
  for (std::size_t street = 0; street < abstraction::kNumStreets; ++street) {
    const auto& b = config.betting.streets[street];
    if (b.max_raises > 0 && b.sizes.empty()) {
      throw ConfigError(fmt::format("{}: betting.{}.sizes: expected at least one size when max_raises is {}, "
                                    "found none",
                                    source, abstraction::StreetName(static_cast<int>(street)), b.max_raises));
    }
  }
}

// Fills the "auto" solver keys (Pluribus' values for nlhe, plain MCCFR
// otherwise) and checks the solver keys against each other.
void ResolveSolverDefaults(Config& config, const std::string& source) {
  auto& s = config.solver;
  const bool nlhe = config.game.name == GameName::kNlhe;
  const auto minutes = [](double m) { return Interval{Interval::Unit::kSeconds, 60 * m}; };
  const Interval off{Interval::Unit::kIterations, 0};
  if (!s.discount_interval) s.discount_interval = nlhe ? minutes(10) : off;
  if (!s.discount_stop) {
    // Pluribus' 400 minutes goes with a timed interval only; an iteration count needs its own stop.
    const bool timed = !s.discount_interval->off() && s.discount_interval->unit == Interval::Unit::kSeconds;
    s.discount_stop = nlhe && timed ? minutes(400) : off;
  }
  if (!s.prune_start) s.prune_start = nlhe ? minutes(200) : off;
  if (!s.average) s.average = nlhe ? AverageStreets::kPreflop : AverageStreets::kAll;
  if (!s.average_update) s.average_update = nlhe ? AverageUpdate::kSampled : AverageUpdate::kExpected;
  const bool no_limit = config.game.name == GameName::kNlhe || config.game.name == GameName::kNlhePreflop;
  if (*s.average_update == AverageUpdate::kExpected && no_limit && config.game.players > 2) {
    throw ConfigError(fmt::format("{}: solver.average_update: expected sampled (or auto) with {} players, found "
                                  "expected (it is unbiased for two players only)",
                                  source, config.game.players));
  }
  if (!s.discount_interval->off()) {
    if (s.discount_stop->off()) {
      throw ConfigError(fmt::format("{}: solver.discount_stop: expected an iteration count or a duration when "
                                    "solver.discount_interval is set, found off",
                                    source));
    }
    if (s.discount_stop->unit != s.discount_interval->unit) {
      throw ConfigError(fmt::format("{}: solver.discount_stop: expected the unit of solver.discount_interval ({}), "
                                    "found {}",
                                    source, s.discount_interval->ToString(), s.discount_stop->ToString()));
    }
  }
  if (s.FullWidth()) {
    if (config.game.name != GameName::kKuhn && config.game.name != GameName::kLeduc) {
      throw ConfigError(fmt::format("{}: solver.sampling: expected external for game {} (full-width CFR enumerates "
                                    "every deal: kuhn and leduc only), found full",
                                    source, NameOf(config.game.name)));
    }
    if (!s.prune_start->off()) {
      throw ConfigError(fmt::format("{}: solver.prune_start: expected off with solver.sampling full (pruning is "
                                    "for sampled traversals), found {}",
                                    source, s.prune_start->ToString()));
    }
    if (*s.average_update != AverageUpdate::kExpected) {
      throw ConfigError(fmt::format("{}: solver.average_update: expected expected or auto with solver.sampling "
                                    "full (every infoset's strategy is summed each iteration), found {}",
                                    source, NameOf(*s.average_update)));
    }
  }
  for (const auto& [key, weight] : {std::pair{"solver.regret_weight", s.regret_weight},
                                    std::pair{"solver.average_weight", s.average_weight}}) {
    if (!s.FullWidth() && weight != IterationWeighting::kUniform) {
      throw ConfigError(fmt::format("{}: {}: expected uniform with solver.sampling external (iteration weights "
                                    "are for full-width CFR; with sampling, linear CFR is solver.discount_interval), "
                                    "found {}",
                                    source, key, NameOf(weight)));
    }
  }
  if (!s.FullWidth() && s.prune_threshold <= s.regret_floor) {  // full width: no pruning
    throw ConfigError(fmt::format("{}: solver.prune_threshold: expected above solver.regret_floor ({}), found {}",
                                  source, s.regret_floor, s.prune_threshold));
  }
  if (config.run.deterministic) {
    const std::pair<const char*, Interval> timed[] = {{"solver.discount_interval", *s.discount_interval},
                                                      {"solver.prune_start", *s.prune_start},
                                                      {"solver.average_start", s.average_start}};
    for (const auto& [key, interval] : timed) {
      if (!interval.off() && interval.unit == Interval::Unit::kSeconds) {
        throw ConfigError(fmt::format("{}: {}: expected an iteration count or off when run.deterministic is true "
                                      "(a duration depends on the machine's speed), found {}",
                                      source, key, interval.ToString()));
      }
    }
  }
}

}  // namespace bp::trainer
