// RunDir: every path a training run leaves in its directory (LOGDIR), named
// in one place (as LevelDB's db/filename.h names a database's files). Train,
// resume, inspect, checkpoints, snapshots, the blueprint and the lock all
// take their paths from here.
//
//   LOGDIR/config.yaml                      the resolved config (every key of its game)
//   LOGDIR/train.log                        the human log
//   LOGDIR/metrics.jsonl                    one JSON object per interval (trainer/metrics.h)
//   LOGDIR/.lock                            held by the running train_blueprint (trainer/run_lock.h)
//   LOGDIR/checkpoints/ckpt-<iteration>.bin the last checkpoint.keep checkpoints (trainer/checkpoint.h)
//   LOGDIR/snapshots/snapshot-<iteration>.bin  current-strategy snapshots (trainer/snapshot.h)
//   LOGDIR/blueprint.bin                    the final strategy of an nlhe run (trainer/blueprint.h)
//   LOGDIR/curve/blueprint-<iteration>.bin  the blueprint as it stood at each checkpoint of an nlhe run
//                                           (checkpoint.curve), for its strength curve
//   LOGDIR/lbr.jsonl                        the strength curve: one JSON object per point evaluated
//                                           (eval_blueprint --lbr --curve)
// A file being written is "<name>.tmp" beside its final name until it is
// renamed into place (base/file_frame.h). A value type: thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace bp::trainer {

class RunDir {
 public:
  explicit RunDir(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path Config() const { return root_ / "config.yaml"; }
  std::filesystem::path Log() const { return root_ / "train.log"; }
  std::filesystem::path Metrics() const { return root_ / "metrics.jsonl"; }
  std::filesystem::path Lock() const { return root_ / ".lock"; }
  std::filesystem::path Blueprint() const { return root_ / "blueprint.bin"; }
  std::filesystem::path Checkpoints() const { return root_ / "checkpoints"; }
  std::filesystem::path Checkpoint(std::uint64_t iteration) const;
  std::filesystem::path Snapshots() const { return root_ / "snapshots"; }
  std::filesystem::path Snapshot(std::uint64_t iteration) const;
  std::filesystem::path Curve() const { return root_ / "curve"; }
  std::filesystem::path CurvePoint(std::uint64_t iteration) const;
  std::filesystem::path Lbr() const { return root_ / "lbr.jsonl"; }

  // Checkpoint files, newest (highest iteration) first; snapshot files,
  // oldest first. Other files (a .tmp, ckpt-x.bin) are not listed.
  std::vector<std::filesystem::path> ListCheckpoints() const;
  std::vector<std::filesystem::path> ListSnapshots() const;
  // Curve points (iteration, path), oldest first.
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> ListCurvePoints() const;
  // Deletes all but the newest `keep` checkpoints.
  void PruneCheckpoints(int keep) const;
  // Deletes the temporary files writes that never finished left (a
  // "<name>.tmp" of config.yaml, blueprint.bin, a checkpoint, a snapshot or
  // a curve point)
  // and returns their paths. Requires: no write of this run is going on (the
  // caller holds the run's lock).
  std::vector<std::filesystem::path> RemoveTemporaries() const;

  // The iteration of "<prefix><digits>.bin", if `name` is one.
  static std::optional<std::uint64_t> IterationOf(std::string_view name, std::string_view prefix);

 private:
  std::filesystem::path root_;
};

}  // namespace bp::trainer
