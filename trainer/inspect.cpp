#include <fmt/core.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "trainer/blueprint.h"
#include "trainer/picture.h"
#include "trainer/preflop_chart.h"
#include "solver/regret_matching.h"
#include "solver/table_layout.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/game_registry.h"
#include "trainer/median.h"
#include "trainer/metrics.h"
#include "trainer/run_dir.h"
#include "trainer/strength_curve.h"
#include "trainer/train_main.h"

namespace bp::trainer {

namespace {

namespace fs = std::filesystem;

using Series = std::vector<std::pair<double, double>>;

// One SVG panel: a polyline per series of (x, y) points, in a box at vertical
// offset `top`, all series on the same axes.
std::string Panel(const std::vector<Series>& series, double top, const std::string& title, bool log_y,
                  const std::vector<std::string>& colours = {}) {
  static constexpr const char* kColours[] = {"#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f"};
  constexpr double kLeft = 70, kWidth = 620, kHeight = 160;
  std::string svg = fmt::format(R"(<text x="{}" y="{}" font-size="14">{}</text>)", kLeft, top - 8, title);
  svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#888"/>)", kLeft, top, kWidth,
                     kHeight);
  auto ty = [&](double y) { return log_y ? std::log10(std::max(y, 1e-9)) : y; };
  bool any = false;
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  for (const Series& points : series) {
    for (const auto& [x, y] : points) {
      if (!any) {
        x0 = x1 = x;
        y0 = y1 = ty(y);
        any = true;
      }
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, ty(y));
      y1 = std::max(y1, ty(y));
    }
  }
  if (!any) return svg;
  if (!log_y) y0 = std::min(y0, 0.0);
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  for (std::size_t i = 0; i < series.size(); ++i) {
    std::string poly;
    for (const auto& [x, y] : series[i]) {
      poly += fmt::format("{:.1f},{:.1f} ", kLeft + (x - x0) / (x1 - x0) * kWidth,
                          top + kHeight - (ty(y) - y0) / (y1 - y0) * kHeight);
    }
    svg += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>)",
                       i < colours.size() ? colours[i] : std::string(kColours[i % std::size(kColours)]), poly);
  }
  auto label = [&](double v) { return log_y ? fmt::format("{:.2g}", std::pow(10.0, v)) : fmt::format("{:.3g}", v); };
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>)", kLeft - 4, top + 10, label(y1));
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>)", kLeft - 4, top + kHeight,
                     label(y0));
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="11">{:.0f} s</text>)", kLeft, top + kHeight + 14, x0);
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="end">{:.0f} s</text>)", kLeft + kWidth,
                     top + kHeight + 14, x1);
  return svg;
}

// The curve rows of the settings (actions, streets) with the most points.
std::vector<CurveRow> MainCurve(const std::vector<CurveRow>& curve) {
  std::vector<CurveRow> best;
  for (const CurveRow& first : curve) {
    std::vector<CurveRow> group;
    for (const CurveRow& r : curve) {
      if (r.actions == first.actions && r.streets == first.streets) group.push_back(r);
    }
    if (group.size() > best.size()) best = std::move(group);
  }
  std::stable_sort(best.begin(), best.end(), [](const CurveRow& a, const CurveRow& b) { return a.iterations < b.iterations; });
  return best;
}

void WritePlot(const std::vector<MetricsRow>& rows, const std::vector<CurveRow>& curve, const fs::path& out) {
  CheckPictureName(out, "--plot");
  Series rate, expl, sync;
  std::vector<Series> cpu;
  for (const MetricsRow& r : rows) {
    if (r.final) continue;
    rate.emplace_back(r.t, r.iterations_per_s);
    for (std::size_t w = 0; w < r.workers.size(); ++w) {
      if (cpu.size() <= w) cpu.resize(w + 1);
      cpu[w].emplace_back(r.t, r.workers[w].cpu_pct);
    }
    if (r.exploitability) expl.emplace_back(r.t, *r.exploitability);
    if (r.sync_s) sync.emplace_back(r.t, 1000 * *r.sync_s);
  }
  const int height = sync.empty() ? 640 : 845;
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="720" height="{}" font-family="sans-serif">)",
                                height);
  svg += R"(<rect width="100%" height="100%" fill="white"/>)";
  svg += Panel({rate}, 30, "iterations per second", false);
  svg += Panel(cpu, 235, "CPU % of each worker (one line per worker; 100 = one core)", false);
  const std::vector<CurveRow> lbr = MainCurve(curve);
  if (expl.empty() && !lbr.empty()) {  // no exact exploitability (no-limit): the strength curve
    Series mean, low, high;
    for (const CurveRow& r : lbr) {
      mean.emplace_back(r.t, r.mbb);
      low.emplace_back(r.t, r.mbb - r.ci95);
      high.emplace_back(r.t, r.mbb + r.ci95);
    }
    svg += Panel({low, high, mean}, 440,
                 fmt::format("LBR {} {} (mbb/g), with its 95% interval, against training time", lbr[0].actions,
                             lbr[0].streets),
                 false, {"#9e9e9e", "#9e9e9e", "#c62828"});
  } else {
    svg += Panel({expl}, 440, "exploitability (log scale)", true);
  }
  if (!sync.empty()) svg += Panel({sync}, 645, "sync exchange across MPI ranks (ms, the last before each row)", false);
  svg += "</svg>\n";
  WritePicture(svg, out, "--plot");
}

