// `train_blueprint inspect CKPT --preflop-chart --position SEAT [--facing H]`:
// the average strategy of one seat's preflop decision for all 169 starting
// hands, as 13 x 13 grids in the terminal (pairs on the diagonal, suited
// hands above it, offsuit below) and as a picture with --out.
#include "trainer/preflop_chart.h"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <vector>

#include <fmt/core.h>

#include "abstraction/hand_indexer.h"
#include "abstraction/nlhe_game.h"
#include "abstraction/preflop_game.h"
#include "solver/policy.h"
#include "solver/table_layout.h"
#include "trainer/blueprint.h"
#include "trainer/game_registry.h"
#include "trainer/query.h"
#include "trainer/picture.h"
#include "trainer/train_main.h"

namespace bp::trainer {
namespace {

using abstraction::ActionKind;
using abstraction::BettingTree;

using Chart = PreflopChart;

// probabilities(bucket, out): the n action probabilities at `node` for a bucket.
template <class G, class BucketOfClass, class Probabilities>
Chart Build(const G& game, std::uint32_t node, BucketOfClass bucket_of_class, Probabilities probabilities) {
  Chart chart;
  const int n = game.NumActions(node);
  for (int a = 0; a < n; ++a) {
    chart.actions.push_back(game.ActionName(node, a));
    chart.kinds.push_back(game.tree().Action(node, a).kind);
  }
  const abstraction::HoldemIndexer indexer(abstraction::IsomorphismMode::kBoardAsSet);
  for (int row = 0; row < 13; ++row) {
    for (int col = 0; col < 13; ++col) {
      const int hi = 12 - std::min(row, col), lo = 12 - std::max(row, col);
      const bool suited = col > row;
      const abstraction::Card hole[2] = {abstraction::MakeCard(hi, 0), abstraction::MakeCard(lo, suited ? 0 : 1)};
      const auto cls = static_cast<std::uint32_t>(indexer.Index(0, hole, nullptr));
      double p[solver::kMaxActions];
      probabilities(bucket_of_class(cls), p);
      chart.probability[static_cast<std::size_t>(row)][static_cast<std::size_t>(col)].assign(p, p + n);
    }
  }
  return chart;
}

// The average strategy of a checkpoint at `node`.
template <class G, class BucketOfClass>
Chart FromCheckpoint(const G& game, const CheckpointData& ckpt, std::uint32_t node, BucketOfClass bucket_of_class) {
  const solver::TableLayout layout(game);
  if (layout.num_entries() != ckpt.num_regrets() || ckpt.strategy_sum.size() < layout.street_end(0)) {
    throw CheckpointError(fmt::format("checkpoint holds {} regrets and {} strategy sums; the game has {} entries, "
                                      "{} of them preflop",
                                      ckpt.num_regrets(), ckpt.strategy_sum.size(), layout.num_entries(),
                                      layout.street_end(0)));
  }
  const int n = game.NumActions(node);
  return Build(game, node, bucket_of_class, [&](std::uint32_t bucket, double* p) {
    solver::NormalizeStrategySum(ckpt.strategy_sum.data() + layout.entry_offset(node) +
                                     static_cast<std::uint64_t>(bucket) * static_cast<std::uint64_t>(n),
                                 n, p);
  });
}

}  // namespace

std::string ChartHandName(int row, int col) {
  const char hi = abstraction::kRankChars[12 - std::min(row, col)], lo = abstraction::kRankChars[12 - std::max(row, col)];
  if (row == col) return {hi, lo};
  return {hi, lo, col > row ? 's' : 'o'};
}

namespace {

double Sum(const Chart& chart, int row, int col, std::initializer_list<ActionKind> kinds) {
  double total = 0;
  for (std::size_t a = 0; a < chart.kinds.size(); ++a) {
    if (std::find(kinds.begin(), kinds.end(), chart.kinds[a]) != kinds.end())
      total += chart.probability[static_cast<std::size_t>(row)][static_cast<std::size_t>(col)][a];
  }
  return total;
}

void PrintGrid(const Chart& chart, const char* title, std::initializer_list<ActionKind> kinds) {
  fmt::print("\n{} (%; suited above the diagonal, offsuit below)\n     ", title);
  for (int c = 0; c < 13; ++c) fmt::print("{:>4}", abstraction::kRankChars[12 - c]);
  fmt::print("\n");
  for (int r = 0; r < 13; ++r) {
    fmt::print("{:>4} ", abstraction::kRankChars[12 - r]);
    for (int c = 0; c < 13; ++c) fmt::print("{:>4.0f}", 100 * Sum(chart, r, c, kinds));
    fmt::print("\n");
  }
}

std::string Svg(const Chart& chart, const std::string& title) {
  constexpr int kCell = 46, kLeft = 10, kTop = 52;
  // Fold blue, check/call green, raises from orange to dark red, all-in black.
  auto colour = [&](std::size_t a) -> std::string {
    switch (chart.kinds[a]) {
      case ActionKind::kFold: return "#4a78b5";
      case ActionKind::kCheck:
      case ActionKind::kCall: return "#5aa85a";
      case ActionKind::kAllIn: return "#3a1010";
      case ActionKind::kRaise: break;
    }
    int raises = 0, index = 0;
    for (std::size_t b = 0; b < chart.kinds.size(); ++b) {
      if (chart.kinds[b] == ActionKind::kRaise) {
        if (b == a) index = raises;
        ++raises;
      }
    }
    static constexpr const char* kRaise[] = {"#f0a040", "#e06030", "#c03020", "#901818"};
    return kRaise[std::min(3, raises <= 1 ? 1 : index * 3 / std::max(1, raises - 1))];
  };
  const int width = kLeft * 2 + 13 * kCell, height = kTop + 13 * kCell + 50;
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif">)",
                                width, height);
  svg += R"(<rect width="100%" height="100%" fill="white"/>)";
  // The title in two lines: who and where, then the actions.
  const auto split = title.find("; ");
  svg += fmt::format(R"(<text x="{}" y="20" font-size="13">{}</text>)", kLeft, title.substr(0, split));
  if (split != std::string::npos)
    svg += fmt::format(R"(<text x="{}" y="38" font-size="13">{}</text>)", kLeft, title.substr(split + 2));
  for (int r = 0; r < 13; ++r) {
    for (int c = 0; c < 13; ++c) {
      const int x = kLeft + c * kCell, y = kTop + r * kCell;
      double left = 0;
      const auto& p = chart.probability[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
      for (std::size_t a = 0; a < p.size(); ++a) {  // one horizontal band per action
        const double w = p[a] * kCell;
        if (w > 0.05) {
          svg += fmt::format(R"(<rect x="{:.2f}" y="{}" width="{:.2f}" height="{}" fill="{}"/>)", x + left, y, w, kCell,
                             colour(a));
        }
        left += w;
      }
      svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="white"/>)", x, y, kCell, kCell);
      svg += fmt::format(R"(<text x="{}" y="{}" font-size="12" fill="white" text-anchor="middle">{}</text>)",
                         x + kCell / 2, y + kCell / 2 + 4, ChartHandName(r, c));
    }
  }
  int x = kLeft;
  for (std::size_t a = 0; a < chart.actions.size(); ++a) {
    svg += fmt::format(R"(<rect x="{}" y="{}" width="14" height="14" fill="{}"/>)", x, kTop + 13 * kCell + 16, colour(a));
    svg += fmt::format(R"(<text x="{}" y="{}" font-size="12">{}</text>)", x + 18, kTop + 13 * kCell + 28, chart.actions[a]);
    x += 40 + 8 * static_cast<int>(chart.actions[a].size());
  }
  svg += "</svg>\n";
  return svg;
}

int Show(const Chart& chart, std::uint64_t iterations, int seat, const std::string& position,
         const std::string& facing, const std::string& out) {
  std::string actions;
  for (const auto& a : chart.actions) actions += (actions.empty() ? "" : ", ") + a;
  const std::string title = fmt::format("{} (seat {}) facing {}: average strategy after {} iterations; actions {}",
                                        position, seat, facing.empty() ? "folds" : facing, iterations, actions);
  fmt::print("{}\n", title);
  PrintGrid(chart, "raise or all-in", {ActionKind::kRaise, ActionKind::kAllIn});
  PrintGrid(chart, "check or call", {ActionKind::kCheck, ActionKind::kCall});
  PrintGrid(chart, "fold", {ActionKind::kFold});
  if (!out.empty()) {
    WritePicture(Svg(chart, title), out, "--out");
    fmt::print("\nwrote {}\n", out);
  }
  return 0;
}

}  // namespace

