#include "base/coding.h"

#include <fmt/format.h>

namespace bp::base {

void ByteReader::Need(std::size_t n, const char* what) const {
  if (n > remaining()) {
    throw CodingError(fmt::format("{} needs {} bytes at byte {} of the body, {} are left", what, n, at_, remaining()));
  }
}

std::size_t ByteReader::Checked(std::uint64_t count, std::size_t size, const char* what) const {
  if (count > remaining() / size) {
    throw CodingError(fmt::format("{} claims {} items of {} bytes at byte {} of the body, {} bytes are left", what,
                                  count, size, at_, remaining()));
  }
  return static_cast<std::size_t>(count) * size;
}

}  // namespace bp::base
