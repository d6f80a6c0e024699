#include "trainer/checkpoint.h"
#include "trainer/snapshot.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace bp::trainer;
namespace fs = std::filesystem;

namespace {
fs::path TempDir() {
  const fs::path dir = fs::temp_directory_path() / ("bp-ckpt-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

CheckpointData Sample() {
  CheckpointData d;
  d.config_yaml = "game:\n  name: leduc\n";
  d.identity = {{"game.name", "leduc"}};
  d.abstraction_fingerprint = "leduc:936:2184:0123";
  d.iterations = 123456;
  d.batches_applied = 12;
  d.next_batch_id = 14;
  d.next_iteration = 140000;
  d.seed = 7;
  d.elapsed_s = 3.5;
  d.pending = {{12, 120000, 10000, 99}, {13, 130000, 10000, 100}};
  for (int i = 0; i < 5000; ++i) {
    d.regrets.push_back(i * 0.5 - 1000);
    d.strategy_sum.push_back(i * 0.25);
  }
  return d;
}

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void WriteBytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}
std::string ErrorOf(const fs::path& p) {
  try {
    ReadCheckpoint(p);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("a checkpoint round-trips every field and table exactly") {
  const fs::path dir = TempDir();
  const fs::path path = CheckpointPath(dir, 123456);
  CHECK(path.filename() == "ckpt-123456.bin");
  const CheckpointData d = Sample();
  WriteCheckpoint(path, d);
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  const CheckpointData r = ReadCheckpoint(path);
  CHECK(r.config_yaml == d.config_yaml);
  CHECK(r.identity == d.identity);
  CHECK(r.abstraction_fingerprint == d.abstraction_fingerprint);
  CHECK(r.iterations == d.iterations);
  CHECK(r.next_batch_id == d.next_batch_id);
  CHECK(r.pending.size() == 2);
  CHECK(r.pending[1].seed == 100);
  CHECK(r.regrets == d.regrets);
  CHECK(r.strategy_sum == d.strategy_sum);
  fs::remove_all(dir);
}

TEST_CASE("int32 regret tables round-trip; a checkpoint with both kinds of regrets is corrupt") {
  const fs::path dir = TempDir();
  CheckpointData d = Sample();
  d.regrets.clear();
  for (int i = 0; i < 5000; ++i) d.int_regrets.push_back(i % 2 == 0 ? -310000000 + i : 2147483647 - i);
  WriteCheckpoint(dir / "ckpt-1.bin", d);
  const CheckpointData r = ReadCheckpoint(dir / "ckpt-1.bin");
  CHECK(r.regrets.empty());
  CHECK(r.int_regrets == d.int_regrets);
  CHECK(r.num_regrets() == 5000);
  CHECK(r.Regret(0) == doctest::Approx(-3.1e6));
  double p[2];
  r.CurrentStrategy(0, 2, p);  // regrets -310000000 and 2147483646: all on the second action
  CHECK(p[0] == 0.0);
  CHECK(p[1] == 1.0);
  d.regrets.assign(5000, 0.0);
  WriteCheckpoint(dir / "ckpt-2.bin", d);
  CHECK(ErrorOf(dir / "ckpt-2.bin") ==
        (dir / "ckpt-2.bin").string() + ": corrupt: 5000 double and 5000 int32 regrets (one of them must be empty)");
  fs::remove_all(dir);
}

TEST_CASE("every truncation and every single bit flip gives CheckpointError, never a crash") {
  const fs::path dir = TempDir();
  const fs::path path = dir / "ckpt-1.bin";
  WriteCheckpoint(path, Sample());
  const std::string good = ReadBytes(path);
  const fs::path bad = dir / "bad.bin";
  for (std::size_t len : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{23}, good.size() / 2,
                          good.size() - 1}) {
    WriteBytes(bad, good.substr(0, len));
    CAPTURE(len);
    CHECK(ErrorOf(bad).find("truncated") != std::string::npos);
  }
  // Flip one bit in each of many positions, header, body and trailer.
  int errors = 0, positions = 0;
  for (std::size_t pos = 0; pos < good.size(); pos += 97) {
    std::string flipped = good;
    flipped[pos] = static_cast<char>(flipped[pos] ^ (1 << (pos % 8)));
    WriteBytes(bad, flipped);
    ++positions;
    errors += ErrorOf(bad) != "(no error)" ? 1 : 0;
  }
  CHECK(errors == positions);
  std::string wrong_magic = good;
  wrong_magic[0] = 'X';
  WriteBytes(bad, wrong_magic);
  CHECK(ErrorOf(bad).find("magic number is invalid") != std::string::npos);
  std::string flipped_body = good;
  flipped_body[100] ^= 1;
  WriteBytes(bad, flipped_body);
  CHECK(ErrorOf(bad) == bad.string() + ": checksum mismatch: the content is corrupt");
  CHECK(ErrorOf(dir / "absent.bin").find("cannot open") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint of another format version is refused by its version, before decoding") {
  const fs::path dir = TempDir();
  CheckpointData d = Sample();
  d.version = kCheckpointVersion - 1;  // version 2 had no int32 regrets: its layout differs
  WriteCheckpoint(dir / "ckpt-1.bin", d);
  CHECK(ErrorOf(dir / "ckpt-1.bin") == (dir / "ckpt-1.bin").string() + ": format version 2 is not supported: this "
                                                                       "build reads version 3 (the file is from an "
                                                                       "earlier build)");
  d.version = kCheckpointVersion + 1;
  WriteCheckpoint(dir / "ckpt-2.bin", d);
  CHECK(ErrorOf(dir / "ckpt-2.bin") ==
        (dir / "ckpt-2.bin").string() + ": format version 4 is not supported: this build reads version 3");
  fs::remove_all(dir);
}

TEST_CASE("checkpoints of the earlier frame (BPCKPT01, FNV-1a 64) are still read") {
  const fs::path dir = TempDir();
  const fs::path path = dir / "ckpt-1.bin";
  WriteCheckpoint(path, Sample());
  std::string bytes = ReadBytes(path);
  REQUIRE(bytes.substr(0, 8) == "BPCKPT02");
  const fs::path old = dir / "ckpt-old.bin";
  // The same body under the old magic, still with its XXH3 checksum: corrupt.
  bytes[7] = '1';
  WriteBytes(old, bytes);
  CHECK(ErrorOf(old) == old.string() + ": checksum mismatch: the content is corrupt");
  // With the FNV-1a checksum the old frame had: read as before.
  const std::uint64_t fnv = Fnv1a64(bytes.data() + 8, bytes.size() - 24);
  std::memcpy(bytes.data() + bytes.size() - 8, &fnv, 8);
  WriteBytes(old, bytes);
  const CheckpointData r = ReadCheckpoint(old);
  CHECK(r.regrets == Sample().regrets);
  CHECK(r.pending.size() == 2);
  bytes[100] ^= 4;
  WriteBytes(old, bytes);
  CHECK(ErrorOf(old) == old.string() + ": checksum mismatch: the content is corrupt");
  fs::remove_all(dir);
}

TEST_CASE("checkpoints list newest first and prune keeps the last K") {
  const fs::path dir = TempDir();
  for (std::uint64_t it : {5u, 100u, 20u, 7u}) WriteCheckpoint(CheckpointPath(dir, it), Sample());
  WriteBytes(dir / "ckpt-x.bin", "not one");
  WriteBytes(dir / "notes.txt", "");
  auto all = ListCheckpoints(dir);
  REQUIRE(all.size() == 4);
  CHECK(all[0].filename() == "ckpt-100.bin");
  CHECK(all[3].filename() == "ckpt-5.bin");
  PruneCheckpoints(dir, 2);
  all = ListCheckpoints(dir);
  REQUIRE(all.size() == 2);
  CHECK(all[1].filename() == "ckpt-20.bin");
  fs::remove_all(dir);
}

TEST_CASE("strategy snapshots: written, averaged, and bad ones skipped with the reason") {
  const fs::path logdir = TempDir() / "snapshots-run";
  fs::remove_all(logdir);
  const std::uint64_t fingerprint = 0xfeed, first = 10;
  const std::vector<float> a = {0.25f, 0.75f, 1.0f, 0.0f};
  const std::vector<float> b = {0.75f, 0.25f, 0.0f, 1.0f};
  WriteSnapshot(SnapshotPath(logdir, 100), {100, fingerprint, first, a.size()}, a);
  WriteSnapshot(SnapshotPath(logdir, 200), {200, fingerprint, first, b.size()}, b);
  std::vector<std::string> skipped;
  std::vector<float> mean(a.size(), -1.0f);
  CHECK(MeanOfSnapshots(logdir, fingerprint, first, mean, skipped) == 2);
  CHECK(skipped.empty());
  CHECK(mean == std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f});

  // Another abstraction, another range, a flipped bit, a truncated file: skipped.
  WriteSnapshot(SnapshotPath(logdir, 300), {300, fingerprint + 1, first, a.size()}, a);
  WriteSnapshot(SnapshotPath(logdir, 400), {400, fingerprint, first + 1, a.size()}, a);
  WriteSnapshot(SnapshotPath(logdir, 500), {500, fingerprint, first, a.size()}, a);
  WriteSnapshot(SnapshotPath(logdir, 600), {600, fingerprint, first, a.size()}, a);
  {
    std::fstream f(SnapshotPath(logdir, 500), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(50);
    f.put('\x7f');
  }
  fs::resize_file(SnapshotPath(logdir, 600), 60);
  skipped.clear();
  mean.assign(a.size(), -1.0f);
  CHECK(MeanOfSnapshots(logdir, fingerprint, first, mean, skipped) == 2);
  CHECK(mean == std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f});
  REQUIRE(skipped.size() == 4);
  CHECK(skipped[0] == SnapshotPath(logdir, 300).string() + ": taken with another abstraction");
  CHECK(skipped[1] == SnapshotPath(logdir, 400).string() + ": covers entries [11, 15), this run's postflop is [10, 14)");
  CHECK(skipped[2] == SnapshotPath(logdir, 500).string() + ": checksum mismatch (corrupt)");
  CHECK(skipped[3] == SnapshotPath(logdir, 600).string() + ": truncated");

  // A running mean: three snapshots weigh a third each.
  const std::vector<float> c = {0.25f, 0.25f, 0.5f, 0.5f};
  WriteSnapshot(SnapshotPath(logdir, 700), {700, fingerprint, first, c.size()}, c);
  skipped.clear();
  CHECK(MeanOfSnapshots(logdir, fingerprint, first, mean, skipped) == 3);
  CHECK(skipped.size() == 4);
  const std::vector<float> third = {1.25f / 3, 1.25f / 3, 1.5f / 3, 1.5f / 3};
  for (std::size_t i = 0; i < mean.size(); ++i) CHECK(mean[i] == doctest::Approx(third[i]).epsilon(1e-6));

  // A snapshot of the earlier version (1: FNV-1a 64) counts too; one of an
  // unknown version is skipped.
  {
    fs::remove(SnapshotPath(logdir, 700));
    std::string v1 = ReadBytes(SnapshotPath(logdir, 200));
    REQUIRE(v1[8] == 2);
    v1[8] = 1;
    const std::uint64_t fnv = Fnv1a64(v1.data(), v1.size() - 8);
    std::memcpy(v1.data() + v1.size() - 8, &fnv, 8);
    WriteBytes(SnapshotPath(logdir, 200), v1);
    v1[8] = 3;
    WriteBytes(SnapshotPath(logdir, 800), v1);
  }
  skipped.clear();
  CHECK(MeanOfSnapshots(logdir, fingerprint, first, mean, skipped) == 2);
  CHECK(mean == std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f});
  REQUIRE(skipped.size() == 5);
  CHECK(skipped[4] == SnapshotPath(logdir, 800).string() + ": version 3, this build reads versions 1 and 2");

  // No snapshots directory: nothing to average, and `out` is left alone.
  skipped.clear();
  mean.assign(a.size(), -1.0f);
  CHECK(MeanOfSnapshots(TempDir() / "no-such-run", fingerprint, first, mean, skipped) == 0);
  CHECK(mean == std::vector<float>(a.size(), -1.0f));
  CHECK(skipped.empty());
  fs::remove_all(logdir);
}
