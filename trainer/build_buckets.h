// BuildBuckets: the card abstraction builder behind the build_buckets
// command. Imperfect recall as in the Pluribus blueprint: the preflop is
// lossless (169 classes) or clustered, the flop, turn and river are
// clustered with k-means over features of every canonical hand
// (abstraction/card_features.h), suit isomorphism with the board as one set.
//
//   river  k-means (L2) on the exact EHS; centroids fitted on a sample,
//          every class assigned to the nearest
//   turn   k-means under EMD on the histogram of river EHS over the river card
//   flop   k-means under EMD on the histogram of river EHS over turn and river
//   preflop  the 169 classes ordered by all-in equity (lossless), or k-means
//          under EMD on their histograms when fewer buckets are asked for
// Buckets of every street are numbered by ascending mean EHS of their members.
//
// Streets are built river first (each street's features come from the next
// street's). What a finished stage computed (features, bucket tables) is kept
// in OUT.parts/ until the bucket file is written, so an interrupted build
// loses only the stage it was in; a rerun with the same settings picks the
// finished stages up. A part is OUT.parts/NAME in the file frame
// (base/file_frame.h) of kBuildPartFormat: magic "BPPARTS1", version 1, a
// body of a string naming what was computed and with which settings (the
// key: u64 length, bytes), then the raw array. Threads: exactly config.threads compute threads (all
// available cores for 0); the calling thread only reports progress.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "abstraction/street.h"

#include "base/file_frame.h"
#include "trainer/bucket_config.h"

namespace bp::trainer {

extern const base::FrameFormat kBuildPartFormat;

struct StreetReport {
  std::uint64_t classes = 0;
  int buckets = 0;
  double error = 0;        // mean distance to the centroid: EHS squared (river), EMD in equity (others), 0 lossless
  double seconds = 0;      // features and clustering of this street
  bool from_parts = false; // picked up from an earlier, interrupted build
};

struct BuildReport {
  std::array<StreetReport, abstraction::kNumStreets> streets;
  std::uint64_t fingerprint = 0;
  double seconds = 0;
  int threads = 0;
  // All-in equity against one random hand of each preflop class (by index).
  std::vector<double> preflop_equity;
};

// Builds config.out. Progress goes to `out` (a bar when it is a terminal,
// lines otherwise). Throws AssetError on I/O failure.
BuildReport BuildBuckets(const BucketConfig& config, std::FILE* out, bool keep_parts = false);

}  // namespace bp::trainer
