#include "abstraction/bucket_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "abstraction/street.h"
#include "base/coding.h"
#include "base/check.h"
#include "base/fnv.h"

namespace bp::abstraction {

const base::FrameFormat kBucketFormat{"BPBUCKT1",
                                      "bucket",
                                      2,
                                      {{1, base::FrameLayout::kOwn, base::Checksum::Kind::kFnv1a64}},
                                      "; rebuild it with build_buckets"};

namespace {

constexpr std::size_t kHeaderBytes = 128;  // the tables start here, in both versions
constexpr std::size_t kBodyHeaderBytes = kHeaderBytes - base::kFrameHeaderBytes;

std::size_t Align64(std::size_t x) { return (x + 63) / 64 * 64; }

// Where a version keeps its header fields (file offsets).
struct FieldOffsets {
  std::size_t mode, buckets, widths, entries, offsets;
};
constexpr FieldOffsets kVersion1{12, 16, 32, 48, 80};
constexpr FieldOffsets kVersion2{24, 32, 48, 64, 96};
constexpr std::size_t kVersion1Fingerprint = 112;

}  // namespace

std::uint64_t WriteBucketFile(const std::string& path, const BucketTables& tables) {
  std::string header;
  base::PutFixed<std::uint32_t>(header, static_cast<std::uint32_t>(tables.mode));
  base::PutFixed<std::uint32_t>(header, 0);
  std::array<std::uint32_t, kNumStreets> widths{};
  for (std::size_t s = 0; s < kNumStreets; ++s) {
    widths[s] = tables.buckets[s] <= 256 ? 1 : 2;
    base::PutFixed<std::uint32_t>(header, tables.buckets[s]);
  }
  for (std::uint32_t w : widths) base::PutFixed<std::uint32_t>(header, w);
  for (const auto& t : tables.table) base::PutFixed<std::uint64_t>(header, t.size());
  std::uint64_t offset = kHeaderBytes, body = kBodyHeaderBytes;
  for (std::size_t s = 0; s < kNumStreets; ++s) {
    base::PutFixed<std::uint64_t>(header, offset);
    const std::uint64_t bytes = Align64(tables.table[s].size() * widths[s]);
    offset += bytes;
    body += bytes;
  }
  BP_CHECK_EQ(header.size(), kBodyHeaderBytes);
  try {
    return base::WriteFramedFile(path, kBucketFormat, body, [&](base::FileSink& out) {
      out.Write(header);
      std::vector<std::uint8_t> narrow;
      for (std::size_t s = 0; s < kNumStreets; ++s) {
        const auto& t = tables.table[s];
        if (widths[s] == 2) {
          out.Write(t.data(), t.size() * 2);
        } else {
          constexpr std::size_t kChunk = 1 << 16;
          for (std::size_t at = 0; at < t.size(); at += kChunk) {
            const std::size_t n = std::min(kChunk, t.size() - at);
            narrow.resize(n);
            for (std::size_t i = 0; i < n; ++i) narrow[i] = static_cast<std::uint8_t>(t[at + i]);
            out.Write(narrow.data(), n);
          }
        }
        out.Zeros(Align64(t.size() * widths[s]) - t.size() * widths[s]);
      }
    });
  } catch (const base::FileError& e) {
    throw AssetError(e.what());
  }
}

BucketFile BucketFile::Open(const std::string& path) {
  BucketFile f;
  f.path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw AssetError(fmt::format("{}: cannot open bucket file: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw AssetError(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = size == 0 ? MAP_FAILED : ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (size > 0 && map == MAP_FAILED) {
    throw AssetError(fmt::format("{}: cannot map: {}", path, std::strerror(map_errno)));
  }
  if (size > 0) {
    f.map_ = static_cast<const std::uint8_t*>(map);
    f.map_size_ = size;
  }
  const char* p = reinterpret_cast<const char*>(f.map_);
  base::FrameView frame;
  try {
    frame = base::CheckFrame({p, size}, kBucketFormat, path);
  } catch (const base::FileError& e) {
    throw AssetError(e.what());
  }
  const bool v1 = frame.layout == base::FrameLayout::kOwn;
  const FieldOffsets& at = v1 ? kVersion1 : kVersion2;
  // Version 1 files end with the last table; version 2 bodies do.
  const std::size_t tables_end = v1 ? size : size - base::kFrameTrailerBytes;
  if (size < kHeaderBytes) {
    throw AssetError(fmt::format("{}: truncated bucket file: {} bytes, the header alone is {}", path, size,
                                 kHeaderBytes));
  }
  const auto mode = base::GetFixed<std::uint32_t>(p + at.mode);
  if (mode > 1) throw AssetError(fmt::format("{}: unknown indexer mode {} (expected 0 or 1)", path, mode));
  f.mode_ = static_cast<IsomorphismMode>(mode);
  f.indexer_ = std::make_unique<HoldemIndexer>(f.mode_);
  std::size_t end = kHeaderBytes;
  for (std::size_t s = 0; s < kNumStreets; ++s) {
    const char* street = StreetName(static_cast<Street>(s));
    f.buckets_[s] = base::GetFixed<std::uint32_t>(p + at.buckets + 4 * s);
    const auto width = base::GetFixed<std::uint32_t>(p + at.widths + 4 * s);
    f.entries_[s] = base::GetFixed<std::uint64_t>(p + at.entries + 8 * s);
    const auto offset = base::GetFixed<std::uint64_t>(p + at.offsets + 8 * s);
    if (f.buckets_[s] == 0 || f.buckets_[s] > 65536) {
      throw AssetError(fmt::format("{}: {} has {} buckets (expected 1 to 65536)", path, street, f.buckets_[s]));
    }
    if (width != (f.buckets_[s] <= 256 ? 1u : 2u)) {
      throw AssetError(fmt::format("{}: {} entries are {} bytes wide, expected {} for {} buckets", path, street, width,
                                   f.buckets_[s] <= 256 ? 1 : 2, f.buckets_[s]));
    }
    if (f.entries_[s] != f.indexer_->size(static_cast<int>(s))) {
      throw AssetError(fmt::format("{}: {} table has {} entries, the indexer has {} classes", path, street,
                                   f.entries_[s], f.indexer_->size(static_cast<int>(s))));
    }
    if (offset != end) {
      throw AssetError(fmt::format("{}: {} table at offset {}, expected {}", path, street, offset, end));
    }
    f.wide_[s] = width == 2;
    end += Align64(f.entries_[s] * width);
    if (end > tables_end) {
      throw AssetError(fmt::format("{}: truncated bucket file: {} bytes, the {} table ends at {}", path, size, street,
                                   end));
    }
    f.table_[s] = f.map_ + offset;
  }
  if (end != tables_end) {
    throw AssetError(fmt::format("{}: {} bytes, expected {} (trailing data)", path, size,
                                 end + (size - tables_end)));
  }
  if (v1) {
    std::uint64_t h = base::Fnv1a64(p, kVersion1Fingerprint, base::kFnvOffsetBasis);
    h = base::Fnv1a64(p + kHeaderBytes, size - kHeaderBytes, h);
    f.fingerprint_ = base::GetFixed<std::uint64_t>(p + kVersion1Fingerprint);
    if (h != f.fingerprint_) {
      throw AssetError(fmt::format("{}: fingerprint mismatch (stored {:016x}, content {:016x}): the file is "
                                   "corrupt; rebuild it with build_buckets",
                                   path, f.fingerprint_, h));
    }
  } else {
    f.fingerprint_ = base::GetFixed<std::uint64_t>(p + size - base::kFrameTrailerBytes);
  }
  for (std::size_t s = 0; s < kNumStreets; ++s) {
    std::uint32_t max = 0;
    for (std::uint64_t i = 0; i < f.entries_[s]; ++i) max = std::max(max, f.BucketOfIndex(static_cast<int>(s), i));
    if (max >= f.buckets_[s]) {
      throw AssetError(fmt::format("{}: {} table holds bucket {}, but the street has {} buckets", path,
                                   StreetName(static_cast<Street>(s)), max, f.buckets_[s]));
    }
  }
  return f;
}

BucketFile::BucketFile(BucketFile&& o) noexcept { *this = std::move(o); }

BucketFile& BucketFile::operator=(BucketFile&& o) noexcept {
  if (this != &o) {
    Unmap();
    path_ = std::move(o.path_);
    mode_ = o.mode_;
    buckets_ = o.buckets_;
    entries_ = o.entries_;
    wide_ = o.wide_;
    table_ = o.table_;
    fingerprint_ = o.fingerprint_;
    map_ = o.map_;
    map_size_ = o.map_size_;
    indexer_ = std::move(o.indexer_);
    o.map_ = nullptr;
    o.map_size_ = 0;
  }
  return *this;
}

BucketFile::~BucketFile() { Unmap(); }

void BucketFile::Unmap() {
  if (map_ != nullptr) ::munmap(const_cast<std::uint8_t*>(map_), map_size_);
  map_ = nullptr;
}

}  // namespace bp::abstraction
