#include "abstraction/bucket_file.h"
#include "support/legacy_formats.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace bp::abstraction;
namespace fs = std::filesystem;

namespace {

// Tables with bucket = index mod buckets (300 river buckets: 2-byte entries).
BucketTables Synthetic() {
  BucketTables t;
  const HoldemIndexer indexer(IsomorphismMode::kBoardAsSet);
  t.buckets = {169, 20, 30, 300};
  for (int s = 0; s < 4; ++s) {
    auto& table = t.table[static_cast<std::size_t>(s)];
    table.resize(indexer.size(s));
    for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<std::uint16_t>(i % t.buckets[static_cast<std::size_t>(s)]);
  }
  return t;
}

std::string ErrorOf(const std::string& path) {
  try {
    BucketFile::Open(path);
  } catch (const AssetError& e) {
    return e.what();
  }
  return "(no error)";
}

void Patch(const std::string& path, std::size_t offset, const void* bytes, std::size_t n) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
}

}  // namespace

TEST_CASE("bucket file: written, memory-mapped back, looked up; corrupt files give AssetError naming the problem") {
  const fs::path dir = fs::temp_directory_path() / ("bp-bucket-file-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string good = (dir / "good.bin").string();
  const BucketTables tables = Synthetic();
  const std::uint64_t fingerprint = WriteBucketFile(good, tables);
  CHECK_FALSE(fs::exists(good + ".tmp"));
  const std::uintmax_t size = fs::file_size(good);
  {
    const BucketFile f = BucketFile::Open(good);
    CHECK(f.fingerprint() == fingerprint);
    CHECK(f.mode() == IsomorphismMode::kBoardAsSet);
    for (int s = 0; s < 4; ++s) {
      CHECK(f.buckets(s) == tables.buckets[static_cast<std::size_t>(s)]);
      CHECK(f.entries(s) == tables.table[static_cast<std::size_t>(s)].size());
      for (std::uint64_t i = 0; i < f.entries(s); i += 9973) {
        REQUIRE(f.BucketOfIndex(s, i) == tables.table[static_cast<std::size_t>(s)][i]);
      }
    }
    // (hole, board) lookups go through the indexer.
    const Card hole[2] = {MakeCard(12, 0), MakeCard(12, 1)};
    const Card board[5] = {MakeCard(0, 2), MakeCard(5, 3), MakeCard(9, 0), MakeCard(3, 1), MakeCard(7, 2)};
    CHECK(f.Bucket(3, hole, board) == f.BucketOfIndex(3, f.indexer().Index(3, hole, board)));
    CHECK(f.Bucket(0, hole, nullptr) == f.indexer().Index(0, hole, nullptr) % 169);
    BucketFile opened = BucketFile::Open(good);
    const BucketFile moved = std::move(opened);  // the mapping moves with it
    CHECK(moved.Bucket(3, hole, board) == tables.table[3][moved.indexer().Index(3, hole, board)]);
  }
  // Byte-identical when written again.
  const std::string again = (dir / "again.bin").string();
  WriteBucketFile(again, tables);
  {
    std::ifstream a(good, std::ios::binary), b(again, std::ios::binary);
    CHECK(std::equal(std::istreambuf_iterator<char>(a), {}, std::istreambuf_iterator<char>(b)));
  }

  const std::string bad = (dir / "bad.bin").string();
  auto fresh = [&] { fs::copy_file(good, bad, fs::copy_options::overwrite_existing); };
  // The body of a damaged file whose checksum was made to match again: the
  // checks behind the frame's.
  auto reframe = [&] {
    std::string bytes;
    {
      std::ifstream in(bad, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::uint64_t sum = bp::base::Checksum::Of(bp::base::Checksum::Kind::kXxh3, bytes.data(), bytes.size() - 8);
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << bytes;
  };
  CHECK(ErrorOf((dir / "missing.bin").string()) ==
        (dir / "missing.bin").string() + ": cannot open bucket file: No such file or directory");
  fresh();
  fs::resize_file(bad, 100);
  CHECK(ErrorOf(bad) == bad + ": truncated or padded: the bucket file's body should be " + std::to_string(size - 32) +
                            " bytes, the file holds 68");
  fresh();
  fs::resize_file(bad, size - 64);
  CHECK(ErrorOf(bad) == bad + ": truncated or padded: the bucket file's body should be " + std::to_string(size - 32) +
                            " bytes, the file holds " + std::to_string(size - 96));
  fresh();
  Patch(bad, 0, "NOTABUCK", 8);
  CHECK(ErrorOf(bad) == bad + ": not a bucket file (magic is not BPBUCKT1)");
  fresh();
  const std::uint32_t v3 = 3;
  Patch(bad, 8, &v3, 4);
  CHECK(ErrorOf(bad) == bad + ": bucket file version 3, this build reads versions 1 and 2 (the file is from a later "
                              "build); rebuild it with build_buckets");
  fresh();
  const std::uint32_t split = 1;  // the split-board indexer has other class counts
  Patch(bad, 24, &split, 4);
  reframe();
  CHECK(ErrorOf(bad) == bad + ": turn table has 13960050 entries, the indexer has 55190538 classes");
  fresh();
  const std::uint32_t wide = 2;
  Patch(bad, 48 + 4, &wide, 4);
  reframe();
  CHECK(ErrorOf(bad) == bad + ": flop entries are 2 bytes wide, expected 1 for 20 buckets");
  fresh();
  const char flip = 0x5A;
  Patch(bad, size / 2, &flip, 1);
  CHECK(ErrorOf(bad) == bad + ": checksum mismatch: the content is corrupt");
  fresh();
  const std::uint16_t too_big = 300;  // the river has 300 buckets: 0..299
  Patch(bad, size - 8 - 64, &too_big, 2);
  reframe();
  CHECK(ErrorOf(bad) == bad + ": river table holds bucket 300, but the street has 300 buckets");
  fresh();
  {
    std::ofstream(bad, std::ios::binary | std::ios::app) << std::string(64, '\0');
  }
  CHECK(ErrorOf(bad) == bad + ": truncated or padded: the bucket file's body should be " + std::to_string(size - 32) +
                            " bytes, the file holds " + std::to_string(size + 32));
  fs::remove_all(dir);
}

TEST_CASE("bucket files of version 1 (no frame, FNV-1a fingerprint) are still read, with the same buckets") {
  const fs::path dir = fs::temp_directory_path() / ("bp-bucket-file-v1-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const BucketTables tables = Synthetic();
  const std::string old = (dir / "v1.bin").string();
  const std::string bytes = bp::legacy::EncodeBucketFileV1(0, tables.buckets, tables.table);
  std::ofstream(old, std::ios::binary) << bytes;
  const BucketFile f = BucketFile::Open(old);
  CHECK(f.fingerprint() == bp::base::GetFixed<std::uint64_t>(bytes.data() + 112));
  for (int s = 0; s < 4; ++s) {
    CHECK(f.buckets(s) == tables.buckets[static_cast<std::size_t>(s)]);
    for (std::uint64_t i = 0; i < f.entries(s); i += 7919) {
      REQUIRE(f.BucketOfIndex(s, i) == tables.table[static_cast<std::size_t>(s)][i]);
    }
  }
  // Its own checks, as that build made them.
  const std::string bad = (dir / "bad.bin").string();
  auto fresh = [&] { fs::copy_file(old, bad, fs::copy_options::overwrite_existing); };
  fresh();
  const char flip = 0x5A;
  Patch(bad, bytes.size() / 2, &flip, 1);
  CHECK(ErrorOf(bad).find(bad + ": fingerprint mismatch (stored ") == 0);
  fresh();
  fs::resize_file(bad, 100);
  CHECK(ErrorOf(bad) == bad + ": truncated bucket file: 100 bytes, the header alone is 128");
  fresh();
  fs::resize_file(bad, bytes.size() - 64);
  CHECK(ErrorOf(bad) == bad + ": truncated bucket file: " + std::to_string(bytes.size() - 64) +
                            " bytes, the river table ends at " + std::to_string(bytes.size()));
  fresh();
  const std::uint32_t split = 1;
  Patch(bad, 12, &split, 4);
  CHECK(ErrorOf(bad) == bad + ": turn table has 13960050 entries, the indexer has 55190538 classes");
  fs::remove_all(dir);
}
