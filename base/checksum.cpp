#include "base/checksum.h"

// The whole of xxHash compiled into this file (its header-only mode), so it
// is built with the project's flags.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <new>

#include "base/fnv.h"

namespace bp::base {

struct Checksum::Xxh3 {
  XXH3_state_t state;
};

Checksum::Checksum(Kind kind) : kind_(kind), fnv_(kFnvOffsetBasis) {
  if (kind_ == Kind::kXxh3) {
    xxh3_ = std::make_unique<Xxh3>();
    XXH3_64bits_reset(&xxh3_->state);
  }
}

Checksum::~Checksum() = default;
Checksum::Checksum(Checksum&&) noexcept = default;
Checksum& Checksum::operator=(Checksum&&) noexcept = default;

void Checksum::Update(const void* data, std::size_t size) {
  if (kind_ == Kind::kFnv1a64) {
    fnv_ = Fnv1a64(data, size, fnv_);
  } else {
    XXH3_64bits_update(&xxh3_->state, data, size);
  }
}

std::uint64_t Checksum::Value() const {
  return kind_ == Kind::kFnv1a64 ? fnv_ : static_cast<std::uint64_t>(XXH3_64bits_digest(&xxh3_->state));
}

std::uint64_t Checksum::Of(Kind kind, const void* data, std::size_t size) {
  return kind == Kind::kFnv1a64 ? Fnv1a64(data, size) : static_cast<std::uint64_t>(XXH3_64bits(data, size));
}

}  // namespace bp::base
