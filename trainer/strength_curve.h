// The strength curve of a no-limit run: local best response (trainer/lbr.h)
// against the blueprint as it stood at each checkpoint.
//
// With checkpoint.curve (the default for nlhe), every checkpoint also writes
// LOGDIR/curve/blueprint-<iteration>.bin: the blueprint the run would have
// written had it stopped there. `eval_blueprint --lbr --curve LOGDIR`
// evaluates the points in order of iteration and appends one JSON object per
// point to LOGDIR/lbr.jsonl:
//   iterations, t        the point: iterations, training seconds (from
//                        metrics.jsonl, interpolated between its rows)
//   actions, streets     LBR's settings (a curve is one pair of them)
//   flop_samples, preflop_samples, preflop_equity (bool), seed
//   deals, hands, mbb, ci95, seat0_mbb, seat0_ci95, seat1_mbb, seat1_ci95
//                        LBR's winnings in mbb per hand, 95% half-widths
//   seconds, threads     how long the evaluation took, on how many threads
// A point already in the file with the same actions and streets is not
// evaluated again, so the command picks up where it stopped. Lines that do
// not parse (a cut-off last line) are skipped with a note. Functions of
// values; thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "trainer/metrics.h"

namespace bp::trainer {

struct CurveRow {
  std::uint64_t iterations = 0;
  double t = 0;
  std::string actions, streets;
  int flop_samples = 0, preflop_samples = 0;
  bool preflop_equity = false;
  std::uint64_t seed = 0, deals = 0, hands = 0;
  double mbb = 0, ci95 = 0, seat0_mbb = 0, seat0_ci95 = 0, seat1_mbb = 0, seat1_ci95 = 0;
  double seconds = 0;
  int threads = 0;
};

std::string CurveRowJson(const CurveRow& row);
// The rows of `path` in file order (none if it does not exist); a line that
// is not a curve row goes to `skipped` as "path:line: why".
std::vector<CurveRow> ReadCurve(const std::filesystem::path& path, std::vector<std::string>& skipped);
// Training seconds at `iterations`, by linear interpolation between the
// metrics rows around it (the nearest row's time outside them; 0 without rows).
double TrainingSecondsAt(const std::vector<MetricsRow>& rows, std::uint64_t iterations);

}  // namespace bp::trainer
