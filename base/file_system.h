// FileSystem: the system calls through which every file this program writes
// is written (base/file_frame.h's atomic writes, and AppendFile for logs and
// metrics), behind an interface so that a test can make them fail as a full
// or failing disk does: ENOSPC, EIO, a short write, fsync or rename failing.
// The real one is the default; Files() is the one in use.
//
// FaultyFileSystem fails the writes of files whose path contains a pattern.
// The command-line tools install one when the environment variable
// BP_WRITE_FAULTS holds its spec (for tests of the whole program):
//   PATTERN:FAULT[:skip=N][:count=M]
//   FAULT  enospc (writes fail: no space left), eio (writes fail: I/O
//          error), short (half of each write goes, then no space left),
//          fsync (fsync fails), rename (renaming into place fails), open
//          (creating the file fails)
//   skip   the first N matching files are written normally
//   count  at most M files fail (default: every one after the skipped)
// Thread-safe: the real file system has no state; FaultyFileSystem guards
// its own with a mutex. UseFiles is for the start of a program or a test.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace bp::base {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // As open(2), write(2), fsync(2), close(2), rename(2): -1 and errno on failure.
  virtual int Open(const char* path, int flags, mode_t mode);
  virtual ssize_t Write(int fd, const void* data, std::size_t bytes);
  virtual int Fsync(int fd);
  virtual int Close(int fd);
  virtual int Rename(const char* from, const char* to);
};

// The file system writes go through now.
FileSystem& Files();
// Makes `files` the one writes go through (nullptr: the real one again).
// Requires: no write is going on.
void UseFiles(FileSystem* files);

struct WriteFault {
  enum class Kind { kEnospc, kEio, kShort, kFsync, kRename, kOpen };
  std::string pattern;  // a substring of the path
  Kind kind = Kind::kEnospc;
  std::uint64_t skip = 0;
  std::uint64_t count = UINT64_MAX;
};

// The spec above; nullopt if it is not one.
std::optional<WriteFault> ParseWriteFault(std::string_view spec);

class FaultyFileSystem : public FileSystem {
 public:
  explicit FaultyFileSystem(WriteFault fault) : fault_(std::move(fault)) {}

  int Open(const char* path, int flags, mode_t mode) override;
  ssize_t Write(int fd, const void* data, std::size_t bytes) override;
  int Fsync(int fd) override;
  int Close(int fd) override;
  int Rename(const char* from, const char* to) override;

  // Files that failed so far.
  std::uint64_t failed() const;

 private:
  // Whether a newly opened file of this path is to fail (counts it).
  bool Chosen(std::string_view path);

  const WriteFault fault_;
  mutable std::mutex mutex_;
  std::uint64_t matched_ = 0, failed_ = 0;
  std::set<int> faulty_fds_;
  std::set<std::string> faulty_paths_;  // for rename
};

// A file opened to append whole lines (train.log, metrics.jsonl), through
// Files(). Each Append is written out at once (no buffer, no fsync).
// FileError (kIo) naming the file when the open or a write fails.
class AppendFile {
 public:
  explicit AppendFile(std::filesystem::path path);
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  ~AppendFile();

  void Append(std::string_view text);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace bp::base
