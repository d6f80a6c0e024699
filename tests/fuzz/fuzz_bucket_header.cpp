// Bucket files: the header and frame checks, raw and behind a valid
// checksum (a whole valid file is 138 MB; the tables themselves are checked
// by tests/abstraction/bucket_file_test.cpp).
#include <cstdint>
#include <cstdlib>

#include "abstraction/bucket_file.h"
#include "fuzz_support.h"

using namespace bp;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (fuzz::SeedFolder() == nullptr) return 0;
  // A version-2 header for the board-as-set indexer's class counts.
  std::string body;
  base::PutFixed<std::uint32_t>(body, 0);
  base::PutFixed<std::uint32_t>(body, 0);
  for (std::uint32_t b : {169u, 50u, 50u, 300u}) base::PutFixed(body, b);
  for (std::uint32_t w : {1u, 1u, 1u, 2u}) base::PutFixed(body, w);
  for (std::uint64_t n : {169ull, 1286792ull, 13960050ull, 123156254ull}) base::PutFixed(body, n);
  std::uint64_t offset = 128;
  for (std::uint64_t bytes : {192ull, 1286848ull, 13960064ull, 246312512ull}) {
    base::PutFixed(body, offset);
    offset += bytes;
  }
  fuzz::Seed("v2-header-body", false, body);
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = fuzz::Scratch("buckets.bin");
  fuzz::WriteFile(path, fuzz::AsFile(data, size, abstraction::kBucketFormat));
  try {
    abstraction::BucketFile::Open(path.string());
  } catch (const abstraction::AssetError&) {
  }
  return 0;
}
