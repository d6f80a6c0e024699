// Blueprint: the strategy a no-limit hold'em run learned, as one file
// (LOGDIR/blueprint.bin, written at the end of an nlhe run) and a query API.
//
// The strategy is the average strategy on the preflop and the current
// strategy (regret matching of the final regrets) on later streets, as the
// Pluribus blueprint plays; one float per (betting node, bucket, action), laid
// out as the trainer's tables. The file carries the run's resolved config, so
// the betting tree is rebuilt exactly, and the bucket file's fingerprint, so
// a different card abstraction is refused.
//
// In the file frame (base/file_frame.h): magic "BPBLUEP1", version 3. The
// body (little-endian):
//     0   8  iterations trained
//     8   8  fingerprint of the bucket file
//    16   8  entries E (float probabilities that follow)
//    24   8  length L of the config YAML
//    32   L  the resolved config (YAML), then zeros to a multiple of 8
//       4xE  probabilities
// Versions 1 (FNV-1a 64) and 2 (XXH3-64) of earlier builds had the same body
// in the frame without a length (FrameLayout::kNoLength), and are read too.
//
// Query: a seat, the real actions so far ("f", "k", "c", "r<chips>" = raise
// to a street total, "a" = all-in), the seat's hole cards and the board.
// Real raises are mapped onto the tree's with the pseudo-harmonic
// translation (abstraction/bet_translation.h), choosing the likelier side;
// the real chip counts are kept for the sizes that follow. Thread-safe after
// Open.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "abstraction/bucket_file.h"
#include "base/file_frame.h"
#include "abstraction/nlhe_game.h"
#include "solver/table_layout.h"
#include "trainer/config.h"

namespace bp::trainer {

struct BlueprintAction {
  std::string name;          // the tree's action, e.g. "r300"
  double probability = 0;
};

extern const base::FrameFormat kBlueprintFormat;

// A blueprint file's contents before its card abstraction is opened.
struct BlueprintFile {
  std::uint64_t iterations = 0;
  std::uint64_t bucket_fingerprint = 0;
  std::uint64_t entries = 0;
  Config config;
  std::span<const char> probabilities;  // entries floats, in the file's memory
};
// Checks the frame and decodes the body of a blueprint's bytes (`path`
// names it in messages); AssetError for anything malformed.
BlueprintFile DecodeBlueprint(std::span<const char> file, const std::string& path);

class Blueprint {
 public:
  // Writes `path` atomically (base::AtomicWriteFile). probabilities: one per
  // table entry. base::FileError naming the file and the reason if it
  // cannot be written.
  static void Write(const std::filesystem::path& path, const Config& config, std::uint64_t iterations,
                    std::uint64_t bucket_fingerprint, std::span<const float> probabilities);

  // Reads `path` and opens its bucket file (the config's, or `buckets` if not
  // empty). AssetError for a bad file or a bucket file with another
  // fingerprint.
  static Blueprint Open(const std::string& path, const std::string& buckets = "");

  // The seat's action probabilities after `history`. Throws ConfigError with
  // what is wrong (an illegal or unknown action, not the seat's turn, the
  // wrong number of board cards).
  std::vector<BlueprintAction> Query(int seat, const std::vector<std::string>& history, const abstraction::Card* hole,
                                     const std::vector<abstraction::Card>& board) const;

  // The tree's decision node the seat faces after `history` with
  // `board_cards` board cards: the checks of Query that need no cards
  // (ConfigError with the same messages).
  std::uint32_t Locate(int seat, const std::vector<std::string>& history, std::size_t board_cards) const;
  // The tree's action names at `node` ("f", "c", "r300", "a20000").
  std::vector<std::string> ActionNames(std::uint32_t node) const;
  // Every hole pair's probabilities at `node` on `board` (the node's street's
  // board cards): 1326 rows of NumActions(node) floats, the pairs in the
  // order of HolePairs(); NaN rows for pairs that share a card with the board.
  std::vector<float> QueryAllHoles(std::uint32_t node, const std::vector<abstraction::Card>& board) const;
  // The 1326 hole pairs in a fixed order: the first card the higher id
  // (abstraction/card.h), pairs by (first, second) ascending.
  static const std::vector<std::array<abstraction::Card, 2>>& HolePairs();

  const Config& config() const { return config_; }
  std::uint64_t iterations() const { return iterations_; }
  const abstraction::NlheGame& game() const { return *game_; }
  // Probabilities at (node, bucket) of the tree.
  const float* At(std::uint32_t node, std::uint32_t bucket) const;

 private:
  Config config_;
  std::uint64_t iterations_ = 0;
  std::vector<float> probabilities_;
  std::unique_ptr<abstraction::BucketFile> buckets_;
  std::unique_ptr<abstraction::HandEvaluator> evaluator_;
  std::unique_ptr<abstraction::NlheGame> game_;
  std::unique_ptr<solver::TableLayout> layout_;
};

// Strategy probabilities of the table entries [first, layout.num_entries()):
// the average strategy where strategy sums were kept (the prefix
// `strategy_sum` covers: the preflop, or every street; empty for none), the
// current strategy (regret matching) elsewhere. Regrets are read with relaxed
// atomic loads, so another thread may be applying batches meanwhile (the
// coordinator's periodic snapshots; each infoset's regrets are then from
// some moment of the computation).
// R: double or std::int32_t (solver/tables.h).
template <class R>
std::vector<float> StrategyProbabilities(const solver::TableLayout& layout, const R* regrets,
                                         std::span<const double> strategy_sum, std::uint64_t first = 0);
// The same for the entries [first, first + out.size()), into `out`; both
// ends fall between betting nodes (the end of a street, say).
template <class R>
void StrategyProbabilities(const solver::TableLayout& layout, const R* regrets, std::span<const double> strategy_sum,
                           std::uint64_t first, std::span<float> out);

}  // namespace bp::trainer
