// Segment: one POSIX shared-memory object per run, holding every structure
// the coordinator and its workers share.
//
// Byte layout (all integers little-endian, as the machine writes them):
//   offset 0      SegmentHeader (see below), 64-byte aligned, 1,984 bytes
//     [0, 8)      magic "BPSHMSEG"
//     [8, 12)     layout version (kLayoutVersion)
//     [12, 16)    region count
//     [16, 20)    owner pid (the creating process)
//     [20, 24)    reserved, zero
//     [24, 32)    creation time, ns since the Unix epoch
//     [32, 40)    total size in bytes
//     [40, 64)    reserved, zero
//     [64, ...)   kMaxRegions RegionEntry {char name[24]; u64 offset; u64 size}
//   then the regions, each at the offset its entry names (64-byte aligned).
// Nothing in the segment is a pointer: structures refer to each other by
// offset, so a process may map the segment at any address.
//
// Ownership: the creating process owns the name and removes it when its
// Segment is destroyed (normal exit); processes forked from it share the
// mapping and never remove it. A segment whose owner died is "stale":
// RemoveStale() finds such segments of this program by name prefix and
// removes them. Mode 0600: only the user who runs the trainer can open it.
// Thread-safety: the Segment object itself is not; what lives in it defines
// its own rules.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <string_view>
#include <vector>

namespace bp::ipc {

inline constexpr char kSegmentMagic[8] = {'B', 'P', 'S', 'H', 'M', 'S', 'E', 'G'};
inline constexpr std::uint32_t kLayoutVersion = 1;
inline constexpr int kMaxRegions = 48;
inline constexpr std::size_t kRegionAlign = 64;
// Every segment name of this program starts with this (after the '/').
inline constexpr std::string_view kNamePrefix = "bp-mccfr-";

struct RegionEntry {
  char name[24];
  std::uint64_t offset;
  std::uint64_t size;
};

struct alignas(64) SegmentHeader {
  char magic[8];
  std::uint32_t layout_version;
  std::uint32_t region_count;
  std::int32_t owner_pid;
  std::uint32_t reserved0;
  std::uint64_t created_unix_ns;
  std::uint64_t total_size;
  std::uint8_t reserved1[24];
  RegionEntry regions[kMaxRegions];
};
static_assert(sizeof(RegionEntry) == 40);
static_assert(sizeof(SegmentHeader) == 64 + 40 * kMaxRegions);
static_assert(std::is_trivially_copyable_v<SegmentHeader>);

// Plans the regions of a segment before it is created.
class SegmentLayout {
 public:
  // Reserves `size` bytes named `name` (at most 23 characters, unique) and
  // returns its offset. Requires: align is a power of two, at most 4096.
  std::uint64_t Add(std::string_view name, std::uint64_t size, std::uint64_t align = kRegionAlign);
  std::uint64_t total_size() const { return next_; }
  const std::vector<RegionEntry>& regions() const { return regions_; }

 private:
  std::vector<RegionEntry> regions_;
  std::uint64_t next_ = sizeof(SegmentHeader);
};

class Segment {
 public:
  // Creates a new segment (fails if the name exists), mode 0600, zero-filled
  // and populated (every page allocated and mapped in this process), with the
  // header and region table written. Throws IpcError.
  static Segment Create(const std::string& name, const SegmentLayout& layout);
  // Maps an existing segment and validates its header (magic, version, size).
  // Throws IpcError naming the segment and what is wrong.
  static Segment Attach(const std::string& name);
  // A fresh name for this run: "/bp-mccfr-<pid>-<random hex>".
  static std::string UniqueName();
  // Removes segments of this program whose owner process is gone; returns
  // their names. Segments of live processes are left alone.
  static std::vector<std::string> RemoveStale();

  Segment(Segment&& other) noexcept;
  Segment& operator=(Segment&& other) noexcept;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  ~Segment();

  const std::string& name() const { return name_; }
  std::byte* base() const { return base_; }
  std::uint64_t size() const { return size_; }
  const SegmentHeader& header() const { return *reinterpret_cast<const SegmentHeader*>(base_); }
  // Whether this process created the segment (and so removes it).
  bool owned() const { return owner_pid_ == ::getpid(); }

  // The offset and size of a named region; throws IpcError if absent.
  const RegionEntry& Region(std::string_view name) const;
  template <class T>
  T* At(std::uint64_t offset) const {
    return reinterpret_cast<T*>(base_ + offset);
  }
  template <class T>
  T* RegionAs(std::string_view name) const {
    return At<T>(Region(name).offset);
  }

  // Removes the name now (mappings stay valid until unmapped). Idempotent.
  void Unlink();

 private:
  struct Mapping;  // the Boost.Interprocess objects, kept out of this header
  Segment(std::string name, std::unique_ptr<Mapping> mapping, pid_t owner_pid);

  std::string name_;
  std::unique_ptr<Mapping> mapping_;
  std::byte* base_ = nullptr;
  std::uint64_t size_ = 0;
  pid_t owner_pid_ = -1;  // the process that removes the name, or -1
};

}  // namespace bp::ipc
