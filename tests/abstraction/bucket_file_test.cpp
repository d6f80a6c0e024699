#include "abstraction/bucket_file.h"

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
  CHECK(ErrorOf((dir / "missing.bin").string()) ==
        (dir / "missing.bin").string() + ": cannot open bucket file: No such file or directory");
  fresh();
  fs::resize_file(bad, 100);
  CHECK(ErrorOf(bad) == bad + ": truncated bucket file: 100 bytes, the header alone is 128");
  fresh();
  fs::resize_file(bad, size - 64);
  CHECK(ErrorOf(bad) == bad + ": truncated bucket file: " + std::to_string(size - 64) +
                            " bytes, the river table ends at " + std::to_string(size));
  fresh();
  Patch(bad, 0, "NOTABUCK", 8);
  CHECK(ErrorOf(bad) == bad + ": not a bucket file (magic is not BPBUCKT1)");
  fresh();
  const std::uint32_t v2 = 2;
  Patch(bad, 8, &v2, 4);
  CHECK(ErrorOf(bad) == bad + ": bucket file version 2, this build reads version 1; rebuild it with build_buckets");
  fresh();
  const std::uint32_t split = 1;  // the split-board indexer has other class counts
  Patch(bad, 12, &split, 4);
  CHECK(ErrorOf(bad) == bad + ": turn table has 13960050 entries, the indexer has 55190538 classes");
  fresh();
  const std::uint32_t wide = 2;
  Patch(bad, 32 + 4, &wide, 4);
  CHECK(ErrorOf(bad) == bad + ": flop entries are 2 bytes wide, expected 1 for 20 buckets");
  fresh();
  const char flip = 0x5A;
  Patch(bad, size / 2, &flip, 1);
  CHECK(ErrorOf(bad).find(bad + ": fingerprint mismatch (stored ") == 0);
  fresh();
  {
    std::ofstream(bad, std::ios::binary | std::ios::app) << std::string(64, '\0');
  }
  CHECK(ErrorOf(bad) == bad + ": " + std::to_string(size + 64) + " bytes, expected " + std::to_string(size) +
                            " (trailing data)");
  fs::remove_all(dir);
}
