// Bucket file: the card abstraction as one binary file, canonical hand index
// -> bucket per street, loaded by memory-mapping (read-only and shared, so
// forked workers share it for free).
//
// In the file frame (base/file_frame.h): magic "BPBUCKT1", version 2. The
// body, by file offset (little-endian; every table starts at a multiple of 64):
//    24     4   indexer mode (0 = board as one set, 1 = split by street)
//    28     4   zero
//    32   4x4   buckets per street (preflop, flop, turn, river)
//    48   4x4   bytes per entry per street (1 when buckets <= 256, else 2)
//    64   4x8   entries per street (the indexer's class count)
//    96   4x8   file offset of each street's table
//   128         tables, each entries x bytes-per-entry, padded with zeros to 64
// The body ends with the last table; the fingerprint of the file is its
// frame's XXH3-64.
//
// Version 1 (earlier builds, still read): no frame; magic "BPBUCKT1", u32
// version 1, u32 indexer mode, then the fields above at offsets 16, 32, 48
// and 80, the fingerprint at 112 (FNV-1a 64 over bytes 0..111, then every
// table), zero at 120, the tables from 128; the file ends with the last
// table rounded up to 64.
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

#include "abstraction/street.h"

#include "abstraction/hand_indexer.h"
#include "base/file_frame.h"

namespace bp::abstraction {

// A bad asset file: the message names the file and what is wrong.
class AssetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

extern const base::FrameFormat kBucketFormat;

struct BucketTables {
  IsomorphismMode mode = IsomorphismMode::kBoardAsSet;
  std::array<std::uint32_t, kNumStreets> buckets{};
  // Per street, one bucket per canonical index (values < buckets[street]).
  std::array<std::vector<std::uint16_t>, kNumStreets> table;
};

// Writes `tables` to `path` atomically (base::AtomicWriteFile). Returns the
// fingerprint. Throws AssetError on I/O failure.
std::uint64_t WriteBucketFile(const std::string& path, const BucketTables& tables);

class BucketFile {
 public:
  // Maps and validates `path`: the frame (magic, version, length,
  // checksum), mode, sizes against the indexer, table bounds, and every
  // bucket below its count. Throws AssetError naming the file and the
  // problem.
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
  // Requires: 2 hole cards and kBoardCards[street] board cards, distinct.
  std::uint32_t Bucket(int street, const Card* hole, const Card* board) const {
    return BucketOfIndex(street, indexer_->Index(street, hole, board));
  }

 private:
  BucketFile() = default;
  void Unmap();

  std::string path_;
  IsomorphismMode mode_ = IsomorphismMode::kBoardAsSet;
  std::array<std::uint32_t, kNumStreets> buckets_{};
  std::array<std::uint64_t, kNumStreets> entries_{};
  std::array<bool, kNumStreets> wide_{};
  std::array<const std::uint8_t*, kNumStreets> table_{};
  std::uint64_t fingerprint_ = 0;
  const std::uint8_t* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::unique_ptr<HoldemIndexer> indexer_;
};

}  // namespace bp::abstraction
