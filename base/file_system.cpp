#include "base/file_system.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "base/file_frame.h"

namespace bp::base {

namespace {

FileSystem& RealFiles() {
  static FileSystem real;
  return real;
}

std::atomic<FileSystem*> g_files{nullptr};

}  // namespace

int FileSystem::Open(const char* path, int flags, mode_t mode) { return ::open(path, flags, mode); }
ssize_t FileSystem::Write(int fd, const void* data, std::size_t bytes) { return ::write(fd, data, bytes); }
int FileSystem::Fsync(int fd) { return ::fsync(fd); }
int FileSystem::Close(int fd) { return ::close(fd); }
int FileSystem::Rename(const char* from, const char* to) { return ::rename(from, to); }

FileSystem& Files() {
  FileSystem* f = g_files.load(std::memory_order_acquire);
  return f != nullptr ? *f : RealFiles();
}

void UseFiles(FileSystem* files) { g_files.store(files, std::memory_order_release); }

std::optional<WriteFault> ParseWriteFault(std::string_view spec) {
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  WriteFault f;
  f.pattern = std::string(spec.substr(0, colon));
  std::string_view rest = spec.substr(colon + 1);
  const auto next = rest.find(':');
  const std::string_view kind = rest.substr(0, next);
  if (kind == "enospc") f.kind = WriteFault::Kind::kEnospc;
  else if (kind == "eio") f.kind = WriteFault::Kind::kEio;
  else if (kind == "short") f.kind = WriteFault::Kind::kShort;
  else if (kind == "fsync") f.kind = WriteFault::Kind::kFsync;
  else if (kind == "rename") f.kind = WriteFault::Kind::kRename;
  else if (kind == "open") f.kind = WriteFault::Kind::kOpen;
  else return std::nullopt;
  rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
  while (!rest.empty()) {
    const auto end = rest.find(':');
    const std::string_view item = rest.substr(0, end);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    std::uint64_t n = 0;
    const auto [ptr, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (error != std::errc() || ptr != value.data() + value.size() || value.empty()) return std::nullopt;
    if (key == "skip") f.skip = n;
    else if (key == "count") f.count = n;
    else return std::nullopt;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return f;
}

bool FaultyFileSystem::Chosen(std::string_view path) {
  if (path.find(fault_.pattern) == std::string_view::npos) return false;
  ++matched_;
  if (matched_ <= fault_.skip || failed_ >= fault_.count) return false;
  ++failed_;
  return true;
}

std::uint64_t FaultyFileSystem::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

int FaultyFileSystem::Open(const char* path, int flags, mode_t mode) {
  std::lock_guard lock(mutex_);
  const bool chosen = (flags & (O_WRONLY | O_RDWR)) != 0 && Chosen(path);
  if (chosen && fault_.kind == WriteFault::Kind::kOpen) {
    errno = ENOSPC;
    return -1;
  }
  const int fd = FileSystem::Open(path, flags, mode);
  if (chosen && fd >= 0) {
    faulty_fds_.insert(fd);
    // An atomic write renames "<path>.tmp" into "<path>".
    std::string target(path);
    if (target.ends_with(".tmp")) target.resize(target.size() - 4);
    faulty_paths_.insert(target);
  }
  return fd;
}

ssize_t FaultyFileSystem::Write(int fd, const void* data, std::size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (faulty_fds_.count(fd) != 0) {
      switch (fault_.kind) {
        case WriteFault::Kind::kEnospc:
          errno = ENOSPC;
          return -1;
        case WriteFault::Kind::kEio:
          errno = EIO;
          return -1;
        case WriteFault::Kind::kShort:
          // What a disk that fills up does: part of a write, then nothing.
          if (bytes > 1) return FileSystem::Write(fd, data, bytes / 2);
          errno = ENOSPC;
          return -1;
        default:
          break;
      }
    }
  }
  return FileSystem::Write(fd, data, bytes);
}

int FaultyFileSystem::Fsync(int fd) {
  {
    std::lock_guard lock(mutex_);
    if (faulty_fds_.count(fd) != 0 && fault_.kind == WriteFault::Kind::kFsync) {
      errno = EIO;
      return -1;
    }
  }
  return FileSystem::Fsync(fd);
}

int FaultyFileSystem::Close(int fd) {
  {
    std::lock_guard lock(mutex_);
    faulty_fds_.erase(fd);
  }
  return FileSystem::Close(fd);
}

int FaultyFileSystem::Rename(const char* from, const char* to) {
  {
    std::lock_guard lock(mutex_);
    if (fault_.kind == WriteFault::Kind::kRename && faulty_paths_.erase(to) != 0) {
      errno = EIO;
      return -1;
    }
  }
  return FileSystem::Rename(from, to);
}

AppendFile::AppendFile(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = Files().Open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw FileError(FileError::Kind::kIo, fmt::format("cannot write {}: {}", path_.string(), std::strerror(errno)));
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) Files().Close(fd_);
}

void AppendFile::Append(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = Files().Write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FileError(FileError::Kind::kIo, fmt::format("cannot write {}: {}", path_.string(), std::strerror(errno)));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace bp::base
