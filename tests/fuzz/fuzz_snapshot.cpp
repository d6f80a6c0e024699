// Strategy snapshots, raw and behind a valid checksum: read by the running
// mean of a run's snapshots, which skips what it cannot use.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz_support.h"
#include "trainer/snapshot.h"

using namespace bp;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (fuzz::SeedFolder() == nullptr) return 0;
  const std::vector<float> p = {0.25f, 0.75f, 1.0f, 0.0f};
  const auto path = fuzz::Scratch("seed-snapshot.bin");
  trainer::WriteSnapshot(path, {100, 0xfeed, 10, p.size()}, p);
  fuzz::Seed("v3", true, fuzz::Slurp(path));
  fuzz::Seed("v3-body", false, fuzz::BodyOf(fuzz::Slurp(path)));
  std::exit(0);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const trainer::RunDir run(fuzz::Scratch("run"));
  std::filesystem::create_directories(run.Snapshots());
  fuzz::WriteFile(run.Snapshot(100), fuzz::AsFile(data, size, trainer::kSnapshotFormat));
  std::vector<float> out(4, 0.0f);
  std::vector<std::string> skipped;
  const int used = trainer::MeanOfSnapshots(run, 0xfeed, 10, out, skipped);
  if (used + skipped.size() != 1) std::abort();  // the one file either counts or is skipped, with its reason
  return 0;
}