int InspectRun(const fs::path& dir, const InspectOptions& options) {
  std::vector<std::string> skipped;
  const auto rows = ReadMetricsFile(RunDir(dir).Metrics(), skipped);
  fmt::print("run {}\n", dir.string());
  std::ifstream cfg(RunDir(dir).Config());
  std::stringstream text;
  text << cfg.rdbuf();
  fmt::print("\n{}\n", text.str());
  for (const std::string& s : skipped) fmt::print("{}\n", s);
  if (rows.empty()) {
    fmt::print("no metrics yet\n");
    return 0;
  }
  const MetricsRow& last = rows.back();
  fmt::print("iterations {}  time {:.1f} s  {}\n", last.iterations, last.t,
             last.final ? "finished (" + last.stop_reason + ")" : "still running or killed");
  fmt::print("batches: {} issued, {} lost, {} issued again, {} applied; worker deaths {}\n", last.batches_issued,
             last.batches_lost, last.batches_reissued, last.batches_applied, last.worker_deaths);

  fmt::print("\n{:>8} {:>14} {:>12} {:>10} {:>15}\n", "t (s)", "iterations", "it/s", "worker cpu", "exploitability");
  const std::size_t step = std::max<std::size_t>(1, rows.size() / 12);
  for (std::size_t i = 0; i < rows.size(); i += step) {
    const MetricsRow& r = rows[i];
    fmt::print("{:>8.1f} {:>14} {:>12.0f} {:>9.0f}% {:>15}\n", r.t, r.iterations, r.iterations_per_s, r.MeanWorkerCpu(),
               r.exploitability ? fmt::format("{:.6f}", *r.exploitability) : "");
  }

  fmt::print("\nworker CPU after the first 3 s (100 = one core):\n");
  fmt::print("{:>7} {:>8} {:>8} {:>10} {:>13}\n", "worker", "median", "min", "put waits", "put timeouts");
  for (std::size_t w = 0; w < last.workers.size(); ++w) {
    std::vector<double> cpu;
    for (const MetricsRow& r : rows) {
      if (r.t > 3 && !r.final && w < r.workers.size()) cpu.push_back(r.workers[w].cpu_pct);
    }
    fmt::print("{:>7} {:>7.1f}% {:>7.1f}% {:>10} {:>13}\n", w, Median(cpu),
               cpu.empty() ? 0.0 : *std::min_element(cpu.begin(), cpu.end()), last.workers[w].put_waits,
               last.workers[w].put_timeouts);
  }

  if (!last.ranks.empty()) {
    fmt::print("\nranks (MPI), after the first 3 s: {} syncs; the last exchange {:.2f} ms and {} bytes from rank 0\n",
               last.syncs, 1000 * last.sync_s.value_or(0), last.sync_bytes);
    fmt::print("{:>5} {:>14} {:>14} {:>12}\n", "rank", "iterations", "median it/s", "worker cpu");
    std::vector<double> sync_ms;
    for (const MetricsRow& r : rows) {
      if (r.sync_s && !r.final && r.t > 3) sync_ms.push_back(1000 * *r.sync_s);
    }
    for (std::size_t k = 0; k < last.ranks.size(); ++k) {
      std::vector<double> rate, cpu;
      for (const MetricsRow& r : rows) {
        if (r.t > 3 && !r.final && k < r.ranks.size()) {
          rate.push_back(r.ranks[k].iterations_per_s);
          cpu.push_back(r.ranks[k].worker_cpu_pct);
        }
      }
      fmt::print("{:>5} {:>14} {:>14.0f} {:>11.0f}%\n", k, last.ranks[k].iterations, Median(rate), Median(cpu));
    }
    fmt::print("median sync exchange {:.2f} ms over {} rows\n", Median(sync_ms), sync_ms.size());
  }

  fmt::print("\ncheckpoints:\n");
  for (const auto& path : RunDir(dir).ListCheckpoints()) {
    fmt::print("  {}  {:.1f} MiB\n", path.filename().string(), fs::file_size(path) / 1048576.0);
  }
  std::vector<std::string> curve_skipped;
  const std::vector<CurveRow> curve = ReadCurve(RunDir(dir).Lbr(), curve_skipped);
  for (const std::string& s : curve_skipped) fmt::print("{}\n", s);
  std::vector<std::pair<std::string, std::string>> settings;
  for (const CurveRow& r : curve) {
    if (std::find(settings.begin(), settings.end(), std::pair{r.actions, r.streets}) == settings.end()) {
      settings.emplace_back(r.actions, r.streets);
    }
  }
  for (const auto& [actions, streets] : settings) {
    fmt::print("\nstrength curve (LBR {}, streets {}), LBR's winnings in mbb per hand:\n", actions, streets);
    fmt::print("{:>14} {:>10} {:>10} {:>9} {:>9}\n", "iterations", "t (s)", "mbb/g", "+/- 95%", "hands");
    for (const CurveRow& r : curve) {
      if (r.actions != actions || r.streets != streets) continue;
      fmt::print("{:>14} {:>10.0f} {:>+10.0f} {:>9.0f} {:>9}\n", r.iterations, r.t, r.mbb, r.ci95, r.hands);
    }
  }
  if (settings.empty() && !RunDir(dir).ListCurvePoints().empty()) {
    fmt::print("\nstrength curve: {} point(s) in {}, none evaluated yet (eval_blueprint --lbr --curve {})\n",
               RunDir(dir).ListCurvePoints().size(), RunDir(dir).Curve().string(), dir.string());
  }
  if (!options.plot.empty()) {
    WritePlot(rows, curve, options.plot);
    fmt::print("\nplot written to {}\n", options.plot);
  }
  return 0;
}

