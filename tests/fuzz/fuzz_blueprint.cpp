// Blueprints, raw and behind a valid checksum, up to the card abstraction
// they name (the body, its config, its counts).
#include <cstdint>
#include <cstdlib>

#include "fuzz_support.h"
#include "trainer/blueprint.h"

using namespace bp;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (fuzz::SeedFolder() == nullptr) return 0;
  trainer::Config config = trainer::ParseConfig("game:\n  name: nlhe\nabstraction:\n  buckets: b.bin\n", "seed", {});
  const std::vector<float> p = {0.5f, 0.5f, 1.0f};
  const auto path = fuzz::Scratch("seed-blueprint.bin");
  trainer::Blueprint::Write(path, config, 1000, 0xabc, p);
  fuzz::Seed("v3", true, fuzz::Slurp(path));
  fuzz::Seed("v3-body", false, fuzz::BodyOf(fuzz::Slurp(path)));
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = fuzz::AsFile(data, size, trainer::kBlueprintFormat);
  try {
    const trainer::BlueprintFile b = trainer::DecodeBlueprint(file, "fuzz.bin");
    if (b.probabilities.size() != b.entries * sizeof(float)) std::abort();
  } catch (const abstraction::AssetError&) {
  } catch (const trainer::ConfigError&) {
  }
  return 0;
}
