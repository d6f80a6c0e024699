#include "trainer/checkpoint.h"

#include <cereal/archives/binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <vector>

#include "abstraction/checksum.h"
#include "ipc/segment.h"
#include "solver/regret_matching.h"
#include "solver/tables.h"

namespace bp::trainer {

namespace {

// The frame: magic, body (cereal), body length, checksum of the body.
// BPCKPT02: XXH3-64; BPCKPT01 (earlier versions, still read): FNV-1a 64.
constexpr char kMagic[8] = {'B', 'P', 'C', 'K', 'P', 'T', '0', '2'};
constexpr char kMagicFnv[8] = {'B', 'P', 'C', 'K', 'P', 'T', '0', '1'};

void WriteAll(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw CheckpointError(fmt::format("{}: write failed: {}", path.string(), std::strerror(errno)));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void FsyncDir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Streams bytes to a file descriptor through a 1 MiB buffer, keeping the
// checksum and the length of everything written.
class ChecksumFileBuf : public std::streambuf {
 public:
  ChecksumFileBuf(int fd, const std::filesystem::path& path) : fd_(fd), path_(path), buffer_(1 << 20) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  std::uint64_t checksum() const { return hash_.Value(); }
  std::uint64_t length() const { return length_; }
  void Flush() {
    const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
    hash_.Update(pbase(), n);
    length_ += n;
    WriteAll(fd_, pbase(), n, path_);
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

 protected:
  int_type overflow(int_type c) override {
    Flush();
    if (c != traits_type::eof()) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    Flush();
    return 0;
  }

 private:
  int fd_;
  std::filesystem::path path_;
  std::vector<char> buffer_;
  abstraction::Checksum hash_{abstraction::Checksum::Kind::kXxh3};
  std::uint64_t length_ = 0;
};

// Reads from memory the caller owns, without copying it.
class MemoryBuf : public std::streambuf {
 public:
  MemoryBuf(char* data, std::size_t size) { setg(data, data, data + size); }
};

std::uint64_t IterationOf(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return std::strtoull(name.c_str() + 5, nullptr, 10);
}

}  // namespace

void WriteCheckpoint(const std::filesystem::path& path, const CheckpointData& data) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw CheckpointError(fmt::format("{}: cannot create: {}", tmp.string(), std::strerror(errno)));
  try {
    WriteAll(fd, kMagic, sizeof(kMagic), tmp);
    ChecksumFileBuf body(fd, tmp);
    {
      std::ostream out(&body);
      cereal::BinaryOutputArchive archive(out);
      archive(data);
    }
    body.Flush();
    const std::uint64_t length = body.length();
    const std::uint64_t checksum = body.checksum();
    WriteAll(fd, reinterpret_cast<const char*>(&length), sizeof(length), tmp);
    WriteAll(fd, reinterpret_cast<const char*>(&checksum), sizeof(checksum), tmp);
    if (::fsync(fd) != 0) throw CheckpointError(fmt::format("{}: fsync failed: {}", tmp.string(), std::strerror(errno)));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw CheckpointError(fmt::format("{}: cannot rename into place: {}", path.string(), std::strerror(errno)));
  }
  FsyncDir(path.parent_path().empty() ? "." : path.parent_path());
}

std::string ReadWholeFile(std::ifstream& in, const std::filesystem::path& path) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  std::string bytes;
  if (ec) return bytes;
  bytes.reserve(size);
  ipc::PopulatePages(bytes.data(), size, /*for_write=*/true);
  bytes.resize(size);
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

bool WriteChecksummed(const std::filesystem::path& path, std::string_view head, std::span<const float> body) {
  abstraction::Checksum hash(abstraction::Checksum::Kind::kXxh3);
  hash.Update(head.data(), head.size());
  hash.Update(body.data(), body.size_bytes());
  const std::uint64_t checksum = hash.Value();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(head.data(), static_cast<std::streamsize>(head.size()));
  out.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size_bytes()));
  out.write(reinterpret_cast<const char*>(&checksum), sizeof(checksum));
  out.flush();
  return static_cast<bool>(out);
}

