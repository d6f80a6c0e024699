#include "base/file_frame.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/check.h"
#include "base/coding.h"
#include "base/file_system.h"
#include "base/fnv.h"

using namespace bp::base;
namespace fs = std::filesystem;

namespace {

const FrameFormat kFormat{"BPTESTF1",
                          "test",
                          3,
                          {{1, FrameLayout::kNoLength, Checksum::Kind::kFnv1a64},
                           {2, FrameLayout::kNoLength, Checksum::Kind::kXxh3}},
                          "; make it again"};

fs::path TempDir() {
  const fs::path dir = fs::temp_directory_path() / ("bp-frame-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string ErrorOf(const fs::path& p) {
  std::string bytes;
  try {
    ReadFramedFile(p, kFormat, bytes);
  } catch (const FileError& e) {
    return e.what();
  }
  return "(no error)";
}

// The frame of earlier versions: magic, version, a word, body, checksum.
std::string NoLengthFile(std::uint32_t version, Checksum::Kind kind, const std::string& body) {
  std::string f = "BPTESTF1";
  PutFixed<std::uint32_t>(f, version);
  PutFixed<std::uint32_t>(f, 0);
  f += body;
  PutFixed<std::uint64_t>(f, Checksum::Of(kind, f.data(), f.size()));
  return f;
}

}  // namespace

TEST_CASE("a framed file: the documented bytes, read back; every truncation and bit flip is an error") {
  const fs::path dir = TempDir();
  const fs::path path = dir / "a.bin";
  const std::string body = "hello, frame";
  const std::uint64_t checksum =
      WriteFramedFile(path, kFormat, body.size(), [&](FileSink& out) { out.Write(body); });
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  const std::string file = Slurp(path);
  REQUIRE(file.size() == 24 + body.size() + 8);
  CHECK(file.substr(0, 8) == "BPTESTF1");
  CHECK(GetFixed<std::uint32_t>(file.data() + 8) == 3);
  CHECK(GetFixed<std::uint32_t>(file.data() + 12) == 0);
  CHECK(GetFixed<std::uint64_t>(file.data() + 16) == body.size());
  CHECK(file.substr(24, body.size()) == body);
  CHECK(GetFixed<std::uint64_t>(file.data() + file.size() - 8) == checksum);
  CHECK(checksum == Checksum::Of(Checksum::Kind::kXxh3, file.data(), file.size() - 8));

  std::string bytes;
  const FrameView view = ReadFramedFile(path, kFormat, bytes);
  CHECK(view.version == 3);
  CHECK(view.layout == FrameLayout::kFramed);
  CHECK(std::string(view.body.data(), view.body.size()) == body);

  const fs::path bad = dir / "bad.bin";
  for (std::size_t len = 0; len < file.size(); ++len) {
    Spit(bad, file.substr(0, len));
    CAPTURE(len);
    CHECK(ErrorOf(bad).find("truncated") != std::string::npos);
  }
  for (std::size_t pos = 0; pos < file.size(); ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = file;
      flipped[pos] = static_cast<char>(flipped[pos] ^ (1 << bit));
      Spit(bad, flipped);
      CAPTURE(pos);
      CHECK(ErrorOf(bad) != "(no error)");
    }
  }
  std::string padded = file + "x";
  Spit(bad, padded);
  CHECK(ErrorOf(bad) == bad.string() + ": truncated or padded: the test file's body should be 12 bytes, the file "
                                       "holds 13");
  Spit(bad, file.substr(0, 20));
  CHECK(ErrorOf(bad) == bad.string() + ": truncated test file: 20 bytes, smaller than its 32-byte frame");
  std::string other = file;
  other[0] = 'X';
  Spit(bad, other);
  CHECK(ErrorOf(bad) == bad.string() + ": not a test file (magic is not BPTESTF1)");
  std::string body_flip = file;
  body_flip[26] ^= 1;
  Spit(bad, body_flip);
  CHECK(ErrorOf(bad) == bad.string() + ": checksum mismatch: the content is corrupt");
  for (const auto& [version, message] :
       std::vector<std::pair<std::uint32_t, std::string>>{{0, "0, this build reads versions 1, 2 and 3 (the file is from an earlier build); make it again"},
                                                          {4, "4, this build reads versions 1, 2 and 3 (the file is from a later build); make it again"}}) {
    std::string v = file;
    std::memcpy(v.data() + 8, &version, 4);
    Spit(bad, v);
    CHECK(ErrorOf(bad) == bad.string() + ": test file version " + message);
  }
  CHECK(ErrorOf(dir / "absent.bin") == (dir / "absent.bin").string() + ": cannot open test file: No such file or directory");
  fs::remove_all(dir);
}

