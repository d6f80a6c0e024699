// Checkpoint: the complete state of a run after a known set of applied
// batches, enough to resume it exactly.
//
// File byte layout (little-endian):
//   [0, 8)         magic "BPCKPT02"
//   [8, 8+N)       body: a cereal binary archive of CheckpointData (below)
//   [8+N, 16+N)    u64 N, the body length
//   [16+N, 24+N)   u64 XXH3-64 checksum of the body (abstraction/checksum.h)
// Files with the magic "BPCKPT01" (earlier versions) are the same with an
// FNV-1a 64 checksum, and are read too.
// The length and checksum are checked before the body is parsed, so a
// truncated or bit-flipped file gives CheckpointError, never a crash or a huge
// allocation. Written to "<path>.tmp", fsynced, renamed over <path>, and the
// directory fsynced: a crash leaves the old file or the new one, never half.
#pragma once

#include "abstraction/fnv.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bp::trainer {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 2: strategy sums may be a prefix (solver.average); 3: int32 regrets.
inline constexpr std::uint32_t kCheckpointVersion = 3;

// A batch that was issued but not applied when the checkpoint was taken; it is
// issued again on resume.
struct PendingBatch {
  std::uint64_t batch_id = 0;
  std::uint64_t first_iteration = 0;
  std::uint64_t count = 0;
  std::uint64_t seed = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(batch_id, first_iteration, count, seed);
  }
};

struct CheckpointData {
  std::uint32_t version = kCheckpointVersion;
  std::string config_yaml;                       // the resolved config of the run
  std::map<std::string, std::string> identity;   // keys that must match to resume
  std::string abstraction_fingerprint;           // game and table layout
  std::uint64_t iterations = 0;                  // iterations applied
  std::uint64_t batches_applied = 0;
  std::uint64_t next_batch_id = 0;
  std::uint64_t next_iteration = 0;              // first iteration of the next new batch
  std::uint64_t discounts_applied = 0;
  std::uint64_t seed = 0;                        // batch seeds derive from (seed, batch id)
  double elapsed_s = 0;                          // training time before this checkpoint
  std::vector<PendingBatch> pending;
  // The regret table: `regrets` for games with double regrets, `int_regrets`
  // (solver::RegretCodec<std::int32_t> units) for int32 ones; the other is empty.
  std::vector<double> regrets;
  std::vector<std::int32_t> int_regrets;
  std::vector<double> strategy_sum;

  std::uint64_t num_regrets() const { return regrets.size() + int_regrets.size(); }
  // Regret i in utility units.
  double Regret(std::uint64_t i) const;
  // The current strategy (regret matching) of entries [base, base + n).
  void CurrentStrategy(std::uint64_t base, int n, double* out) const;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(version, config_yaml, identity, abstraction_fingerprint, iterations, batches_applied, next_batch_id,
       next_iteration, discounts_applied, seed, elapsed_s, pending, regrets, int_regrets, strategy_sum);
  }
};

// Throws CheckpointError naming the file on any I/O failure.
void WriteCheckpoint(const std::filesystem::path& path, const CheckpointData& data);
// Throws CheckpointError naming the file and what is wrong.
CheckpointData ReadCheckpoint(const std::filesystem::path& path);

// The whole of a file `in` has open (binary, at its start), read in one call
// into memory populated beforehand (ipc::PopulatePages): for a 1.2 GiB
// checkpoint 12 s with istreambuf_iterator, against about a second.
std::string ReadWholeFile(std::ifstream& in, const std::filesystem::path& path);

// The frame of snapshots and blueprints: writes `head`, then `body` straight
// from its memory (no copy of a table that may take gigabytes), then the
// XXH3-64 checksum of both, to `path`. False if a write failed.
bool WriteChecksummed(const std::filesystem::path& path, std::string_view head, std::span<const float> body);

// "ckpt-<iteration>.bin" files of a directory, newest (highest iteration) first.
std::vector<std::filesystem::path> ListCheckpoints(const std::filesystem::path& dir);
std::filesystem::path CheckpointPath(const std::filesystem::path& dir, std::uint64_t iteration);
// Deletes all but the newest `keep` checkpoints.
void PruneCheckpoints(const std::filesystem::path& dir, int keep);

using abstraction::Fnv1a64;

}  // namespace bp::trainer
