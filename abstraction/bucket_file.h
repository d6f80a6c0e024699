// Bucket file: the card abstraction as one binary file, canonical hand index
// -> bucket per street, loaded by memory-mapping (read-only and shared, so
// forked workers share it for free).
//
// Byte layout (little-endian; every table starts at a multiple of 64):
//   offset size
//     0     8   magic "BPBUCKT1"
//     8     4   version (1)
//    12     4   indexer mode (0 = board as one set, 1 = split by street)
//    16   4x4   buckets per street (preflop, flop, turn, river)
//    32   4x4   bytes per entry per street (1 when buckets <= 256, else 2)
//    48   4x8   entries per street (the indexer's class count)
//    80   4x8   file offset of each street's table
//   112     8   fingerprint: FNV-1a 64 over bytes 0..111, then every table
//   120     8   zero
//   128         tables, each entries x bytes-per-entry, padded with zeros to 64
// The file size is exactly the end of the last table rounded up to 64.
//
// Lookup of (hole, board) -> bucket: index with the HoldemIndexer of the
// file's mode, then one table read. Thread-safe after Open.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "abstraction/hand_indexer.h"

namespace bp::abstraction {

// A bad asset file: the message names the file and what is wrong.
class AssetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr char kBucketMagic[8] = {'B', 'P', 'B', 'U', 'C', 'K', 'T', '1'};
inline constexpr std::uint32_t kBucketVersion = 1;

struct BucketTables {
  IsomorphismMode mode = IsomorphismMode::kBoardAsSet;
  std::array<std::uint32_t, 4> buckets{};
  // Per street, one bucket per canonical index (values < buckets[street]).
  std::array<std::vector<std::uint16_t>, 4> table;
};

// Writes `tables` to `path` (a temporary file beside it, fsynced, renamed).
// Returns the fingerprint. Throws AssetError on I/O failure.
std::uint64_t WriteBucketFile(const std::string& path, const BucketTables& tables);

class BucketFile {
 public:
  // Maps and validates `path`: magic, version, mode, sizes against the
  // indexer, table bounds, every bucket below its count, and the
  // fingerprint. Throws AssetError naming the file and the problem.
  static BucketFile Open(const std::string& path);

  BucketFile(BucketFile&&) noexcept;
  BucketFile& operator=(BucketFile&&) noexcept;
  ~BucketFile();

  const std::string& path() const { return path_; }
  IsomorphismMode mode() const { return mode_; }
  std::uint32_t buckets(int street) const { return buckets_[static_cast<std::size_t>(street)]; }
  std::uint64_t entries(int street) const { return entries_[static_cast<std::size_t>(street)]; }
  std::uint64_t fingerprint() const { return fingerprint_; }
  const HoldemIndexer& indexer() const { return *indexer_; }

  std::uint32_t BucketOfIndex(int street, std::uint64_t index) const {
    const auto s = static_cast<std::size_t>(street);
    return wide_[s] ? reinterpret_cast<const std::uint16_t*>(table_[s])[index] : table_[s][index];
  }
  // Requires: 2 hole cards and HoldemIndexer::kBoardCards[street] board cards, distinct.
  std::uint32_t Bucket(int street, const Card* hole, const Card* board) const {
    return BucketOfIndex(street, indexer_->Index(street, hole, board));
  }

 private:
  BucketFile() = default;
  void Unmap();

  std::string path_;
  IsomorphismMode mode_ = IsomorphismMode::kBoardAsSet;
  std::array<std::uint32_t, 4> buckets_{};
  std::array<std::uint64_t, 4> entries_{};
  std::array<bool, 4> wide_{};
  std::array<const std::uint8_t*, 4> table_{};
  std::uint64_t fingerprint_ = 0;
  const std::uint8_t* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::unique_ptr<HoldemIndexer> indexer_;
};

}  // namespace bp::abstraction
