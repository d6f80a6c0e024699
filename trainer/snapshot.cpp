#include "trainer/snapshot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "abstraction/fnv.h"
#include "ipc/segment.h"
#include "trainer/checkpoint.h"

namespace bp::trainer {

namespace {

constexpr char kMagic[8] = {'B', 'P', 'S', 'N', 'A', 'P', 'S', '1'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 48;

template <class T>
void Put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

template <class T>
T Get(const char* bytes, std::size_t at) {
  T value;
  std::memcpy(&value, bytes + at, sizeof(value));
  return value;
}

// Reads and checks one snapshot; an error message, or empty and `out` filled.
// The probabilities are read straight into `out` (populated memory, see
// ipc::PopulatePages), the checksum computed as they arrive.
std::string ReadSnapshot(const std::filesystem::path& path, std::uint64_t fingerprint, std::uint64_t first,
                         std::uint64_t count, std::vector<float>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot open: ") + std::strerror(errno);
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  char header[kHeaderBytes];
  if (ec || size < kHeaderBytes + 8 || !in.read(header, kHeaderBytes) || std::memcmp(header, kMagic, 8) != 0) {
    return "not a snapshot file";
  }
  if (Get<std::uint32_t>(header, 8) != kVersion) {
    return fmt::format("version {}, this build reads version {}", Get<std::uint32_t>(header, 8), kVersion);
  }
  const std::uint64_t n = Get<std::uint64_t>(header, 40);
  if (n > (size - kHeaderBytes - 8) / sizeof(float) || size != kHeaderBytes + n * sizeof(float) + 8) return "truncated";
  if (out.size() != n) ipc::AllocatePopulatedPrivate(out, n);
  std::uint64_t hash = abstraction::Fnv1a64(header, kHeaderBytes);
  constexpr std::uint64_t kChunk = 1 << 20;  // floats
  for (std::uint64_t at = 0; at < n; at += kChunk) {
    const std::uint64_t k = std::min(kChunk, n - at);
    if (!in.read(reinterpret_cast<char*>(out.data() + at), static_cast<std::streamsize>(k * sizeof(float)))) {
      return "truncated";
    }
    hash = abstraction::Fnv1a64(out.data() + at, k * sizeof(float), hash);
  }
  std::uint64_t stored = 0;
  if (!in.read(reinterpret_cast<char*>(&stored), sizeof(stored))) return "truncated";
  if (hash != stored) return "checksum mismatch (corrupt)";
  if (Get<std::uint64_t>(header, 24) != fingerprint) return "taken with another abstraction";
  if (Get<std::uint64_t>(header, 32) != first || n != count) {
    return fmt::format("covers entries [{}, {}), this run's postflop is [{}, {})", Get<std::uint64_t>(header, 32),
                       Get<std::uint64_t>(header, 32) + n, first, first + count);
  }
  return "";
}

}  // namespace

std::filesystem::path SnapshotPath(const std::filesystem::path& logdir, std::uint64_t iteration) {
  return logdir / "snapshots" / fmt::format("snapshot-{}.bin", iteration);
}

void WriteSnapshot(const std::filesystem::path& path, const SnapshotHeader& header, std::span<const float> probabilities) {
  std::string head(kMagic, 8);
  Put<std::uint32_t>(head, kVersion);
  Put<std::uint32_t>(head, 0);
  Put<std::uint64_t>(head, header.iteration);
  Put<std::uint64_t>(head, header.layout_fingerprint);
  Put<std::uint64_t>(head, header.first_entry);
  Put<std::uint64_t>(head, probabilities.size());
  const std::uint64_t checksum =
      abstraction::Fnv1a64(probabilities.data(), probabilities.size_bytes(), abstraction::Fnv1a64(head.data(), head.size()));
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    out.write(reinterpret_cast<const char*>(probabilities.data()), static_cast<std::streamsize>(probabilities.size_bytes()));
    out.write(reinterpret_cast<const char*>(&checksum), sizeof(checksum));
    out.flush();
    if (!out) throw CheckpointError(fmt::format("{}: cannot write the snapshot", tmp.string()));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw CheckpointError(fmt::format("{}: cannot rename into place: {}", path.string(), ec.message()));
}

std::vector<float> MeanOfSnapshots(const std::filesystem::path& logdir, std::uint64_t layout_fingerprint,
                                   std::uint64_t first_entry, std::uint64_t count, int& used,
                                   std::vector<std::string>& skipped) {
  used = 0;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(logdir / "snapshots", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("snapshot-") && name.ends_with(".bin")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<double> sum;
  std::vector<float> one;  // allocated once, reused for every file
  for (const auto& file : files) {
    const std::string error = ReadSnapshot(file, layout_fingerprint, first_entry, count, one);
    if (!error.empty()) {
      skipped.push_back(file.string() + ": " + error);
      continue;
    }
    if (sum.empty()) ipc::AllocatePopulatedPrivate(sum, count);
    for (std::uint64_t i = 0; i < count; ++i) sum[i] += one[i];
    ++used;
  }
  std::vector<float> mean;
  if (used == 0) return mean;
  ipc::AllocatePopulatedPrivate(mean, count);
  for (std::uint64_t i = 0; i < count; ++i) mean[i] = static_cast<float>(sum[i] / used);
  return mean;
}

}  // namespace bp::trainer
