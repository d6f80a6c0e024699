// Checksum: the checksum of every file format (base/file_frame.h), computed
// in one go or streamed.
//
// The current versions use XXH3-64 (libxxhash): FNV-1a 64 (fnv.h) goes a
// byte at a time, which a 1.2 GiB table paid on every checkpoint and
// snapshot written and every file read (writing a 1 GiB checkpoint in the
// background: 2.20 s with FNV-1a, 0.65 s with XXH3, bench/scaling_bench
// --checkpoint). Files of some earlier versions carry FNV-1a 64 and are
// still read. Neither is cryptographic: they find truncation and bit
// flips, which is what the formats need. Thread-compatible: one object per
// stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace bp::base {

class Checksum {
 public:
  enum class Kind { kFnv1a64, kXxh3 };

  explicit Checksum(Kind kind);
  ~Checksum();
  Checksum(Checksum&&) noexcept;
  Checksum& operator=(Checksum&&) noexcept;

  // Adds `size` bytes; any split of the same bytes gives the same Value().
  void Update(const void* data, std::size_t size);
  std::uint64_t Value() const;

  static std::uint64_t Of(Kind kind, const void* data, std::size_t size);

 private:
  struct Xxh3;
  Kind kind_;
  std::uint64_t fnv_;
  std::unique_ptr<Xxh3> xxh3_;
};

}  // namespace bp::base
