#include "ipc/segment.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include "base/memory.h"
#include "ipc/ipc_error.h"

namespace bip = boost::interprocess;

namespace bp::ipc {

struct Segment::Mapping {
  bip::mapped_region region;
};

namespace {

std::uint64_t NowUnixNs() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

bool ProcessAlive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Owner pid encoded in a name "bp-mccfr-<pid>-<hex>", or -1.
pid_t PidFromName(std::string_view name) {
  if (name.substr(0, kNamePrefix.size()) != kNamePrefix) return -1;
  name.remove_prefix(kNamePrefix.size());
  pid_t pid = 0;
  std::size_t i = 0;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) pid = pid * 10 + (name[i] - '0');
  return i > 0 ? pid : -1;
}

std::string Describe(const std::string& name) { return "shared-memory segment '" + name + "'"; }

}  // namespace

std::uint64_t SegmentLayout::Add(std::string_view name, std::uint64_t size, std::uint64_t align) {
  if (name.empty() || name.size() >= sizeof(RegionEntry::name)) {
    throw IpcError("region name '" + std::string(name) + "' must have 1 to 23 characters");
  }
  if (align == 0 || (align & (align - 1)) != 0 || align > 4096) {
    throw IpcError("region '" + std::string(name) + "': alignment " + std::to_string(align) +
                   " is not a power of two up to 4096");
  }
  for (const auto& r : regions_) {
    if (name == r.name) throw IpcError("region '" + std::string(name) + "' added twice");
  }
  if (regions_.size() == kMaxRegions) {
    throw IpcError("more than " + std::to_string(kMaxRegions) + " regions in one segment");
  }
  RegionEntry entry{};
  std::memcpy(entry.name, name.data(), name.size());
  entry.offset = (next_ + align - 1) & ~(align - 1);
  entry.size = size;
  next_ = entry.offset + size;
  next_ = (next_ + kRegionAlign - 1) & ~(kRegionAlign - 1);
  regions_.push_back(entry);
  return entry.offset;
}

Segment::Segment(std::string name, std::unique_ptr<Mapping> mapping, pid_t owner_pid)
    : name_(std::move(name)), mapping_(std::move(mapping)), owner_pid_(owner_pid) {
  base_ = static_cast<std::byte*>(mapping_->region.get_address());
  size_ = mapping_->region.get_size();
}

