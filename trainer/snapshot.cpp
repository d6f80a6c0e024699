#include "trainer/snapshot.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "base/coding.h"

namespace bp::trainer {

const base::FrameFormat kSnapshotFormat{"BPSNAPS1",
                                        "snapshot",
                                        3,
                                        {{1, base::FrameLayout::kNoLength, base::Checksum::Kind::kFnv1a64},
                                         {2, base::FrameLayout::kNoLength, base::Checksum::Kind::kXxh3}},
                                        {}};

namespace {

constexpr std::size_t kHeaderBytes = 32;
constexpr std::size_t kChunkFloats = std::size_t{1} << 20;  // 4 MiB read at a time

// Opens and checks one snapshot without holding it in memory: frame and
// checksum (the file read once in chunks), abstraction and range. An error
// message, or empty and `in` positioned at the first probability.
std::string OpenSnapshot(const std::filesystem::path& path, std::uint64_t fingerprint, std::uint64_t first,
                         std::uint64_t count, std::ifstream& in, std::vector<float>& chunk) {
  in.open(path, std::ios::binary);
  if (!in) return fmt::format("{}: cannot open snapshot file: {}", path.string(), std::strerror(errno));
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return fmt::format("{}: cannot stat: {}", path.string(), ec.message());
  base::FrameInfo frame;
  try {
    frame = base::CheckFrameStreaming(in, size, kSnapshotFormat, path,
                                      {reinterpret_cast<char*>(chunk.data()), chunk.size() * sizeof(float)});
  } catch (const base::FileError& e) {
    return e.what();
  }
  char header[kHeaderBytes];
  if (frame.body_bytes < kHeaderBytes || !in.read(header, kHeaderBytes)) return path.string() + ": truncated";
  const auto n = base::GetFixed<std::uint64_t>(header + 24);
  if (n != (frame.body_bytes - kHeaderBytes) / sizeof(float) || frame.body_bytes != kHeaderBytes + n * sizeof(float)) {
    return path.string() + ": truncated";
  }
  if (base::GetFixed<std::uint64_t>(header + 8) != fingerprint) return path.string() + ": taken with another abstraction";
  const auto from = base::GetFixed<std::uint64_t>(header + 16);
  if (from != first || n != count) {
    return fmt::format("{}: covers entries [{}, {}), this run's postflop is [{}, {})", path.string(), from, from + n,
                       first, first + count);
  }
  return "";
}

}  // namespace

void WriteSnapshot(const std::filesystem::path& path, const SnapshotHeader& header, std::span<const float> probabilities) {
  base::WriteFramedFile(path, kSnapshotFormat, kHeaderBytes + probabilities.size_bytes(), [&](base::FileSink& out) {
    out.Put<std::uint64_t>(header.iteration);
    out.Put<std::uint64_t>(header.layout_fingerprint);
    out.Put<std::uint64_t>(header.first_entry);
    out.Put<std::uint64_t>(probabilities.size());
    out.Write(probabilities.data(), probabilities.size_bytes());
  });
}

int MeanOfSnapshots(const RunDir& run, std::uint64_t layout_fingerprint, std::uint64_t first_entry,
                    std::span<float> out, std::vector<std::string>& skipped) {
  std::vector<std::filesystem::path> files = run.ListSnapshots();
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
        bad.push_back(error);
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
