// Strategy snapshots: the current strategy of the streets without strategy
// sums (everything after the preflop when solver.average is preflop), saved
// at checkpoint.snapshot_interval as RunDir::Snapshot(iteration).
// Pluribus plays the mean of such snapshots after the preflop; the blueprint
// written at the end of a run does the same with every valid snapshot in the
// directory (those of earlier, resumed legs of the run included).
//
// In the file frame (base/file_frame.h): magic "BPSNAPS1", version 3. The
// body (little-endian):
//     0   8  iteration (applied iterations when it was taken)
//     8   8  layout fingerprint: FNV-1a 64 of the run's abstraction fingerprint
//    16   8  first table entry F
//    24   8  count C of entries
//    32 4xC  float probabilities of the entries [F, F + C)
// Versions 1 (FNV-1a 64) and 2 (XXH3-64) of earlier builds had the same body
// in the frame without a length (FrameLayout::kNoLength), and are read too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/file_frame.h"
#include "trainer/run_dir.h"

namespace bp::trainer {

extern const base::FrameFormat kSnapshotFormat;

struct SnapshotHeader {
  std::uint64_t iteration = 0;
  std::uint64_t layout_fingerprint = 0;
  std::uint64_t first_entry = 0;
  std::uint64_t count = 0;
};

// Writes the current version atomically; base::FileError if it cannot be written.
void WriteSnapshot(const std::filesystem::path& path, const SnapshotHeader& header, std::span<const float> probabilities);

// The mean of the valid snapshots of `run` whose fingerprint and range
// ([first_entry, first_entry + out.size())) match, written into `out`;
// returns how many went in (`out` is left alone when none did). Each file it
// skips is described in `skipped` ("PATH: what is wrong"). Files are checked
// whole (checksum) before they count, then read again in chunks: no
// table-sized buffer.
int MeanOfSnapshots(const RunDir& run, std::uint64_t layout_fingerprint, std::uint64_t first_entry,
                    std::span<float> out, std::vector<std::string>& skipped);

}  // namespace bp::trainer
