#include "base/checksum.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

using bp::base::Checksum;

TEST_CASE("checksums: the published values of both kinds") {
  // Reference values of the algorithms (a file written with one must read
  // with any later build).
  CHECK(Checksum::Of(Checksum::Kind::kXxh3, "", 0) == 0x2D06800538D394C2ULL);
  CHECK(Checksum::Of(Checksum::Kind::kFnv1a64, "", 0) == 0xcbf29ce484222325ULL);
  CHECK(Checksum::Of(Checksum::Kind::kFnv1a64, "a", 1) == 0xaf63dc4c8601ec8cULL);
  CHECK(Checksum(Checksum::Kind::kXxh3).Value() == 0x2D06800538D394C2ULL);
}

TEST_CASE("checksums: streamed in any pieces equals in one go, and a flipped bit changes it") {
  std::vector<unsigned char> data((1 << 20) + 17);
  std::uint64_t x = 88172645463325252ULL;
  for (auto& b : data) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<unsigned char>(x);
  }
  for (const auto kind : {Checksum::Kind::kXxh3, Checksum::Kind::kFnv1a64}) {
    const std::uint64_t whole = Checksum::Of(kind, data.data(), data.size());
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{240}, std::size_t{4096},
                                    std::size_t{65537}, data.size()}) {
      CAPTURE(piece);
      Checksum streamed(kind);
      for (std::size_t at = 0; at < data.size(); at += piece) {
        streamed.Update(data.data() + at, std::min(piece, data.size() - at));
      }
      CHECK(streamed.Value() == whole);
    }
    for (const std::size_t at : {std::size_t{0}, std::size_t{1000}, data.size() - 1}) {
      data[at] ^= 0x10;
      CHECK(Checksum::Of(kind, data.data(), data.size()) != whole);
      data[at] ^= 0x10;
    }
    CHECK(Checksum::Of(kind, data.data(), data.size() - 1) != whole);
  }
}
