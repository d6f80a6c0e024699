#include "trainer/checkpoint.h"
#include "trainer/run_dir.h"
#include "trainer/snapshot.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/legacy_formats.h"

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
  d.ranks = 3;
  d.pending = {{12, 120000, 10000, 99}, {13, 130000, 10000, 100}};
  auto& regrets = d.Regrets<double>();
  for (int i = 0; i < 5000; ++i) {
    regrets.push_back(i * 0.5 - 1000);
    d.strategy_sum.push_back(i * 0.25);
  }
  return d;
}

// Sample() as version 3 wrote it.
bp::legacy::CheckpointV3 SampleV3() {
  const CheckpointData d = Sample();
  bp::legacy::CheckpointV3 v;
  v.config_yaml = d.config_yaml;
  v.identity = d.identity;
  v.abstraction_fingerprint = d.abstraction_fingerprint;
  v.iterations = d.iterations;
  v.batches_applied = d.batches_applied;
  v.next_batch_id = d.next_batch_id;
  v.next_iteration = d.next_iteration;
  v.seed = d.seed;
  v.elapsed_s = d.elapsed_s;
  for (const PendingBatch& p : d.pending) v.pending.push_back({p.batch_id, p.first_iteration, p.count, p.seed});
  v.regrets = d.Regrets<double>();
  v.strategy_sum = d.strategy_sum;
  return v;
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
void CheckEqual(const CheckpointData& r, const CheckpointData& d) {
  CHECK(r.config_yaml == d.config_yaml);
  CHECK(r.identity == d.identity);
  CHECK(r.abstraction_fingerprint == d.abstraction_fingerprint);
  CHECK(r.iterations == d.iterations);
  CHECK(r.batches_applied == d.batches_applied);
  CHECK(r.next_batch_id == d.next_batch_id);
  CHECK(r.next_iteration == d.next_iteration);
  CHECK(r.discounts_applied == d.discounts_applied);
  CHECK(r.seed == d.seed);
  CHECK(r.elapsed_s == d.elapsed_s);
  CHECK(r.ranks == d.ranks);
  REQUIRE(r.pending.size() == d.pending.size());
  for (std::size_t i = 0; i < r.pending.size(); ++i) {
    CHECK(r.pending[i].batch_id == d.pending[i].batch_id);
    CHECK(r.pending[i].first_iteration == d.pending[i].first_iteration);
    CHECK(r.pending[i].count == d.pending[i].count);
    CHECK(r.pending[i].seed == d.pending[i].seed);
  }
  CHECK(r.regrets == d.regrets);
  CHECK(r.strategy_sum == d.strategy_sum);
}
const fs::path kLegacy = fs::path(TEST_DATA_DIR) / "legacy";
}  // namespace

TEST_CASE("a checkpoint round-trips every field and table exactly") {
  const fs::path dir = TempDir();
  const fs::path path = RunDir(dir).Checkpoint(123456);
  CHECK(path.filename() == "ckpt-123456.bin");
  const CheckpointData d = Sample();
  WriteCheckpoint(path, d);
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  const CheckpointData r = ReadCheckpoint(path);
  CheckEqual(r, d);
  CHECK(r.pending[1].seed == 100);
  CHECK(r.Regrets<double>() == d.Regrets<double>());
  CHECK(r.strategy_sum == d.strategy_sum);
  CHECK(ReadBytes(path).substr(0, 8) == "BPCKPT02");
  fs::remove_all(dir);
}

TEST_CASE("the rank count: earlier builds of version 4 wrote zeros there, read as one machine") {
  const fs::path dir = TempDir();
  CheckpointData d = Sample();
  d.ranks = 0;  // the bytes an earlier build left zero
  WriteCheckpoint(dir / "ckpt-1.bin", d);
  CHECK(ReadCheckpoint(dir / "ckpt-1.bin").ranks == 1);
  d.ranks = 64;
  WriteCheckpoint(dir / "ckpt-1.bin", d);
  CHECK(ReadCheckpoint(dir / "ckpt-1.bin").ranks == 64);
  fs::remove_all(dir);
}

