#include "base/memory.h"
#include "ipc/segment.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>

#include "ipc/ipc_error.h"
#include "support/process.h"

using bp::ipc::IpcError;
using bp::ipc::Segment;
using bp::ipc::SegmentHeader;
using bp::ipc::SegmentLayout;

namespace {
bool ShmExists(const std::string& name) { return std::filesystem::exists("/dev/shm/" + name); }

SegmentLayout SmallLayout() {
  SegmentLayout layout;
  layout.Add("alpha", 100);
  layout.Add("beta", 4096, 4096);
  layout.Add("gamma", 1);
  return layout;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const IpcError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a new segment has mode 0600, a valid header and aligned regions") {
  const std::string name = Segment::UniqueName();
  CHECK(name.rfind("bp-mccfr-" + std::to_string(::getpid()) + "-", 0) == 0);
  Segment seg = Segment::Create(name, SmallLayout());
  struct stat st{};
  REQUIRE(::stat(("/dev/shm/" + name).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const SegmentHeader& h = seg.header();
  CHECK(std::memcmp(h.magic, "BPSHMSEG", 8) == 0);
  CHECK(h.layout_version == bp::ipc::kLayoutVersion);
  CHECK(h.owner_pid == ::getpid());
  CHECK(h.region_count == 3);
  CHECK(h.created_unix_ns > 0);
  CHECK(seg.size() >= h.total_size);
  CHECK(seg.Region("alpha").offset % 64 == 0);
  CHECK(seg.Region("alpha").offset >= sizeof(SegmentHeader));
  CHECK(seg.Region("beta").offset % 4096 == 0);
  CHECK(seg.Region("beta").offset >= seg.Region("alpha").offset + 100);
  CHECK(seg.Region("gamma").size == 1);
  CHECK(ErrorOf([&] { seg.Region("delta"); }).find("has no region 'delta'") != std::string::npos);
}

TEST_CASE("creating a segment whose name exists fails with IpcError") {
  const std::string name = Segment::UniqueName();
  Segment seg = Segment::Create(name, SmallLayout());
  const std::string error = ErrorOf([&] { Segment::Create(name, SmallLayout()); });
  CHECK(error.find("cannot create shared-memory segment '" + name + "'") != std::string::npos);
}

TEST_CASE("attach sees the creator's data; only the creator removes the name") {
  const std::string name = Segment::UniqueName();
  {
    Segment seg = Segment::Create(name, SmallLayout());
    std::strcpy(seg.RegionAs<char>("alpha"), "hello");
    const pid_t child = ForkChild([&] {
      Segment view = Segment::Attach(name);
      if (std::strcmp(view.RegionAs<char>("alpha"), "hello") != 0) return 2;
      *view.RegionAs<char>("gamma") = 'x';
      return view.owned() ? 3 : 0;  // the view must not own (nor remove) the name
    });
    CHECK(WaitChild(child) == 0);
    CHECK(ShmExists(name));
    // A forked child that destroys its copy of the creator's Segment leaves the name too.
    const pid_t forked = ForkChild([&] {
      Segment moved = std::move(seg);
      return moved.owned() ? 4 : 0;
    });
    CHECK(WaitChild(forked) == 0);
    CHECK(ShmExists(name));
    CHECK(*seg.RegionAs<char>("gamma") == 'x');
  }
  CHECK_FALSE(ShmExists(name));
}

TEST_CASE("attach refuses a bad magic, a bad version, a truncated segment") {
  const std::string name = Segment::UniqueName();
  Segment seg = Segment::Create(name, SmallLayout());
  auto* header = seg.At<SegmentHeader>(0);

  std::memcpy(header->magic, "NOTMAGIC", 8);
  std::string error = ErrorOf([&] { Segment::Attach(name); });
  CHECK(error.find("has a bad magic number: expected \"BPSHMSEG\", found \"NOTMAGIC\"") != std::string::npos);
  std::memcpy(header->magic, "BPSHMSEG", 8);

  header->layout_version = 99;
  error = ErrorOf([&] { Segment::Attach(name); });
  CHECK(error.find("has layout version 99, expected 1") != std::string::npos);
  header->layout_version = bp::ipc::kLayoutVersion;
  CHECK_NOTHROW(Segment::Attach(name));

  CHECK(ErrorOf([&] { Segment::Attach(name + "-missing"); }).find("cannot attach") != std::string::npos);
}

TEST_CASE("stale segments of dead owners are removed, live ones kept") {
  const std::string live = Segment::UniqueName();
  Segment mine = Segment::Create(live, SmallLayout());
  std::string stale;
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ForkChild([&] {
    const std::string n = Segment::UniqueName();
    Segment s = Segment::Create(n, SmallLayout());
    (void)!::write(pipe_fds[1], n.data(), n.size());
    ::_exit(0);  // dies without cleaning up, like a SIGKILLed coordinator
    return 0;
  });
  char buf[128] = {};
  const auto got = ::read(pipe_fds[0], buf, sizeof(buf) - 1);
  REQUIRE(got > 0);
  stale.assign(buf, static_cast<std::size_t>(got));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  REQUIRE(WaitChild(child) == 0);
  REQUIRE(ShmExists(stale));

  const auto removed = Segment::RemoveStale();
  CHECK(std::find(removed.begin(), removed.end(), stale) != removed.end());
  CHECK_FALSE(ShmExists(stale));
  CHECK(std::find(removed.begin(), removed.end(), live) == removed.end());
  CHECK(ShmExists(live));
}

TEST_CASE("region names and alignments are validated") {
  SegmentLayout layout;
  layout.Add("a", 1);
  CHECK(ErrorOf([&] { layout.Add("a", 1); }).find("added twice") != std::string::npos);
  CHECK(ErrorOf([&] { layout.Add("", 1); }).find("1 to 23 characters") != std::string::npos);
  CHECK(ErrorOf([&] { layout.Add("b", 1, 48); }).find("not a power of two") != std::string::npos);
}

namespace {
// How many of the pages of [p, p + bytes) (page-aligned) are resident.
std::size_t ResidentPages(void* p, std::size_t bytes) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> flags((bytes + page - 1) / page);
  REQUIRE(::mincore(p, bytes, flags.data()) == 0);
  return static_cast<std::size_t>(std::count_if(flags.begin(), flags.end(), [](unsigned char f) { return f & 1; }));
}
}  // namespace

TEST_CASE("a new segment is populated: every page allocated and mapped at creation") {
  SegmentLayout layout;
  layout.Add("table", 64 << 20);  // 64 MiB
  Segment s = Segment::Create(Segment::UniqueName(), layout);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  CHECK(ResidentPages(s.base(), s.size()) == (s.size() + page - 1) / page);
  const auto* table = s.RegionAs<unsigned char>("table");
  CHECK(std::all_of(table, table + (64 << 20), [](unsigned char b) { return b == 0; }));
}

TEST_CASE("PopulatePages maps fresh anonymous memory in one call") {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t bytes = 256 * page;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  CHECK(ResidentPages(p, bytes) == 0);
  // An unaligned range covers the pages it touches.
  CHECK(bp::base::PopulatePages(static_cast<char*>(p) + 100, bytes - 200, /*for_write=*/true));
  CHECK(ResidentPages(p, bytes) == 256);
  ::munmap(p, bytes);
}

TEST_CASE("AllocatePopulatedPrivate: zeros, populated, and absent from children forked later") {
  std::vector<double> v{1.0, 2.0};
  bp::base::AllocatePopulatedPrivate(v, std::size_t{1} << 20);  // 8 MiB
  REQUIRE(v.size() == std::size_t{1} << 20);
  CHECK(std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; }));
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto first_whole = (reinterpret_cast<std::uintptr_t>(v.data()) + page - 1) / page * page;
  CHECK(ResidentPages(reinterpret_cast<void*>(first_whole), 64 * page) == 64);
  v[v.size() / 2] = 7.0;
  // A child reading a page wholly inside it faults: the page is not mapped there.
  const double* middle = &v[v.size() / 2];
  const pid_t child = ForkChild([&] {
    ::signal(SIGSEGV, SIG_DFL);  // die of it, without the test framework's report
    volatile double x = *middle;
    return x == 7.0 ? 0 : 1;
  });
  CHECK(WaitChild(child) == 128 + SIGSEGV);
  CHECK(v[v.size() / 2] == 7.0);  // the parent still has it
}