CheckpointData ReadCheckpoint(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  std::string file = ReadWholeFile(in, path);
  constexpr std::size_t kOverhead = sizeof(kMagic) + 16;
  if (file.size() < kOverhead) {
    throw CheckpointError(fmt::format("{}: truncated: {} bytes, smaller than the {}-byte frame", path.string(),
                                      file.size(), kOverhead));
  }
  const bool fnv = std::memcmp(file.data(), kMagicFnv, sizeof(kMagic)) == 0;
  if (!fnv && std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) {
    throw CheckpointError(fmt::format("{}: magic number is invalid: expected \"BPCKPT02\" (or BPCKPT01), found \"{}\" "
                                      "(not a checkpoint of this program)",
                                      path.string(), std::string(file.data(), sizeof(kMagic))));
  }
  std::uint64_t length = 0, checksum = 0;
  std::memcpy(&length, file.data() + file.size() - 16, 8);
  std::memcpy(&checksum, file.data() + file.size() - 8, 8);
  if (length != file.size() - kOverhead) {
    throw CheckpointError(fmt::format("{}: truncated or padded: the body should be {} bytes, the file holds {}",
                                      path.string(), length, file.size() - kOverhead));
  }
  char* body = file.data() + sizeof(kMagic);
  const auto kind = fnv ? abstraction::Checksum::Kind::kFnv1a64 : abstraction::Checksum::Kind::kXxh3;
  if (abstraction::Checksum::Of(kind, body, length) != checksum) {
    throw CheckpointError(fmt::format("{}: checksum mismatch: the content is corrupt", path.string()));
  }
  // The format version leads the body: checked before the rest is decoded
  // in this version's layout.
  std::uint32_t version = 0;
  if (length >= sizeof(version)) std::memcpy(&version, body, sizeof(version));
  if (version != kCheckpointVersion) {
    throw CheckpointError(fmt::format("{}: format version {} is not supported: this build reads version {}{}",
                                      path.string(), version, kCheckpointVersion,
                                      version < kCheckpointVersion ? " (the file is from an earlier build)" : ""));
  }
  CheckpointData data;
  try {
    MemoryBuf memory(body, length);
    std::istream body_stream(&memory);
    cereal::BinaryInputArchive archive(body_stream);
    archive(data);
  } catch (const std::exception& e) {
    throw CheckpointError(fmt::format("{}: cannot decode: {}", path.string(), e.what()));
  }
  if (!data.regrets.empty() && !data.int_regrets.empty()) {
    throw CheckpointError(fmt::format("{}: corrupt: {} double and {} int32 regrets (one of them must be empty)",
                                      path.string(), data.regrets.size(), data.int_regrets.size()));
  }
  if (data.strategy_sum.size() > data.num_regrets()) {
    throw CheckpointError(fmt::format("{}: corrupt: {} regrets but {} strategy sums (at most one per regret)",
                                      path.string(), data.num_regrets(), data.strategy_sum.size()));
  }
  return data;
}

double CheckpointData::Regret(std::uint64_t i) const {
  return int_regrets.empty() ? regrets[i] : solver::RegretCodec<std::int32_t>::Decode(int_regrets[i]);
}

void CheckpointData::CurrentStrategy(std::uint64_t base, int n, double* out) const {
  if (int_regrets.empty()) {
    solver::RegretMatching(regrets.data() + base, n, out);
  } else {
    solver::RegretMatching(int_regrets.data() + base, n, out);
  }
}

std::filesystem::path CheckpointPath(const std::filesystem::path& dir, std::uint64_t iteration) {
  return dir / fmt::format("ckpt-{}.bin", iteration);
}

std::vector<std::filesystem::path> ListCheckpoints(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 9 && name.rfind("ckpt-", 0) == 0 && name.substr(name.size() - 4) == ".bin" &&
        std::all_of(name.begin() + 5, name.end() - 4, [](char c) { return c >= '0' && c <= '9'; })) {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return IterationOf(a) > IterationOf(b); });
  return found;
}

void PruneCheckpoints(const std::filesystem::path& dir, int keep) {
  const auto all = ListCheckpoints(dir);
  for (std::size_t i = static_cast<std::size_t>(keep); i < all.size(); ++i) {
    std::error_code ec;
    std::filesystem::remove(all[i], ec);
  }
}

}  // namespace bp::trainer