Segment Segment::Create(const std::string& name, const SegmentLayout& layout) {
  auto mapping = std::make_unique<Mapping>();
  try {
    bip::permissions perms;
    perms.set_permissions(0600);
    bip::shared_memory_object shm(bip::create_only, name.c_str(), bip::read_write, perms);
    shm.truncate(static_cast<bip::offset_t>(layout.total_size()));
    mapping->region = bip::mapped_region(shm, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    throw IpcError("cannot create " + Describe(name) + " of " + std::to_string(layout.total_size()) +
                   " bytes: " + e.what());
  }
  Segment segment(name, std::move(mapping), ::getpid());
  // Allocated now, not page by page at the first touch of each (by a worker's
  // read, the first checkpoint's copy...): one call, and a full /dev/shm is
  // an error here instead of a SIGBUS later.
  if (!base::PopulatePages(segment.base_, segment.size_, /*for_write=*/true)) {
    const int error = errno;
    throw IpcError("cannot allocate the " + std::to_string(layout.total_size()) + " bytes of " + Describe(name) +
                   ": " + std::strerror(error) + " (is /dev/shm large enough? see df -h /dev/shm)");
  }
  auto* header = segment.At<SegmentHeader>(0);
  std::memset(static_cast<void*>(header), 0, sizeof(SegmentHeader));
  std::memcpy(header->magic, kSegmentMagic, sizeof(kSegmentMagic));
  header->layout_version = kLayoutVersion;
  header->region_count = static_cast<std::uint32_t>(layout.regions().size());
  header->owner_pid = ::getpid();
  header->created_unix_ns = NowUnixNs();
  header->total_size = layout.total_size();
  for (std::size_t i = 0; i < layout.regions().size(); ++i) header->regions[i] = layout.regions()[i];
  return segment;
}

Segment Segment::Attach(const std::string& name) {
  auto mapping = std::make_unique<Mapping>();
  try {
    bip::shared_memory_object shm(bip::open_only, name.c_str(), bip::read_write);
    bip::offset_t size = 0;
    if (!shm.get_size(size) || size < static_cast<bip::offset_t>(sizeof(SegmentHeader))) {
      throw IpcError(Describe(name) + " is " + std::to_string(size) + " bytes, smaller than its " +
                     std::to_string(sizeof(SegmentHeader)) + "-byte header");
    }
    mapping->region = bip::mapped_region(shm, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    throw IpcError("cannot attach to " + Describe(name) + ": " + e.what());
  }
  Segment segment(name, std::move(mapping), -1);
  const SegmentHeader& h = segment.header();
  if (std::memcmp(h.magic, kSegmentMagic, sizeof(kSegmentMagic)) != 0) {
    throw IpcError(Describe(name) + " has a bad magic number: expected \"BPSHMSEG\", found \"" +
                   std::string(h.magic, sizeof(h.magic)) + "\" (not a segment of this program)");
  }
  if (h.layout_version != kLayoutVersion) {
    throw IpcError(Describe(name) + " has layout version " + std::to_string(h.layout_version) + ", expected " +
                   std::to_string(kLayoutVersion) + " (made by another build of this program)");
  }
  if (h.total_size > segment.size() || h.region_count > kMaxRegions) {
    throw IpcError(Describe(name) + " is corrupt: header claims " + std::to_string(h.total_size) + " bytes and " +
                   std::to_string(h.region_count) + " regions, mapping has " + std::to_string(segment.size()) +
                   " bytes");
  }
  return segment;
}

std::string Segment::UniqueName() {
  std::random_device rd;
  const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ NowUnixNs();
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(r));
  return std::string(kNamePrefix) + std::to_string(::getpid()) + "-" + hex;
}

std::vector<std::string> Segment::RemoveStale() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kNamePrefix, 0) != 0) continue;
    pid_t owner = PidFromName(name);
    const int fd = ::shm_open(name.c_str(), O_RDONLY, 0);
    if (fd >= 0) {
      struct stat st{};
      if (::fstat(fd, &st) == 0 && st.st_size >= static_cast<off_t>(sizeof(SegmentHeader))) {
        void* p = ::mmap(nullptr, sizeof(SegmentHeader), PROT_READ, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
          const auto* h = static_cast<const SegmentHeader*>(p);
          if (std::memcmp(h->magic, kSegmentMagic, sizeof(kSegmentMagic)) == 0) owner = h->owner_pid;
          ::munmap(p, sizeof(SegmentHeader));
        }
      }
      ::close(fd);
    }
    if (owner > 0 && !ProcessAlive(owner) && bip::shared_memory_object::remove(name.c_str())) {
      removed.push_back(name);
    }
  }
  return removed;
}

Segment::Segment(Segment&& other) noexcept
    : name_(std::move(other.name_)), mapping_(std::move(other.mapping_)), base_(other.base_), size_(other.size_),
      owner_pid_(other.owner_pid_) {
  other.base_ = nullptr;
  other.size_ = 0;
  other.owner_pid_ = -1;
}

Segment& Segment::operator=(Segment&& other) noexcept {
  if (this != &other) {
    if (owned()) Unlink();
    name_ = std::move(other.name_);
    mapping_ = std::move(other.mapping_);
    base_ = other.base_;
    size_ = other.size_;
    owner_pid_ = other.owner_pid_;
    other.base_ = nullptr;
    other.size_ = 0;
    other.owner_pid_ = -1;
  }
  return *this;
}

Segment::~Segment() {
  if (owned()) Unlink();
}

void Segment::Unlink() {
  if (!name_.empty()) bip::shared_memory_object::remove(name_.c_str());
  owner_pid_ = -1;
}

const RegionEntry& Segment::Region(std::string_view name) const {
  const SegmentHeader& h = header();
  for (std::uint32_t i = 0; i < h.region_count; ++i) {
    const auto& r = h.regions[i];
    if (name == std::string_view(r.name, ::strnlen(r.name, sizeof(r.name)))) return r;
  }
  throw IpcError(Describe(name_) + " has no region '" + std::string(name) + "'");
}

}  // namespace bp::ipc