TEST_CASE("earlier versions without a length are read with their own checksum") {
  const fs::path dir = TempDir();
  const fs::path path = dir / "old.bin";
  for (const auto& version_kind : {std::pair{1u, Checksum::Kind::kFnv1a64}, std::pair{2u, Checksum::Kind::kXxh3}}) {
    const std::uint32_t version = version_kind.first;
    const Checksum::Kind kind = version_kind.second;
    CAPTURE(version);
    Spit(path, NoLengthFile(version, kind, "old body"));
    std::string bytes;
    const FrameView view = ReadFramedFile(path, kFormat, bytes);
    CHECK(view.version == version);
    CHECK(view.layout == FrameLayout::kNoLength);
    CHECK(std::string(view.body.data(), view.body.size()) == "old body");
    // The other version's checksum does not pass.
    Spit(path, NoLengthFile(version, kind == Checksum::Kind::kXxh3 ? Checksum::Kind::kFnv1a64 : Checksum::Kind::kXxh3,
                            "old body"));
    CHECK(ErrorOf(path) == path.string() + ": checksum mismatch: the content is corrupt");
  }
  fs::remove_all(dir);
}

TEST_CASE("the streaming check reads in chunks and leaves the stream at the body") {
  const fs::path dir = TempDir();
  const fs::path path = dir / "s.bin";
  std::string body(10000, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7);
  WriteFramedFile(path, kFormat, body.size(), [&](FileSink& out) { out.Write(body); });
  std::vector<char> chunk(64);
  std::ifstream in(path, std::ios::binary);
  const FrameInfo info = CheckFrameStreaming(in, fs::file_size(path), kFormat, path, chunk);
  CHECK(info.version == 3);
  CHECK(info.body_offset == 24);
  CHECK(info.body_bytes == body.size());
  std::string read(body.size(), '\0');
  in.read(read.data(), static_cast<std::streamsize>(read.size()));
  CHECK(read == body);
  std::string file = Slurp(path);
  file[5000] ^= 4;
  Spit(path, file);
  std::ifstream flipped(path, std::ios::binary);
  CHECK_THROWS_WITH_AS(CheckFrameStreaming(flipped, fs::file_size(path), kFormat, path, chunk),
                       (path.string() + ": checksum mismatch: the content is corrupt").c_str(), FileError);
  fs::remove_all(dir);
}

TEST_CASE("an atomic write that fails leaves the old file and no temporary file") {
  const fs::path dir = TempDir();
  const fs::path path = dir / "kept.txt";
  AtomicWriteFile(path, [](FileSink& out) { out.Write(std::string_view("first")); });
  CHECK(Slurp(path) == "first");
  // The writer throws part way: nothing changes.
  CHECK_THROWS_AS(AtomicWriteFile(path,
                                  [](FileSink& out) {
                                    out.Write(std::string_view("second, half"));
                                    throw FileError(FileError::Kind::kIo, "disk full");
                                  }),
                  FileError);
  CHECK(Slurp(path) == "first");
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  // A write the system refuses (/dev/full: every write fails with ENOSPC).
  if (fs::exists("/dev/full")) {
    const int fd = ::open("/dev/full", O_WRONLY);
    REQUIRE(fd >= 0);
    FileSink sink(fd, "/dev/full");
    sink.Write(std::string_view("x"));
    CHECK_THROWS_WITH_AS(sink.Flush(), "/dev/full: write failed: No space left on device", FileError);
    ::close(fd);
  }
  // A directory that cannot be written: the error names the temporary file.
  if (::geteuid() != 0) {
    const fs::path locked = dir / "locked";
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    CHECK_THROWS_WITH_AS(AtomicWriteFile(locked / "x", [](FileSink&) {}),
                         ((locked / "x.tmp").string() + ": cannot create: Permission denied").c_str(), FileError);
    fs::permissions(locked, fs::perms::owner_all);
  }
  fs::remove_all(dir);
}

TEST_CASE("ByteReader refuses lengths beyond the bytes that are left, before allocating") {
  std::string bytes;
  PutFixed<std::uint32_t>(bytes, 7);
  PutString(bytes, "abc");
  PutFixed<std::uint64_t>(bytes, std::uint64_t{1} << 60);  // a crafted count
  ByteReader in(bytes);
  CHECK(in.Read<std::uint32_t>("seven") == 7);
  CHECK(in.ReadString("name") == "abc");
  std::vector<double> table;
  const auto count = in.Read<std::uint64_t>("count");
  CHECK_THROWS_WITH_AS(in.ReadArray(count, table, "regrets"),
                       "regrets claims 1152921504606846976 items of 8 bytes at byte 23 of the body, 0 bytes are left",
                       CodingError);
  CHECK(table.capacity() == 0);
  CHECK_THROWS_WITH_AS(in.Read<std::uint32_t>("tail"), "tail needs 4 bytes at byte 23 of the body, 0 are left",
                       CodingError);
}