template <class G>
int PrintInfoset(const G& game, const CheckpointData& ckpt, const std::string& name) {
  const solver::TableLayout layout(game);
  if (layout.num_entries() != ckpt.num_regrets()) {
    throw CheckpointError(fmt::format("checkpoint holds {} entries, the game has {}", ckpt.num_regrets(),
                                      layout.num_entries()));
  }
  const auto ref = layout.FindInfoset(game, name);
  if (!ref) {
    throw ConfigError(fmt::format("--infoset: no information set named '{}'; names look like '{}' or '{}'", name,
                                  game.InfosetName(game.Root(), 0), game.InfosetName(game.Child(game.Root(), 0), 1)));
  }
  const int n = game.NumActions(ref->node);
  const std::uint64_t base = layout.entry_offset(ref->node) + static_cast<std::uint64_t>(ref->bucket) * n;
  // Strategy sums may have been kept for the first street only (solver.average).
  const bool has_average = base + static_cast<std::uint64_t>(n) <= ckpt.strategy_sum.size();
  double average[solver::kMaxActions], current[solver::kMaxActions];
  if (has_average) solver::NormalizeStrategySum(ckpt.strategy_sum.data() + base, n, average);
  ckpt.CurrentStrategy(base, n, current);
  fmt::print("infoset {} (player {}), after {} iterations{}\n", name, game.Player(ref->node), ckpt.iterations,
             has_average ? "" : " (no average strategy kept on this street)");
  fmt::print("{:>8} {:>10} {:>10} {:>14}\n", "action", "average", "current", "regret");
  for (int a = 0; a < n; ++a) {
    fmt::print("{:>8} {:>10} {:>10.4f} {:>14.2f}\n", game.ActionName(ref->node, a),
               has_average ? fmt::format("{:.4f}", average[a]) : std::string("-"), current[a],
               ckpt.Regret(base + a));
  }
  return 0;
}

int InspectCheckpoint(const fs::path& path, const InspectOptions& options) {
  const CheckpointData ckpt = ReadCheckpoint(path);
  const Config config = ParseConfig(ckpt.config_yaml, path.string() + " (its config)", {}, Inapplicable::kIgnoreInText);
  if (options.preflop_chart) return PrintPreflopChart(ckpt, config, options);
  if (options.infoset.empty()) {
    fmt::print("checkpoint {}\n  game {}  iterations {}  batches applied {}  pending {}  next batch id {}\n"
               "  abstraction {}\n  training time {:.1f} s  table entries {}  written by {}\n",
               path.string(), NameOf(config.game.name), ckpt.iterations, ckpt.batches_applied, ckpt.pending.size(),
               ckpt.next_batch_id, ckpt.abstraction_fingerprint, ckpt.elapsed_s, ckpt.num_regrets(),
               ckpt.ranks > 1 ? fmt::format("{} MPI ranks", ckpt.ranks) : std::string("one machine"));
    return 0;
  }
  return WithGame(config, {}, [&](const auto& game) { return PrintInfoset(game, ckpt, options.infoset); });
}

}  // namespace

int Inspect(const InspectOptions& options) {
  const fs::path target(options.target);
  if (fs::is_directory(target)) {
    if (!options.infoset.empty() || options.preflop_chart) {
      throw ConfigError(fmt::format("{} needs a checkpoint file, e.g. {}", options.preflop_chart ? "--preflop-chart" : "--infoset",
                                    (RunDir(target).Checkpoints() / "ckpt-N.bin").string()));
    }
    return InspectRun(target, options);
  }
  if (fs::is_regular_file(target)) {
    char magic[8] = {};
    std::ifstream(target, std::ios::binary).read(magic, 8);
    if (std::string_view(magic, 8) == kBlueprintFormat.magic) {
      if (!options.preflop_chart) {
        throw ConfigError(fmt::format("{} is a blueprint: inspect it with --preflop-chart, or query it with "
                                      "'train_blueprint query'",
                                      target.string()));
      }
      return PrintBlueprintChart(Blueprint::Open(target.string()), options);
    }
    return InspectCheckpoint(target, options);
  }
  throw ConfigError(options.target + ": no such run directory or checkpoint file");
}

}  // namespace bp::trainer
