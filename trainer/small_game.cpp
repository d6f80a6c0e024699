#include "trainer/small_game.h"

#include <fmt/core.h>

#include <type_traits>

#include "solver/exact_evaluator.h"
#include "solver/policy.h"
#include "solver/regret_matching.h"
#include "solver/table_layout.h"
#include "trainer/game_registry.h"

namespace bp::trainer {
namespace {

void RefuseNonEnumerable(const Config& config) {
  if (IsNoLimit(config.game.name) && config.game.name != GameName::kNlhePreflop) {
    throw ConfigError(fmt::format("{}: game {} is too large to enumerate; average strategies and exact "
                                  "exploitability are for kuhn, leduc and nlhe_preflop checkpoints",
                                  config.source, NameOf(config.game.name)));
  }
}

template <class G>
solver::TableLayout CheckedLayout(const G& game, const CheckpointData& ckpt) {
  solver::TableLayout layout(game);
  if (layout.num_entries() != ckpt.num_regrets()) {
    throw CheckpointError(fmt::format("checkpoint holds {} entries, the game of its config has {}", ckpt.num_regrets(),
                                      layout.num_entries()));
  }
  if (ckpt.strategy_sum.size() != layout.num_entries()) {
    throw CheckpointError(fmt::format("checkpoint holds strategy sums for {} of {} entries (solver.average); "
                                      "the average strategy needs them on every street",
                                      ckpt.strategy_sum.size(), layout.num_entries()));
  }
  return layout;
}

}  // namespace

std::vector<InfosetStrategy> AverageStrategies(const CheckpointData& ckpt, const Config& config) {
  RefuseNonEnumerable(config);
  return WithGame(config, {}, [&](const auto& game) {
    const solver::TableLayout layout = CheckedLayout(game, ckpt);
    std::vector<InfosetStrategy> out;
    out.reserve(layout.num_infosets());
    for (solver::NodeId node = 0; node < layout.num_nodes(); ++node) {
      const int n = layout.num_actions(node);
      if (n == 0) continue;
      std::vector<std::string> actions;
      for (int a = 0; a < n; ++a) actions.push_back(game.ActionName(node, a));
      const std::uint64_t buckets = (layout.entry_end(node) - layout.entry_offset(node)) / static_cast<std::uint64_t>(n);
      for (std::uint64_t b = 0; b < buckets; ++b) {
        InfosetStrategy s;
        s.infoset = game.InfosetName(node, static_cast<std::uint32_t>(b));
        s.player = game.Player(node);
        s.actions = actions;
        s.average.resize(static_cast<std::size_t>(n));
        solver::NormalizeStrategySum(ckpt.strategy_sum.data() + layout.entry_offset(node) + b * static_cast<std::uint64_t>(n),
                                     n, s.average.data());
        out.push_back(std::move(s));
      }
    }
    return out;
  });
}

double ExactExploitability(const CheckpointData& ckpt, const Config& config, const abstraction::PreflopEquity* equity) {
  RefuseNonEnumerable(config);
  if (config.game.name == GameName::kNlhePreflop && equity == nullptr) {
    throw ConfigError(fmt::format("{}: nlhe_preflop needs its showdown equities (abstraction.preflop_equity)",
                                  config.source));
  }
  return WithGame(config, {nullptr, equity}, [&](const auto& game) -> double {
    using G = std::decay_t<decltype(game)>;
    if constexpr (solver::EnumerableGame<G>) {
      const solver::TableLayout layout = CheckedLayout(game, ckpt);
      const solver::ExactEvaluator<G> evaluator(game, layout);
      return evaluator.Exploitability(solver::TabularPolicy::Average(layout, ckpt.strategy_sum));
    } else {
      throw ConfigError("not enumerable");  // refused above
    }
  });
}

}  // namespace bp::trainer
