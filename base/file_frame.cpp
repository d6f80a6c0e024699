#include "base/file_frame.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "base/check.h"
#include "base/coding.h"
#include "base/file_system.h"
#include "base/memory.h"

namespace bp::base {

namespace {

// Below malloc's mmap threshold (128 KiB), so that writing a small file
// (config.yaml, before the workers are forked) leaves the allocator as it
// was; larger writes go straight from the caller's memory.
constexpr std::size_t kSinkBuffer = std::size_t{64} << 10;

[[noreturn]] void Fail(FileError::Kind kind, const std::filesystem::path& path, const std::string& what) {
  throw FileError(kind, fmt::format("{}: {}", path.string(), what));
}

[[noreturn]] void FailErrno(const std::filesystem::path& path, const char* what) {
  Fail(FileError::Kind::kIo, path, fmt::format("{}: {}", what, std::strerror(errno)));
}

}  // namespace

std::string FrameFormat::VersionMessage(std::uint32_t found) const {
  const FrameFormat& format = *this;
  std::vector<std::uint32_t> known{format.version};
  for (const FrameVersion& v : format.earlier) known.push_back(v.version);
  std::sort(known.begin(), known.end());
  std::string list;
  for (std::size_t i = 0; i < known.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == known.size() ? " and " : ", ") + std::to_string(known[i]);
  }
  const char* when = found < known.front() ? " (the file is from an earlier build)"
                     : found > known.back() ? " (the file is from a later build)"
                                            : "";
  return fmt::format("{} file version {}, this build reads version{} {}{}{}", format.name, found,
                     known.size() == 1 ? "" : "s", list, when, format.version_hint);
}

namespace {

// Magic and version of the first bytes of a file of `size` bytes (`head`
// holds min(size, 16) of them); the minimum size of that version's frame is
// checked too.
FrameVersion CheckHead(const char* head, std::uint64_t size, const FrameFormat& format,
                       const std::filesystem::path& path) {
  auto truncated = [&](std::size_t frame) {
    Fail(FileError::Kind::kCorrupt, path,
         fmt::format("truncated {} file: {} bytes, smaller than its {}-byte frame", format.name, size, frame));
  };
  if (size < 12) truncated(kFrameHeaderBytes + kFrameTrailerBytes);
  if (std::memcmp(head, format.magic.data(), 8) != 0) {
    Fail(FileError::Kind::kNotThisFormat, path, fmt::format("not a {} file (magic is not {})", format.name, format.magic));
  }
  const auto version = GetFixed<std::uint32_t>(head + 8);
  const std::optional<FrameVersion> found = format.Find(version);
  if (!found) Fail(FileError::Kind::kVersion, path, format.VersionMessage(version));
  if (found->layout == FrameLayout::kOwn) return *found;
  const std::size_t frame = found->layout == FrameLayout::kFramed ? kFrameHeaderBytes + kFrameTrailerBytes : 24;
  if (size < frame) truncated(frame);
  if (found->layout == FrameLayout::kFramed) {
    const auto body = GetFixed<std::uint64_t>(head + 16);
    if (body != size - frame) {
      Fail(FileError::Kind::kCorrupt, path,
           fmt::format("truncated or padded: the {} file's body should be {} bytes, the file holds {}", format.name,
                       body, size - frame));
    }
  }
  return *found;
}

FrameInfo InfoOf(const FrameVersion& v, std::uint64_t size) {
  if (v.layout == FrameLayout::kOwn) return {v.version, v.layout, 0, size};
  const std::uint64_t offset = v.layout == FrameLayout::kFramed ? kFrameHeaderBytes : 16;
  return {v.version, v.layout, offset, size - offset - kFrameTrailerBytes};
}

[[noreturn]] void ChecksumMismatch(const std::filesystem::path& path) {
  Fail(FileError::Kind::kCorrupt, path, "checksum mismatch: the content is corrupt");
}

}  // namespace

std::optional<FrameVersion> FrameFormat::Find(std::uint32_t v) const {
  if (v == version) return FrameVersion{v, FrameLayout::kFramed, Checksum::Kind::kXxh3};  // every current version
  for (const FrameVersion& e : earlier) {
    if (e.version == v) return e;
  }
  return std::nullopt;
}

FileSink::FileSink(int fd, std::filesystem::path path)
    : fd_(fd), path_(std::move(path)), buffer_(new char[kSinkBuffer]) {}

void FileSink::WriteOut(const char* data, std::size_t bytes) {
  while (bytes > 0) {
    const ssize_t n = Files().Write(fd_, data, bytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      FailErrno(path_, "write failed");
    }
    data += n;
    bytes -= static_cast<std::size_t>(n);
  }
}

void FileSink::Flush() {
  WriteOut(buffer_.get(), used_);
  used_ = 0;
}

void FileSink::Write(const void* data, std::size_t bytes) {
  const char* p = static_cast<const char*>(data);
  hash_.Update(p, bytes);
  written_ += bytes;
  if (bytes >= kSinkBuffer) {  // a table: no copy
    Flush();
    WriteOut(p, bytes);
    return;
  }
  if (used_ + bytes > kSinkBuffer) Flush();
  std::memcpy(buffer_.get() + used_, p, bytes);
  used_ += bytes;
}

