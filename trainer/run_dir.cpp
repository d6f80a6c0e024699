#include "trainer/run_dir.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <utility>

namespace bp::trainer {

namespace {

constexpr std::string_view kCheckpointPrefix = "ckpt-", kSnapshotPrefix = "snapshot-", kCurvePrefix = "blueprint-";

// (iteration, path) of the files of `dir` named "<prefix><digits>.bin", by iteration.
std::vector<std::pair<std::uint64_t, std::filesystem::path>> Numbered(const std::filesystem::path& dir,
                                                                       std::string_view prefix) {
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (const auto it = RunDir::IterationOf(entry.path().filename().string(), prefix)) found.emplace_back(*it, entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

std::filesystem::path RunDir::Checkpoint(std::uint64_t iteration) const {
  return Checkpoints() / fmt::format("{}{}.bin", kCheckpointPrefix, iteration);
}

std::filesystem::path RunDir::Snapshot(std::uint64_t iteration) const {
  return Snapshots() / fmt::format("{}{}.bin", kSnapshotPrefix, iteration);
}

std::optional<std::uint64_t> RunDir::IterationOf(std::string_view name, std::string_view prefix) {
  constexpr std::string_view kSuffix = ".bin";
  if (name.size() <= prefix.size() + kSuffix.size() || !name.starts_with(prefix) || !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - kSuffix.size());
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.front() == '+') return std::nullopt;
  return value;
}

std::vector<std::filesystem::path> RunDir::ListCheckpoints() const {
  std::vector<std::filesystem::path> out;
  for (auto& [iteration, path] : Numbered(Checkpoints(), kCheckpointPrefix)) out.push_back(std::move(path));
  std::reverse(out.begin(), out.end());
  return out;
}

std::filesystem::path RunDir::CurvePoint(std::uint64_t iteration) const {
  return Curve() / fmt::format("{}{}.bin", kCurvePrefix, iteration);
}

std::vector<std::pair<std::uint64_t, std::filesystem::path>> RunDir::ListCurvePoints() const {
  return Numbered(Curve(), kCurvePrefix);
}

std::vector<std::filesystem::path> RunDir::ListSnapshots() const {
  std::vector<std::filesystem::path> out;
  for (auto& [iteration, path] : Numbered(Snapshots(), kSnapshotPrefix)) out.push_back(std::move(path));
  return out;
}

void RunDir::PruneCheckpoints(int keep) const {
  const auto all = ListCheckpoints();
  for (std::size_t i = static_cast<std::size_t>(std::max(keep, 0)); i < all.size(); ++i) {
    std::error_code ec;
    std::filesystem::remove(all[i], ec);
  }
}

std::vector<std::filesystem::path> RunDir::RemoveTemporaries() const {
  std::vector<std::filesystem::path> removed;
  auto sweep = [&](const std::filesystem::path& dir, auto ours) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.size() <= 4 || !name.ends_with(".tmp") || !ours(std::string_view(name).substr(0, name.size() - 4))) {
        continue;
      }
      std::error_code gone;
      if (entry.is_regular_file(gone) && std::filesystem::remove(entry.path(), gone)) removed.push_back(entry.path());
    }
  };
  sweep(root_, [](std::string_view n) { return n == "config.yaml" || n == "blueprint.bin"; });
  sweep(Checkpoints(), [](std::string_view n) { return IterationOf(n, kCheckpointPrefix).has_value(); });
  sweep(Snapshots(), [](std::string_view n) { return IterationOf(n, kSnapshotPrefix).has_value(); });
  sweep(Curve(), [](std::string_view n) { return IterationOf(n, kCurvePrefix).has_value(); });
  std::sort(removed.begin(), removed.end());
  return removed;
}

}  // namespace bp::trainer