std::uint32_t FindChartNode(const BettingTree& tree, int seat, const std::string& facing) {
  std::uint32_t node = BettingTree::kRoot;
  std::stringstream tokens(facing);
  std::string history;
  for (std::string token; std::getline(tokens, token, '-');) {
    if (token.empty()) continue;
    if (tree.IsTerminal(node)) {
      throw ConfigError(fmt::format("--facing {}: the hand is over after '{}'", Printable(facing), history));
    }
    std::string actions;
    int found = -1;
    for (int a = 0; a < tree.NumActions(node); ++a) {
      const std::string name = abstraction::ActionName(tree.Action(node, a));
      actions += (actions.empty() ? "" : ", ") + name;
      if (name == token) found = a;
    }
    if (found < 0) {
      throw ConfigError(fmt::format("--facing {}: no action '{}' after '{}'; the actions there are {}",
                                    Printable(facing), Printable(token), history, actions));
    }
    node = tree.Child(node, found);
    history += (history.empty() ? "" : "-") + token;
  }
  while (!tree.IsTerminal(node) && tree.StreetOf(node) == 0 && tree.Player(node) != seat) {
    int fold = -1;
    for (int a = 0; a < tree.NumActions(node); ++a) {
      if (tree.Action(node, a).kind == ActionKind::kFold) fold = a;
    }
    if (fold < 0) break;
    node = tree.Child(node, fold);
  }
  if (tree.IsTerminal(node) || tree.StreetOf(node) != 0 || tree.Player(node) != seat) {
    std::string first;
    for (int a = 0; a < tree.NumActions(BettingTree::kRoot); ++a)
      first += (first.empty() ? "" : ", ") + abstraction::ActionName(tree.Action(BettingTree::kRoot, a));
    throw ConfigError(fmt::format("--facing '{}': seat {} has no preflop decision there; give the actions before it "
                                  "joined by '-' (the first player's are {})",
                                  Printable(facing), seat, first));
  }
  return node;
}