void FileSink::Zeros(std::size_t bytes) {
  static constexpr char kZeros[4096] = {};
  while (bytes > 0) {
    const std::size_t n = std::min(bytes, sizeof(kZeros));
    Write(kZeros, n);
    bytes -= n;
  }
}

std::uint64_t FileSink::checksum() { return hash_.Value(); }

void AtomicWriteFile(const std::filesystem::path& path, const std::function<void(FileSink&)>& write) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) Fail(FileError::Kind::kIo, dir, "cannot create the directory: " + ec.message());
  const std::filesystem::path tmp = path.string() + ".tmp";
  int fd = Files().Open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) FailErrno(tmp, "cannot create");
  try {
    FileSink sink(fd, tmp);
    write(sink);
    sink.Flush();
    if (Files().Fsync(fd) != 0) FailErrno(tmp, "fsync failed");
    const int closed = Files().Close(fd);
    fd = -1;
    if (closed != 0) FailErrno(tmp, "close failed");
    if (Files().Rename(tmp.c_str(), path.c_str()) != 0) FailErrno(path, "cannot rename into place");
  } catch (...) {
    if (fd >= 0) Files().Close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  const int dir_fd = Files().Open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd < 0) FailErrno(dir, "cannot open the directory to sync it");
  const int synced = Files().Fsync(dir_fd);
  Files().Close(dir_fd);
  if (synced != 0) FailErrno(dir, "fsync of the directory failed");
}

std::uint64_t WriteFramedFile(const std::filesystem::path& path, const FrameFormat& format, std::uint64_t body_bytes,
                              const std::function<void(FileSink&)>& write_body) {
  BP_CHECK_EQ(format.magic.size(), std::size_t{8});
  std::uint64_t checksum = 0;
  AtomicWriteFile(path, [&](FileSink& sink) {
    sink.Write(format.magic);
    sink.Put<std::uint32_t>(format.version);
    sink.Put<std::uint32_t>(0);
    sink.Put<std::uint64_t>(body_bytes);
    const std::uint64_t start = sink.written();
    write_body(sink);
    BP_CHECK_EQ(sink.written() - start, body_bytes);
    checksum = sink.checksum();
    sink.Put<std::uint64_t>(checksum);
  });
  return checksum;
}

std::string ReadWholeFile(const std::filesystem::path& path, const FrameFormat& format) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) FailErrno(path, fmt::format("cannot open {} file", format.name).c_str());
  std::string bytes;
  try {
    struct stat st{};
    if (::fstat(fd, &st) != 0) FailErrno(path, "cannot stat");
    const auto size = static_cast<std::size_t>(st.st_size);
    bytes.reserve(size);
    PopulatePages(bytes.data(), size, /*for_write=*/true);
    bytes.resize(size);
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::read(fd, bytes.data() + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) FailErrno(path, "read failed");
      if (n == 0) break;  // shrank meanwhile: the frame check reports it
      done += static_cast<std::size_t>(n);
    }
    bytes.resize(done);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return bytes;
}

FrameView CheckFrame(std::span<const char> file, const FrameFormat& format, const std::filesystem::path& path) {
  const FrameVersion v = CheckHead(file.data(), file.size(), format, path);
  if (v.layout == FrameLayout::kOwn) return {v.version, v.layout, file, file};
  const std::size_t covered = file.size() - kFrameTrailerBytes;
  if (Checksum::Of(v.checksum, file.data(), covered) != GetFixed<std::uint64_t>(file.data() + covered)) {
    ChecksumMismatch(path);
  }
  const FrameInfo info = InfoOf(v, file.size());
  return {info.version, info.layout, file, file.subspan(info.body_offset, info.body_bytes)};
}

FrameView ReadFramedFile(const std::filesystem::path& path, const FrameFormat& format, std::string& bytes) {
  bytes = ReadWholeFile(path, format);
  return CheckFrame(bytes, format, path);
}

FrameInfo CheckFrameStreaming(std::istream& in, std::uint64_t file_size, const FrameFormat& format,
                              const std::filesystem::path& path, std::span<char> chunk) {
  BP_CHECK_GE(chunk.size(), kFrameHeaderBytes);
  in.seekg(0);
  const auto head_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(file_size, kFrameHeaderBytes));
  if (!in.read(chunk.data(), static_cast<std::streamsize>(head_bytes))) FailErrno(path, "read failed");
  const FrameVersion v = CheckHead(chunk.data(), file_size, format, path);
  BP_CHECK(v.layout != FrameLayout::kOwn);  // formats read those themselves
  Checksum hash(v.checksum);
  hash.Update(chunk.data(), head_bytes);
  for (std::uint64_t at = head_bytes; at < file_size - kFrameTrailerBytes;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), file_size - kFrameTrailerBytes - at));
    if (!in.read(chunk.data(), static_cast<std::streamsize>(n))) {
      Fail(FileError::Kind::kCorrupt, path, "truncated while reading it");
    }
    hash.Update(chunk.data(), n);
    at += n;
  }
  std::uint64_t stored = 0;
  if (!in.read(reinterpret_cast<char*>(&stored), sizeof(stored))) {
    Fail(FileError::Kind::kCorrupt, path, "truncated while reading it");
  }
  if (hash.Value() != stored) ChecksumMismatch(path);
  const FrameInfo info = InfoOf(v, file_size);
  in.seekg(static_cast<std::streamoff>(info.body_offset));
  if (!in) FailErrno(path, "cannot seek to the body");
  return info;
}

}  // namespace bp::base
