// Helpers of the libFuzzer targets (tests/fuzz): inputs as files in the
// frame of a format, with a valid checksum, so that a target fuzzes the body
// behind the checksum as well as the raw file; and seed files written from
// real data when BP_FUZZ_SEEDS names a folder (scripts/fuzz).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>

#include "base/checksum.h"
#include "base/coding.h"
#include "base/file_frame.h"

namespace bp::fuzz {

// The first byte chooses: odd, the rest is the whole file; even, the rest is
// the body of a valid frame of `format`'s current version.
inline std::string AsFile(const std::uint8_t* data, std::size_t size, const base::FrameFormat& format) {
  if (size == 0) return {};
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) != 0) return std::string(rest);
  std::string file(format.magic);
  base::PutFixed<std::uint32_t>(file, format.version);
  base::PutFixed<std::uint32_t>(file, 0);
  base::PutFixed<std::uint64_t>(file, rest.size());
  file += rest;
  base::PutFixed<std::uint64_t>(file, base::Checksum::Of(base::Checksum::Kind::kXxh3, file.data(), file.size()));
  return file;
}

// A scratch file of this process, rewritten for every input.
inline std::filesystem::path Scratch(const char* name) {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("bp-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir / name;
}

inline void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Where to write seeds, if this run is to (then the target exits after).
inline const char* SeedFolder() { return std::getenv("BP_FUZZ_SEEDS"); }

// A seed: `mode` (1 raw, 0 body) then `bytes`.
inline void Seed(const char* name, bool raw, std::string_view bytes) {
  const std::filesystem::path dir = SeedFolder();
  std::filesystem::create_directories(dir);
  WriteFile(dir / name, std::string(1, raw ? '\x01' : '\x00') + std::string(bytes));
}

// The body of a current-version file (what follows its 24-byte header).
inline std::string BodyOf(const std::string& file) {
  return file.size() < 32 ? std::string() : file.substr(24, file.size() - 32);
}

inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace bp::fuzz
