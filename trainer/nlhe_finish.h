// The end of an nlhe run: LOGDIR/blueprint.bin (trainer/blueprint.h), the
// strategy the run learned. The average strategy where strategy sums were
// kept (the preflop, with solver.average: preflop), and after them the mean
// of the run's current-strategy snapshots (trainer/snapshot.h), or, when
// there is none, the final current strategy (computed only then).
//
// Not part of the game-generic coordinator: it runs on the coordinator
// thread once the workers have stopped and the final checkpoint is written,
// reading the tables nobody writes any more.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "solver/table_layout.h"
#include "trainer/config.h"
#include "trainer/run_dir.h"
#include "trainer/run_log.h"

namespace bp::trainer {

struct NlheFinish {
  const Config& config;
  const solver::TableLayout& layout;
  std::span<const std::int32_t> regrets;     // nlhe regrets (solver::RegretOf<NlheGame>)
  std::span<const double> strategy_sum;      // a prefix of the entries
  std::uint64_t layout_fingerprint;          // of the snapshots this run may use
  std::uint64_t iterations;
  std::uint64_t bucket_fingerprint;
};

// Writes run.Blueprint() and logs what went into it and how long it took.
// base::FileError if it cannot be written.
void WriteNlheBlueprint(const NlheFinish& finish, const RunDir& run, RunLog& log);
// Writes the blueprint of `finish` (with the run's snapshots so far) to
// `path`; returns what went into it, and the snapshots it skipped in
// `skipped`. Logs nothing: safe on the writer thread (checkpoint.curve).
std::string WriteNlheBlueprintTo(const NlheFinish& finish, const RunDir& run, const std::filesystem::path& path,
                                 std::vector<std::string>& skipped);

}  // namespace bp::trainer
