// make_test_buckets OUT [K]: a bucket file in seconds, for tests that need a
// no-limit blueprint but not a meaningful card abstraction: the 169
// lossless preflop classes, and K (default 8) buckets on each later street
// assigned by a hash of the canonical index. Not for training real
// strategies (build_buckets makes those).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "abstraction/bucket_file.h"
#include "abstraction/hand_indexer.h"

int main(int argc, char** argv) {
  using namespace bp::abstraction;
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: make_test_buckets OUT [K]\n");
    return 2;
  }
  const int k = argc == 3 ? std::atoi(argv[2]) : 8;
  if (k < 1 || k > 256) {
    std::fprintf(stderr, "make_test_buckets: K: expected 1 to 256, found '%s'\n", argv[2]);
    return 2;
  }
  try {
    const HoldemIndexer indexer(IsomorphismMode::kBoardAsSet);
    BucketTables tables;
    tables.mode = IsomorphismMode::kBoardAsSet;
    for (int street = 0; street < static_cast<int>(kNumStreets); ++street) {
      const std::uint64_t n = indexer.size(street);
      auto& table = tables.table[static_cast<std::size_t>(street)];
      table.resize(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t x = i + 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(street + 1);
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        x ^= x >> 31;
        table[i] = static_cast<std::uint16_t>(street == 0 ? i : x % static_cast<std::uint64_t>(k));
      }
      tables.buckets[static_cast<std::size_t>(street)] = street == 0 ? static_cast<std::uint32_t>(n) : static_cast<std::uint32_t>(k);
    }
    WriteBucketFile(argv[1], tables);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_test_buckets: %s\n", e.what());
    return 1;
  }
  return 0;
}