int SeatOf(const std::string& position, int players) {
  std::map<std::string, int> names;
  if (players == 2) {
    names = {{"btn", 0}, {"sb", 0}, {"bb", 1}};
  } else {
    names = {{"btn", 0}, {"sb", 1}, {"bb", 2}, {"co", players - 1}};
    if (players >= 4) names["utg"] = 3;
    if (players >= 5) names["hj"] = players - 2;
    if (players >= 6) names["mp"] = players - 2;
  }
  std::string lower = position;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (const auto it = names.find(lower); it != names.end()) return it->second;
  if (!lower.empty() && lower.size() <= 2 &&
      std::all_of(lower.begin(), lower.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const int seat = std::stoi(lower);  // at most two digits: no overflow
    if (seat < players) return seat;
  }
  std::string known;
  for (const auto& [name, seat] : names) known += fmt::format("{}{} (seat {})", known.empty() ? "" : ", ", name, seat);
  throw ConfigError(fmt::format("--position: expected a seat from 0 to {} or one of {}, found '{}'", players - 1,
                                known, Printable(position)));
}

int PrintPreflopChart(const CheckpointData& ckpt, const Config& config, const InspectOptions& options) {
  if (!options.out.empty()) CheckPictureName(options.out, "--out");
  if (!IsNoLimit(config.game.name)) {
    throw ConfigError(fmt::format("--preflop-chart: the checkpoint is of game {}; charts are for nlhe and nlhe_preflop",
                                  NameOf(config.game.name)));
  }
  const int seat = SeatOf(options.position, config.game.players);
  return WithGame(config, {}, [&](const auto& game) {
    using G = std::decay_t<decltype(game)>;
    if constexpr (std::is_same_v<G, abstraction::NlheGame> || std::is_same_v<G, abstraction::PreflopGame>) {
      const std::uint32_t node = FindChartNode(game.tree(), seat, options.facing);
      const Chart chart = FromCheckpoint(game, ckpt, node, [&](std::uint32_t cls) {
        if constexpr (std::is_same_v<G, abstraction::NlheGame>) {
          return game.buckets().BucketOfIndex(0, cls);
        } else {
          return cls;  // the 169 lossless classes are the buckets
        }
      });
      return Show(chart, ckpt.iterations, seat, options.position, options.facing, options.out);
    } else {
      return 2;  // refused above
    }
  });
}

PreflopChart BlueprintChart(const Blueprint& blueprint, const std::string& position, const std::string& facing) {
  const int seat = SeatOf(position, blueprint.config().game.players);
  const auto& game = blueprint.game();
  const std::uint32_t node = FindChartNode(game.tree(), seat, facing);
  const int n = game.NumActions(node);
  PreflopChart chart = Build(
      game, node, [&](std::uint32_t cls) { return game.buckets().BucketOfIndex(0, cls); },
      [&](std::uint32_t bucket, double* p) {
        const float* f = blueprint.At(node, bucket);
        for (int a = 0; a < n; ++a) p[a] = f[a];
      });
  chart.seat = seat;
  return chart;
}

int PrintBlueprintChart(const Blueprint& blueprint, const InspectOptions& options) {
  if (!options.out.empty()) CheckPictureName(options.out, "--out");
  const PreflopChart chart = BlueprintChart(blueprint, options.position, options.facing);
  return Show(chart, blueprint.iterations(), chart.seat, options.position, options.facing, options.out);
}

}  // namespace bp::trainer
