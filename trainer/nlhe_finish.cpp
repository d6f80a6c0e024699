#include "trainer/nlhe_finish.h"

#include <fmt/core.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/memory.h"
#include "trainer/blueprint.h"
#include "trainer/snapshot.h"

namespace bp::trainer {

std::string WriteNlheBlueprintTo(const NlheFinish& f, const RunDir& run, const std::filesystem::path& path,
                                 std::vector<std::string>& skipped) {
  const std::uint64_t averaged_entries = f.strategy_sum.size();
  std::vector<float> probabilities;
  base::AllocatePopulatedPrivate(probabilities, f.layout.num_entries());
  const std::span<float> averaged = std::span<float>(probabilities).first(averaged_entries);
  const std::span<float> rest = std::span<float>(probabilities).subspan(averaged_entries);
  StrategyProbabilities(f.layout, f.regrets.data(), f.strategy_sum, 0, averaged);
  std::string after = "current strategy after it";
  // After the averaged streets: the mean of the snapshots, or else the
  // current strategy (computed only then).
  int used = 0;
  if (!rest.empty()) {
    used = MeanOfSnapshots(run, f.layout_fingerprint, averaged_entries, rest, skipped);
    if (used > 0) after = fmt::format("the mean of {} current-strategy snapshot(s) after it", used);
  }
  if (used == 0) StrategyProbabilities(f.layout, f.regrets.data(), f.strategy_sum, averaged_entries, rest);
  Blueprint::Write(path, f.config, f.iterations, f.bucket_fingerprint, probabilities);
  return averaged_entries == f.layout.num_entries() ? "average strategy" : "preflop average strategy, " + after;
}

void WriteNlheBlueprint(const NlheFinish& f, const RunDir& run, RunLog& log) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> skipped;
  const std::string what = WriteNlheBlueprintTo(f, run, run.Blueprint(), skipped);
  for (const std::string& s : skipped) log.Warn("snapshot skipped: {}", s);
  log.Info("blueprint {} written in {:.1f} s: {}", run.Blueprint().string(),
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), what);
}

}  // namespace bp::trainer
