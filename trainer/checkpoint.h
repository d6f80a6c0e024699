// Checkpoint: the complete state of a run after a known set of applied
// batches, enough to resume it exactly.
//
// In the file frame (base/file_frame.h): magic "BPCKPT02", version 4. The
// body (little-endian; P pending batches, K identity keys, R regrets, S
// strategy sums):
//     0   8  iterations applied
//     8   8  batches applied
//    16   8  next batch id
//    24   8  first iteration of the next new batch
//    32   8  discounts applied
//    40   8  run seed (batch seeds derive from it and the batch id)
//    48   8  f64 training seconds before this checkpoint
//    56   1  regret type: 1 f64 (utility units), 2 i32 (solver::RegretCodec)
//    57   3  zero
//    60   4  u32 MPI ranks of the run that wrote it (1: one machine; 0 in
//            the files of earlier builds, read as 1)
//    64   8  R
//    72   8  S (at most R: a prefix of the table when solver.average is preflop)
//    80   8  P
//    88   8  K
//    96      string config YAML (u64 length, bytes), string abstraction
//            fingerprint, K x {string key, string value}, P x {u64 batch id,
//            first iteration, count, seed}, zeros to a multiple of 8
//            (counted from the body's start), R regrets of the type, zeros
//            to a multiple of 8, S f64 strategy sums
// Every count is checked against the bytes that are left before anything is
// allocated, so a crafted count gives CheckpointError, never a huge
// allocation.
//
// Version 3 (earlier builds, still read) is the frame those builds had:
// magic "BPCKPT02" (or "BPCKPT01" with FNV-1a 64), a cereal binary archive
// of the same fields with the version (3) first and both kinds of regrets
// (one empty), then u64 body length and the XXH3-64 (FNV-1a 64) of the body.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "base/file_frame.h"

namespace bp::trainer {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The format's versions: 4 written, 3 read too.
extern const base::FrameFormat kCheckpointFormat;

// A batch that was issued but not applied when the checkpoint was taken; it is
// issued again on resume.
struct PendingBatch {
  std::uint64_t batch_id = 0;
  std::uint64_t first_iteration = 0;
  std::uint64_t count = 0;
  std::uint64_t seed = 0;
};

// The regret table in the game's regret type (solver::RegretOf): double in
// utility units, or int32 in solver::RegretCodec<std::int32_t> units.
using RegretTable = std::variant<std::vector<double>, std::vector<std::int32_t>>;

struct CheckpointData {
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
  std::uint32_t ranks = 1;                       // MPI ranks of the run that wrote it
  std::vector<PendingBatch> pending;
  RegretTable regrets;
  std::vector<double> strategy_sum;

  // The regrets as R; std::bad_variant_access if they are of the other type.
  template <class R>
  std::vector<R>& Regrets() {
    return std::get<std::vector<R>>(regrets);
  }
  template <class R>
  const std::vector<R>& Regrets() const {
    return std::get<std::vector<R>>(regrets);
  }
  bool int_regrets() const { return std::holds_alternative<std::vector<std::int32_t>>(regrets); }
  std::uint64_t num_regrets() const;
  // Regret i in utility units.
  double Regret(std::uint64_t i) const;
  // The current strategy (regret matching) of entries [base, base + n).
  void CurrentStrategy(std::uint64_t base, int n, double* out) const;
};

// Writes the current version atomically (base::AtomicWriteFile). Throws
// base::FileError naming the file on any I/O failure.
void WriteCheckpoint(const std::filesystem::path& path, const CheckpointData& data);
// Reads versions 3 and 4. Throws CheckpointError naming the file and what
// is wrong (the command-line tools exit 2 for it: bad input).
CheckpointData ReadCheckpoint(const std::filesystem::path& path);
// The same for a file's bytes in memory (`path` names it in messages).
CheckpointData DecodeCheckpoint(std::span<const char> file, const std::filesystem::path& path);

}  // namespace bp::trainer
