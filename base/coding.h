// Byte coding of the file formats: fixed-width little-endian values appended
// to a buffer or read from one, and a reader that checks every length
// against the bytes that are left before it reads or allocates anything, so
// a crafted length field gives CodingError, never a huge allocation.
//
// Every on-disk format (checkpoints, snapshots, blueprints, bucket files,
// preflop equities) codes its header and body with these; the frame around
// them is base/file_frame.h. Values are stored as the machine holds them,
// which the static_assert pins to little-endian. Thread-compatible.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bp::base {

static_assert(std::endian::native == std::endian::little, "the file formats are little-endian");

// The bytes of a trivially copyable value appended to `out`.
template <class T>
void PutFixed(std::string& out, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

// The value stored at `bytes` (no alignment needed).
template <class T>
T GetFixed(const void* bytes) {
  static_assert(std::is_trivially_copyable_v<T>);
  T value;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}

// A body ends before what it claims to hold. The message says what was
// being read, where, and how much was missing.
class CodingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const char> bytes) : bytes_(bytes) {}

  std::size_t position() const { return at_; }
  std::size_t remaining() const { return bytes_.size() - at_; }

  // `what` names the field in the message of a CodingError.
  template <class T>
  T Read(const char* what) {
    Need(sizeof(T), what);
    const T value = GetFixed<T>(bytes_.data() + at_);
    at_ += sizeof(T);
    return value;
  }
  std::span<const char> ReadBytes(std::size_t n, const char* what) {
    Need(n, what);
    const std::span<const char> out = bytes_.subspan(at_, n);
    at_ += n;
    return out;
  }
  // A u64 length, then that many bytes.
  std::string ReadString(const char* what) {
    const auto n = Read<std::uint64_t>(what);
    const auto bytes = ReadBytes(Checked(n, 1, what), what);
    return {bytes.data(), bytes.size()};
  }
  // `count` values of T into `out` (its memory reused), once the bytes are
  // known to be there.
  template <class T>
  void ReadArray(std::uint64_t count, std::vector<T>& out, const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto bytes = ReadBytes(Checked(count, sizeof(T), what), what);
    out.resize(static_cast<std::size_t>(count));
    if (count > 0) std::memcpy(out.data(), bytes.data(), bytes.size());
  }
  // Skips to a multiple of `align` from the start (padding).
  void Align(std::size_t align, const char* what) {
    const std::size_t pad = (align - at_ % align) % align;
    ReadBytes(pad, what);
  }

 private:
  void Need(std::size_t n, const char* what) const;
  // count * size bytes, if that fits in what is left.
  std::size_t Checked(std::uint64_t count, std::size_t size, const char* what) const;

  std::span<const char> bytes_;
  std::size_t at_ = 0;
};

// The encoding ByteReader::ReadString reads.
inline void PutString(std::string& out, std::string_view s) {
  PutFixed<std::uint64_t>(out, s.size());
  out.append(s);
}

}  // namespace bp::base
