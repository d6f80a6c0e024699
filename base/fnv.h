// FNV-1a 64: the checksum of earlier versions of the file formats
// (checksum.h, file_frame.h), and a fingerprint of small things (the
// abstraction fingerprint of a run). Not cryptographic: it finds truncation
// and bit flips, which is what the formats need.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bp::base {

inline constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;

// Continues `hash` over `size` bytes; start from kFnvOffsetBasis.
inline std::uint64_t Fnv1a64(const void* data, std::size_t size, std::uint64_t hash = kFnvOffsetBasis) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
  return hash;
}

}  // namespace bp::base
