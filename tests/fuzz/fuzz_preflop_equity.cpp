// Preflop equity files, raw and behind a valid checksum.
#include <cstdint>
#include <cstdlib>

#include "abstraction/bucket_file.h"
#include "abstraction/preflop_equity.h"
#include "fuzz_support.h"

using namespace bp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = fuzz::AsFile(data, size, abstraction::kPreflopEquityFormat);
  try {
    abstraction::PreflopEquity::Decode(file, "fuzz.bin");
  } catch (const abstraction::AssetError&) {
  }
  return 0;
}