TEST_CASE("through a failing file system every kind of fault is an error that leaves the old file and no temporary") {
  const fs::path dir = TempDir();
  const fs::path path = dir / "ckpt-1.bin";
  WriteFramedFile(path, kFormat, 5, [](FileSink& out) { out.Write(std::string_view("first")); });
  const std::string before = Slurp(path);
  const std::string big(200000, 'x');  // larger than the sink's buffer: written straight through
  struct Case {
    const char* spec;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"ckpt-:enospc", (dir / "ckpt-1.bin.tmp").string() + ": write failed: No space left on device"},
      {"ckpt-:eio", (dir / "ckpt-1.bin.tmp").string() + ": write failed: Input/output error"},
      {"ckpt-:short", (dir / "ckpt-1.bin.tmp").string() + ": write failed: No space left on device"},
      {"ckpt-:fsync", (dir / "ckpt-1.bin.tmp").string() + ": fsync failed: Input/output error"},
      {"ckpt-:rename", path.string() + ": cannot rename into place: Input/output error"},
      {"ckpt-:open", (dir / "ckpt-1.bin.tmp").string() + ": cannot create: No space left on device"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.spec);
    const auto fault = ParseWriteFault(c.spec);
    REQUIRE(fault);
    FaultyFileSystem faulty(*fault);
    UseFiles(&faulty);
    std::string error;
    try {
      WriteFramedFile(path, kFormat, big.size(), [&](FileSink& out) { out.Write(big); });
    } catch (const FileError& e) {
      error = e.what();
      CHECK(e.kind() == FileError::Kind::kIo);
    }
    UseFiles(nullptr);
    CHECK(error == c.message);
    CHECK(faulty.failed() == 1);
    CHECK(Slurp(path) == before);
    CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  }
  // skip and count: the first matching file is written, the next two fail, then all go through.
  FaultyFileSystem some(*ParseWriteFault("ckpt-:enospc:skip=1:count=2"));
  UseFiles(&some);
  int failures = 0;
  for (int i = 0; i < 5; ++i) {
    try {
      AtomicWriteFile(dir / ("ckpt-" + std::to_string(i) + ".bin"), [](FileSink& out) { out.Write(std::string_view("x")); });
    } catch (const FileError&) {
      ++failures;
    }
  }
  // Files the pattern does not name are never touched.
  AtomicWriteFile(dir / "other.bin", [](FileSink& out) { out.Write(std::string_view("x")); });
  UseFiles(nullptr);
  CHECK(failures == 2);
  CHECK(fs::exists(dir / "ckpt-0.bin"));
  CHECK_FALSE(fs::exists(dir / "ckpt-1.bin.tmp"));
  CHECK(fs::exists(dir / "ckpt-3.bin"));
  CHECK(fs::exists(dir / "other.bin"));
  fs::remove_all(dir);
}

TEST_CASE("write fault specs: the documented forms parse, anything else does not") {
  const auto f = ParseWriteFault("snapshot-:short:skip=3:count=1");
  REQUIRE(f);
  CHECK(f->pattern == "snapshot-");
  CHECK(f->kind == WriteFault::Kind::kShort);
  CHECK(f->skip == 3);
  CHECK(f->count == 1);
  CHECK(ParseWriteFault("x:enospc")->count == UINT64_MAX);
  for (const char* bad : {"", "enospc", ":enospc", "x:melt", "x:eio:skip", "x:eio:skip=", "x:eio:skip=-1",
                          "x:eio:every=2", "x:eio:count=1x"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseWriteFault(bad));
  }
}

TEST_CASE("an append-only file reports a failed open or write with its path") {
  const fs::path dir = TempDir();
  {
    AppendFile log(dir / "a.log");
    log.Append("one\n");
    log.Append("two\n");
  }
  CHECK(Slurp(dir / "a.log") == "one\ntwo\n");
  CHECK_THROWS_WITH_AS(AppendFile(dir / "no" / "such" / "x.log"),
                       ("cannot write " + (dir / "no" / "such" / "x.log").string() + ": No such file or directory").c_str(),
                       FileError);
  FaultyFileSystem faulty(*ParseWriteFault("a.log:short"));
  UseFiles(&faulty);
  std::string error;
  try {
    AppendFile log(dir / "a.log");
    log.Append("three\n");
  } catch (const FileError& e) {
    error = e.what();
  }
  UseFiles(nullptr);
  CHECK(error == "cannot write " + (dir / "a.log").string() + ": No space left on device");
  CHECK(Slurp(dir / "a.log").rfind("one\ntwo\nthr", 0) == 0);  // part of the line went: a cut-off last line
  fs::remove_all(dir);
}
