// Strategy snapshots: the current strategy of the streets without strategy
// sums (everything after the preflop when solver.average is preflop), saved
// at checkpoint.snapshot_interval as LOGDIR/snapshots/snapshot-<iteration>.bin.
// Pluribus plays the mean of such snapshots after the preflop; the blueprint
// written at the end of a run does the same with every valid snapshot in the
// directory (those of earlier, resumed legs of the run included).
//
// Byte layout (little-endian):
//     0   8  magic "BPSNAPS1"
//     8   4  version (2)
//    12   4  zero
//    16   8  iteration (applied iterations when it was taken)
//    24   8  layout fingerprint: FNV-1a 64 of the run's abstraction fingerprint
//    32   8  first table entry F
//    40   8  count C of entries
//    48 4xC  float probabilities of the entries [F, F + C)
//         8  XXH3-64 of every byte before it (abstraction/checksum.h)
// Written to a temporary file and renamed into place. Version 1 (earlier
// versions) is the same with FNV-1a 64, and is read too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace bp::trainer {

struct SnapshotHeader {
  std::uint64_t iteration = 0;
  std::uint64_t layout_fingerprint = 0;
  std::uint64_t first_entry = 0;
  std::uint64_t count = 0;
};

std::filesystem::path SnapshotPath(const std::filesystem::path& logdir, std::uint64_t iteration);

// Throws CheckpointError if it cannot be written.
void WriteSnapshot(const std::filesystem::path& path, const SnapshotHeader& header, std::span<const float> probabilities);

// The mean of the valid snapshots in `logdir`/snapshots whose fingerprint and
// range ([first_entry, first_entry + out.size())) match, written into `out`;
// returns how many went in (`out` is left alone when none did). Each file it
// skips is described in `skipped`. Files are checked whole (checksum) before
// they count, then read again in chunks: no table-sized buffer. Throws
// CheckpointError if a file that passed its check cannot be read again.
int MeanOfSnapshots(const std::filesystem::path& logdir, std::uint64_t layout_fingerprint, std::uint64_t first_entry,
                    std::span<float> out, std::vector<std::string>& skipped);

}  // namespace bp::trainer