TEST_CASE("int32 regret tables round-trip; a checkpoint with both kinds of regrets is corrupt") {
  const fs::path dir = TempDir();
  CheckpointData d = Sample();
  d.regrets = std::vector<std::int32_t>();
  for (int i = 0; i < 5000; ++i) d.Regrets<std::int32_t>().push_back(i % 2 == 0 ? -310000000 + i : 2147483647 - i);
  WriteCheckpoint(dir / "ckpt-1.bin", d);
  const CheckpointData r = ReadCheckpoint(dir / "ckpt-1.bin");
  CHECK(r.int_regrets());
  CHECK(r.Regrets<std::int32_t>() == d.Regrets<std::int32_t>());
  CHECK(r.num_regrets() == 5000);
  CHECK(r.Regret(0) == doctest::Approx(-3.1e6));
  double p[2];
  r.CurrentStrategy(0, 2, p);  // regrets -310000000 and 2147483646: all on the second action
  CHECK(p[0] == 0.0);
  CHECK(p[1] == 1.0);
  // Only version 3 had room for both: one of them had to be empty.
  bp::legacy::CheckpointV3 both = SampleV3();
  both.int_regrets.assign(5000, 0);
  WriteBytes(dir / "ckpt-2.bin", bp::legacy::EncodeCheckpointV3(both));
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
  CHECK(ErrorOf(bad) == bad.string() + ": not a checkpoint file (magic is not BPCKPT02)");
  std::string flipped_body = good;
  flipped_body[100] ^= 1;
  WriteBytes(bad, flipped_body);
  CHECK(ErrorOf(bad) == bad.string() + ": checksum mismatch: the content is corrupt");
  CHECK(ErrorOf(dir / "absent.bin").find("cannot open") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint with crafted counts and a valid checksum is refused without allocating them") {
  const fs::path dir = TempDir();
  CheckpointData d = Sample();
  d.Regrets<double>().resize(10);
  d.strategy_sum.resize(10);
  WriteCheckpoint(dir / "ckpt-1.bin", d);
  std::string file = ReadBytes(dir / "ckpt-1.bin");
  const std::uint64_t huge = std::uint64_t{1} << 40;
  std::memcpy(file.data() + 24 + 64, &huge, 8);  // the regret count
  const std::uint64_t sum = bp::base::Checksum::Of(bp::base::Checksum::Kind::kXxh3, file.data(), file.size() - 8);
  std::memcpy(file.data() + file.size() - 8, &sum, 8);
  WriteBytes(dir / "ckpt-2.bin", file);
  CHECK(ErrorOf(dir / "ckpt-2.bin").find(": corrupt: regrets claims 1099511627776 items of 8 bytes") !=
        std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a version-3 checkpoint with crafted counts and a valid checksum is refused without allocating them") {
  const fs::path dir = TempDir();
  bp::legacy::CheckpointV3 v = SampleV3();
  v.regrets.resize(4);
  v.strategy_sum.resize(4);
  std::string file = bp::legacy::EncodeCheckpointV3(v);
  // From the end: checksum and length, the strategy sums (count, 4 doubles),
  // the int32 regrets' count (0), the 4 double regrets, then their count.
  const std::size_t at = file.size() - 16 - (8 + 4 * 8) - 8 - 4 * 8 - 8;
  std::uint64_t count = 0;
  std::memcpy(&count, file.data() + at, 8);
  REQUIRE(count == 4);
  const std::uint64_t huge = std::uint64_t{1} << 41;
  std::memcpy(file.data() + at, &huge, 8);
  const std::uint64_t sum =
      bp::base::Checksum::Of(bp::base::Checksum::Kind::kXxh3, file.data() + 8, file.size() - 24);
  std::memcpy(file.data() + file.size() - 8, &sum, 8);
  WriteBytes(dir / "ckpt-1.bin", file);
  CHECK(ErrorOf(dir / "ckpt-1.bin").find(": corrupt: regrets claims 2199023255552 items of 8 bytes") !=
        std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint of another format version is refused by its version, before decoding") {
  const fs::path dir = TempDir();
  WriteCheckpoint(dir / "ckpt-1.bin", Sample());
  const std::string good = ReadBytes(dir / "ckpt-1.bin");
  for (const std::uint32_t version : {2u, 5u}) {
    std::string other = good;
    std::memcpy(other.data() + 8, &version, 4);  // the frame's version
    WriteBytes(dir / "ckpt-2.bin", other);
    CHECK(ErrorOf(dir / "ckpt-2.bin") ==
          (dir / "ckpt-2.bin").string() + ": checkpoint file version " + std::to_string(version) +
              ", this build reads versions 3 and 4 (the file is from " + (version < 3 ? "an earlier" : "a later") +
              " build)");
  }
  // Version 2 in version 3's frame (it led the cereal body): refused too.
  bp::legacy::CheckpointV3 v2 = SampleV3();
  v2.version = 2;
  WriteBytes(dir / "ckpt-3.bin", bp::legacy::EncodeCheckpointV3(v2));
  CHECK(ErrorOf(dir / "ckpt-3.bin") == (dir / "ckpt-3.bin").string() +
                                           ": checkpoint file version 2, this build reads versions 3 and 4 (the file "
                                           "is from an earlier build)");
  fs::remove_all(dir);
}

TEST_CASE("checkpoints of version 3 are still read: the files that build wrote, and both of its frames") {
  // Leduc after 20,000 deterministic iterations, written by train_blueprint.
  const CheckpointData leduc = ReadCheckpoint(kLegacy / "leduc-ckpt-v3.bin");
  CHECK(leduc.iterations == 20000);
  CHECK(leduc.batches_applied == 2);
  CHECK(leduc.next_batch_id == 2);
  CHECK(leduc.pending.empty());
  CHECK(leduc.abstraction_fingerprint.rfind("leduc:936:2184:", 0) == 0);
  CHECK(leduc.config_yaml.find("name: leduc") != std::string::npos);
  CHECK(leduc.identity.at("game.name") == "leduc");
  CHECK(leduc.Regrets<double>().size() == 2184);
  CHECK(leduc.strategy_sum.size() == 2184);
  // Written again in the current version, it reads back the same.
  const fs::path dir = TempDir();
  WriteCheckpoint(dir / "ckpt-20000.bin", leduc);
  CheckEqual(ReadCheckpoint(dir / "ckpt-20000.bin"), leduc);

  // int32 regrets, pending batches, discounts (tests/data/legacy/README.md).
  const CheckpointData ints = ReadCheckpoint(kLegacy / "int32-ckpt-v3.bin");
  CHECK(ints.iterations == 4242);
  CHECK(ints.discounts_applied == 2);
  CHECK(ints.elapsed_s == 12.25);
  REQUIRE(ints.pending.size() == 2);
  CHECK(ints.pending[1].batch_id == 4);
  CHECK(ints.pending[1].seed == 78);
  REQUIRE(ints.Regrets<std::int32_t>().size() == 24);
  for (int i = 0; i < 24; ++i) CHECK(ints.Regrets<std::int32_t>()[i] == (i % 3 == 0 ? -310000000 + i : 1000 * i - 5000));
  REQUIRE(ints.strategy_sum.size() == 6);
  CHECK(ints.strategy_sum[5] == 2.625);

  // The earlier frame BPCKPT01: the same body with FNV-1a 64.
  const fs::path old = dir / "ckpt-old.bin";
  std::string bytes = bp::legacy::EncodeCheckpointV3(SampleV3());
  REQUIRE(bytes.substr(0, 8) == "BPCKPT02");
  // The same body under the old magic, still with its XXH3 checksum: corrupt.
  bytes[7] = '1';
  WriteBytes(old, bytes);
  CHECK(ErrorOf(old) == old.string() + ": checksum mismatch: the content is corrupt");
  // With the FNV-1a checksum the old frame had: read as before.
  WriteBytes(old, bp::legacy::EncodeCheckpointV3(SampleV3(), /*fnv=*/true));
  CheckpointData one_machine = Sample();
  one_machine.ranks = 1;  // version 3 has no rank count: one machine
  CheckEqual(ReadCheckpoint(old), one_machine);
  bytes = ReadBytes(old);
  bytes[100] ^= 4;
  WriteBytes(old, bytes);
  CHECK(ErrorOf(old) == old.string() + ": checksum mismatch: the content is corrupt");
  fs::remove_all(dir);
}

TEST_CASE("checkpoints list newest first and prune keeps the last K") {
  const RunDir run(TempDir());
  for (std::uint64_t it : {5u, 100u, 20u, 7u}) WriteCheckpoint(run.Checkpoint(it), Sample());
  WriteBytes(run.Checkpoints() / "ckpt-x.bin", "not one");
  WriteBytes(run.Checkpoints() / "ckpt-9.bin.tmp", "half of one");
  WriteBytes(run.Checkpoints() / "notes.txt", "");
  auto all = run.ListCheckpoints();
  REQUIRE(all.size() == 4);
  CHECK(all[0].filename() == "ckpt-100.bin");
  CHECK(all[3].filename() == "ckpt-5.bin");
  run.PruneCheckpoints(2);
  all = run.ListCheckpoints();
  REQUIRE(all.size() == 2);
  CHECK(all[1].filename() == "ckpt-20.bin");
  fs::remove_all(run.root());
}

TEST_CASE("strategy snapshots: written, averaged, and bad ones skipped with the reason") {
  const RunDir run(TempDir() / "snapshots-run");
  fs::remove_all(run.root());
  const std::uint64_t fingerprint = 0xfeed, first = 10;
  const std::vector<float> a = {0.25f, 0.75f, 1.0f, 0.0f};
  const std::vector<float> b = {0.75f, 0.25f, 0.0f, 1.0f};
  WriteSnapshot(run.Snapshot(100), {100, fingerprint, first, a.size()}, a);
  WriteSnapshot(run.Snapshot(200), {200, fingerprint, first, b.size()}, b);
  std::vector<std::string> skipped;
  std::vector<float> mean(a.size(), -1.0f);
  CHECK(MeanOfSnapshots(run, fingerprint, first, mean, skipped) == 2);
  CHECK(skipped.empty());
  CHECK(mean == std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f});

  // Another abstraction, another range, a flipped bit, a truncated file: skipped.
  WriteSnapshot(run.Snapshot(300), {300, fingerprint + 1, first, a.size()}, a);
  WriteSnapshot(run.Snapshot(400), {400, fingerprint, first + 1, a.size()}, a);
  WriteSnapshot(run.Snapshot(500), {500, fingerprint, first, a.size()}, a);
  WriteSnapshot(run.Snapshot(600), {600, fingerprint, first, a.size()}, a);
  {
    std::fstream f(run.Snapshot(500), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(58);
    f.put('\x7f');
  }
  fs::resize_file(run.Snapshot(600), 60);
  skipped.clear();
  mean.assign(a.size(), -1.0f);
  CHECK(MeanOfSnapshots(run, fingerprint, first, mean, skipped) == 2);
  CHECK(mean == std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f});
  REQUIRE(skipped.size() == 4);
  CHECK(skipped[0] == run.Snapshot(300).string() + ": taken with another abstraction");
  CHECK(skipped[1] == run.Snapshot(400).string() + ": covers entries [11, 15), this run's postflop is [10, 14)");
  CHECK(skipped[2] == run.Snapshot(500).string() + ": checksum mismatch: the content is corrupt");
  CHECK(skipped[3] == run.Snapshot(600).string() +
                          ": truncated or padded: the snapshot file's body should be 48 bytes, the file holds 28");

  // A running mean: three snapshots weigh a third each.
  const std::vector<float> c = {0.25f, 0.25f, 0.5f, 0.5f};
  WriteSnapshot(run.Snapshot(700), {700, fingerprint, first, c.size()}, c);
  skipped.clear();
  CHECK(MeanOfSnapshots(run, fingerprint, first, mean, skipped) == 3);
  CHECK(skipped.size() == 4);
  const std::vector<float> third = {1.25f / 3, 1.25f / 3, 1.5f / 3, 1.5f / 3};
  for (std::size_t i = 0; i < mean.size(); ++i) CHECK(mean[i] == doctest::Approx(third[i]).epsilon(1e-6));

  // Snapshots of the earlier versions (1: FNV-1a 64, 2: XXH3-64, both
  // without a length) count too; one of an unknown version is skipped.
  fs::remove(run.Snapshot(700));
  WriteBytes(run.Snapshot(200), bp::legacy::EncodeSnapshotV1V2(1, 200, fingerprint, first, b));
  WriteBytes(run.Snapshot(250), bp::legacy::EncodeSnapshotV1V2(2, 250, fingerprint, first, b));
  std::string v4 = bp::legacy::EncodeSnapshotV1V2(2, 800, fingerprint, first, b);
  v4[8] = 4;
  WriteBytes(run.Snapshot(800), v4);
  skipped.clear();
  CHECK(MeanOfSnapshots(run, fingerprint, first, mean, skipped) == 3);
  for (std::size_t i = 0; i < mean.size(); ++i) CHECK(mean[i] == doctest::Approx((a[i] + 2 * b[i]) / 3).epsilon(1e-6));
  REQUIRE(skipped.size() == 5);
  CHECK(skipped[4] == run.Snapshot(800).string() +
                          ": snapshot file version 4, this build reads versions 1, 2 and 3 (the file is from a later "
                          "build)");

  // The file version 2 of an earlier build wrote (tests/data/legacy/README.md).
  const RunDir legacy(TempDir() / "legacy-snapshot-run");
  fs::create_directories(legacy.Snapshots());
  fs::copy_file(kLegacy / "snapshot-v2.bin", legacy.Snapshot(700), fs::copy_options::overwrite_existing);
  std::vector<float> six(6, -1.0f);
  skipped.clear();
  CHECK(MeanOfSnapshots(legacy, fingerprint, first, six, skipped) == 1);
  CHECK(skipped.empty());
  CHECK(six == std::vector<float>{0.25f, 0.75f, 1.0f, 0.0f, 0.125f, 0.875f});

  // No snapshots directory: nothing to average, and `out` is left alone.
  skipped.clear();
  mean.assign(a.size(), -1.0f);
  CHECK(MeanOfSnapshots(RunDir(TempDir() / "no-such-run"), fingerprint, first, mean, skipped) == 0);
  CHECK(mean == std::vector<float>(a.size(), -1.0f));
  CHECK(skipped.empty());
  fs::remove_all(run.root());
  fs::remove_all(legacy.root());
}
