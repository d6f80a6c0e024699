// FileFrame: the one frame around every file this program writes
// (checkpoints, strategy snapshots, blueprints, bucket files, preflop
// equities, build_buckets' parts) and the one way they are written.
//
// Byte layout (little-endian):
//     0   8  magic, one per format (FrameFormat::magic)
//     8   4  format version
//    12   4  zero
//    16   8  body length N
//    24   N  body: the format's own layout (its header documents it)
//  24+N   8  XXH3-64 of bytes [0, 24 + N) (base/checksum.h)
// Versions written before this frame (FrameLayout::kNoLength) are read too:
//     0   8  magic
//     8   4  version
//    12   4  a word of the format's (zero, or the preflop equity's pair count)
//    16      body, up to the last 8 bytes
//  end-8  8  FNV-1a 64 or XXH3-64 (as FrameVersion::checksum says) of every
//            byte before it
//
// Writing: AtomicWriteFile writes "<path>.tmp" (created anew, mode 0644),
// fsyncs and closes it, renames it over <path> and fsyncs the directory; a
// crash leaves the old file or the new one, never half of one. Every failed
// write, fsync, close or rename is a FileError (kIo) naming the file and
// the reason, and removes the temporary file: a full disk is an error, and
// never damages the file that was there. Every system call goes through
// base::Files() (base/file_system.h), where a test can make it fail.
//
// Reading: the size, the magic, the version (against the format's list), the
// body length and the checksum are checked, in that order, before the body
// is handed to the format's decoder (which reads it through
// base/coding.h's ByteReader). Errors are FileError with one message per
// problem, the same for every format:
//   PATH: cannot open checkpoint file: No such file or directory
//   PATH: truncated checkpoint file: 20 bytes, smaller than its 32-byte frame
//   PATH: not a checkpoint file (magic is not BPCKPT02)
//   PATH: checkpoint file version 9, this build reads versions 3 and 4 (...)
//   PATH: truncated or padded: the checkpoint file's body should be N bytes, the file holds M
//   PATH: checksum mismatch: the content is corrupt
// Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/checksum.h"

namespace bp::base {

// A file could not be read or written. Kinds, as LevelDB's Status has them:
// kIo (the system refused: open, read, write, fsync, rename), kNotThisFormat
// (wrong magic), kVersion (a version this build does not read), kCorrupt
// (truncated, padded, checksum mismatch, or a body that contradicts itself).
class FileError : public std::runtime_error {
 public:
  enum class Kind { kIo, kNotThisFormat, kVersion, kCorrupt };
  FileError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// kFramed: the layout above. kNoLength: the earlier layout above. kOwn: an
// earlier layout the format reads itself (CheckFrame checks only its magic
// and version and hands over the whole file as the body).
enum class FrameLayout : std::uint8_t { kFramed, kNoLength, kOwn };

struct FrameVersion {
  std::uint32_t version;
  FrameLayout layout;
  Checksum::Kind checksum;
};

// What a format is called and which versions this build reads. The current
// version is always kFramed with XXH3-64, and the only one written.
struct FrameFormat {
  std::string_view magic;              // 8 characters
  std::string_view name;               // "checkpoint": "not a checkpoint file"
  std::uint32_t version;               // written, and read
  std::vector<FrameVersion> earlier;   // also read
  std::string_view version_hint = {};  // after a version error, e.g. "; rebuild it with build_buckets"

  // The description of `v`, if this build reads it.
  std::optional<FrameVersion> Find(std::uint32_t v) const;
  // "checkpoint file version 9, this build reads versions 3 and 4 (the file
  // is from a later build)" and the hint.
  std::string VersionMessage(std::uint32_t v) const;
};

inline constexpr std::size_t kFrameHeaderBytes = 24;
inline constexpr std::size_t kFrameTrailerBytes = 8;

// Buffered writes to the file AtomicWriteFile opened, with the XXH3-64 of
// everything written so far. Throws FileError (kIo) naming the file.
class FileSink {
 public:
  FileSink(int fd, std::filesystem::path path);
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  void Write(const void* data, std::size_t bytes);
  void Write(std::string_view bytes) { Write(bytes.data(), bytes.size()); }
  template <class T>
  void Put(T value) {
    Write(&value, sizeof(value));
  }
  void Zeros(std::size_t bytes);
  std::uint64_t written() const { return written_; }
  std::uint64_t checksum();  // of the bytes written so far (flushes)
  void Flush();

 private:
  void WriteOut(const char* data, std::size_t bytes);

  int fd_;
  std::filesystem::path path_;
  std::unique_ptr<char[]> buffer_;
  std::size_t used_ = 0;
  std::uint64_t written_ = 0;
  Checksum hash_{Checksum::Kind::kXxh3};
};

// Writes `path` atomically: `write` fills the temporary file. FileError
// (kIo) if anything fails; `path` is then untouched and no temporary file
// is left. A directory that does not exist is created.
void AtomicWriteFile(const std::filesystem::path& path, const std::function<void(FileSink&)>& write);

// Writes `path` atomically in the frame of `format`'s current version:
// `write_body` writes exactly `body_bytes` bytes (checked). Returns the
// file's checksum (the last 8 bytes).
std::uint64_t WriteFramedFile(const std::filesystem::path& path, const FrameFormat& format, std::uint64_t body_bytes,
                     const std::function<void(FileSink&)>& write_body);

// The whole of `path` in one read into memory populated beforehand (a
// 1.2 GiB checkpoint: 12 s read through istreambuf_iterator, about a second
// like this). FileError (kIo) naming the file as `format`'s.
std::string ReadWholeFile(const std::filesystem::path& path, const FrameFormat& format);

struct FrameView {
  std::uint32_t version = 0;
  FrameLayout layout = FrameLayout::kFramed;
  std::span<const char> file;  // every byte
  std::span<const char> body;
};

// Checks the frame of a file held whole in memory; FileError naming `path`.
FrameView CheckFrame(std::span<const char> file, const FrameFormat& format, const std::filesystem::path& path);
// ReadWholeFile, then CheckFrame: the returned view points into `bytes`.
FrameView ReadFramedFile(const std::filesystem::path& path, const FrameFormat& format, std::string& bytes);

struct FrameInfo {
  std::uint32_t version = 0;
  FrameLayout layout = FrameLayout::kFramed;
  std::uint64_t body_offset = 0;
  std::uint64_t body_bytes = 0;
};

// Checks the frame of an open file of `file_size` bytes without holding it:
// the checksum is computed in pieces of chunk.size() bytes read into
// `chunk`. Leaves `in` at the first byte of the body.
FrameInfo CheckFrameStreaming(std::istream& in, std::uint64_t file_size, const FrameFormat& format,
                              const std::filesystem::path& path, std::span<char> chunk);

}  // namespace bp::base
