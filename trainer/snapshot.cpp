#include "trainer/snapshot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "abstraction/checksum.h"
#include "trainer/checkpoint.h"

namespace bp::trainer {

namespace {

constexpr char kMagic[8] = {'B', 'P', 'S', 'N', 'A', 'P', 'S', '1'};
// 2: XXH3-64 checksum; 1 (earlier versions, still read): FNV-1a 64.
constexpr std::uint32_t kVersion = 2;
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

constexpr std::size_t kChunkFloats = std::size_t{1} << 20;  // 4 MiB read at a time

// Opens and checks one snapshot without holding it in memory: header, size,
// checksum (the file read once in chunks), abstraction and range. An error
// message, or empty and `in` positioned at the first probability.
std::string OpenSnapshot(const std::filesystem::path& path, std::uint64_t fingerprint, std::uint64_t first,
                         std::uint64_t count, std::ifstream& in, std::vector<float>& chunk) {
  in.open(path, std::ios::binary);
  if (!in) return std::string("cannot open: ") + std::strerror(errno);
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  char header[kHeaderBytes];
  if (ec || size < kHeaderBytes + 8 || !in.read(header, kHeaderBytes) || std::memcmp(header, kMagic, 8) != 0) {
    return "not a snapshot file";
  }
  const std::uint32_t version = Get<std::uint32_t>(header, 8);
  if (version != kVersion && version != 1) {
    return fmt::format("version {}, this build reads versions 1 and {}", version, kVersion);
  }
  const std::uint64_t n = Get<std::uint64_t>(header, 40);
  if (n > (size - kHeaderBytes - 8) / sizeof(float) || size != kHeaderBytes + n * sizeof(float) + 8) return "truncated";
  abstraction::Checksum hash(version == 1 ? abstraction::Checksum::Kind::kFnv1a64 : abstraction::Checksum::Kind::kXxh3);
  hash.Update(header, kHeaderBytes);
  for (std::uint64_t at = 0; at < n; at += kChunkFloats) {
    const std::uint64_t k = std::min<std::uint64_t>(kChunkFloats, n - at);
    if (!in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(k * sizeof(float)))) {
      return "truncated";
    }
    hash.Update(chunk.data(), k * sizeof(float));
  }
  std::uint64_t stored = 0;
  if (!in.read(reinterpret_cast<char*>(&stored), sizeof(stored))) return "truncated";
  if (hash.Value() != stored) return "checksum mismatch (corrupt)";
  if (Get<std::uint64_t>(header, 24) != fingerprint) return "taken with another abstraction";
  if (Get<std::uint64_t>(header, 32) != first || n != count) {
    return fmt::format("covers entries [{}, {}), this run's postflop is [{}, {})", Get<std::uint64_t>(header, 32),
                       Get<std::uint64_t>(header, 32) + n, first, first + count);
  }
  in.seekg(static_cast<std::streamoff>(kHeaderBytes));
  return in ? "" : "cannot seek back to the probabilities";
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
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".tmp";
  if (!WriteChecksummed(tmp, head, probabilities)) {
    throw CheckpointError(fmt::format("{}: cannot write the snapshot", tmp.string()));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw CheckpointError(fmt::format("{}: cannot rename into place: {}", path.string(), ec.message()));
}

int MeanOfSnapshots(const std::filesystem::path& logdir, std::uint64_t layout_fingerprint, std::uint64_t first_entry,
                    std::span<float> out, std::vector<std::string>& skipped) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(logdir / "snapshots", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("snapshot-") && name.ends_with(".bin")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  // A running mean straight into `out`, read in chunks: no table-sized
  // buffer (on a virtual machine, fresh memory costs more than the reading).
  std::vector<float> chunk(kChunkFloats);
  std::vector<std::string> unreadable;  // passed their check, failed the second read
  for (;;) {
    std::vector<std::string> bad;
    int used = 0;
    std::optional<std::size_t> failed;
    for (std::size_t f = 0; f < files.size() && !failed; ++f) {
      std::ifstream in;
      const std::string error = OpenSnapshot(files[f], layout_fingerprint, first_entry, out.size(), in, chunk);
      if (!error.empty()) {
        bad.push_back(files[f].string() + ": " + error);
        continue;
      }
      const float weight = 1.0f / static_cast<float>(used + 1);
      for (std::uint64_t at = 0; at < out.size() && !failed; at += kChunkFloats) {
        const std::uint64_t k = std::min<std::uint64_t>(kChunkFloats, out.size() - at);
        if (!in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(k * sizeof(float)))) {
          failed = f;
          break;
        }
        float* o = out.data() + at;
        if (used == 0) {
          std::copy_n(chunk.data(), k, o);
        } else {
          for (std::uint64_t i = 0; i < k; ++i) o[i] += (chunk[i] - o[i]) * weight;
        }
      }
      if (!failed) ++used;
    }
    if (!failed) {
      skipped.insert(skipped.end(), bad.begin(), bad.end());
      skipped.insert(skipped.end(), unreadable.begin(), unreadable.end());
      return used;
    }
    // `out` is part way between two means: start over without the file.
    unreadable.push_back(files[*failed].string() + ": could not be read again after its check");
    files.erase(files.begin() + static_cast<std::ptrdiff_t>(*failed));
  }
}

}  // namespace bp::trainer
