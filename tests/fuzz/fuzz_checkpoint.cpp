// Checkpoints, raw and behind a valid checksum (versions 4 and 3).
#include <cstdint>

#include "fuzz_support.h"
#include "trainer/checkpoint.h"

using namespace bp;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (fuzz::SeedFolder() == nullptr) return 0;
  trainer::CheckpointData d;
  d.config_yaml = "game:\n  name: leduc\n";
  d.identity = {{"game.name", "leduc"}};
  d.abstraction_fingerprint = "leduc:936:2184:0123";
  d.iterations = 10;
  d.pending = {{1, 10, 10, 5}};
  d.Regrets<double>() = {1.0, -2.0, 3.5};
  d.strategy_sum = {0.5, 0.5};
  const auto path = fuzz::Scratch("seed-ckpt.bin");
  trainer::WriteCheckpoint(path, d);
  const std::string file = fuzz::Slurp(path);
  fuzz::Seed("v4", true, file);
  fuzz::Seed("v4-body", false, fuzz::BodyOf(file));
  d.regrets = std::vector<std::int32_t>{-310000000, 7, 2147483647};
  trainer::WriteCheckpoint(path, d);
  fuzz::Seed("v4-int32-body", false, fuzz::BodyOf(fuzz::Slurp(path)));
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = fuzz::AsFile(data, size, trainer::kCheckpointFormat);
  try {
    trainer::DecodeCheckpoint(file, "fuzz.bin");
  } catch (const trainer::CheckpointError&) {
  }
  // The same bytes as the body of a version-3 frame (its own layout).
  if (size > 0 && (data[0] & 2) != 0) {
    std::string v3 = "BPCKPT02";
    base::PutFixed<std::uint32_t>(v3, 3);
    v3.append(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::string_view body(v3.data() + 8, v3.size() - 8);
    base::PutFixed<std::uint64_t>(v3, body.size());
    base::PutFixed<std::uint64_t>(v3, base::Checksum::Of(base::Checksum::Kind::kXxh3, v3.data() + 8, v3.size() - 16));
    try {
      trainer::DecodeCheckpoint(v3, "fuzz-v3.bin");
    } catch (const trainer::CheckpointError&) {
    }
  }
  return 0;
}
