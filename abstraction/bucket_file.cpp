#include "abstraction/bucket_file.h"

#include "abstraction/fnv.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>

#include <fmt/core.h>

namespace bp::abstraction {
namespace {

constexpr std::size_t kHeaderBytes = 128;
constexpr std::size_t kFingerprintOffset = 112;

std::size_t Align64(std::size_t x) { return (x + 63) / 64 * 64; }

template <class T>
void Put(std::vector<std::uint8_t>& out, std::size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof value);
}

template <class T>
T Get(const std::uint8_t* p, std::size_t offset) {
  T v;
  std::memcpy(&v, p + offset, sizeof v);
  return v;
}

const char* StreetName(int s) {
  static constexpr const char* kNames[] = {"preflop", "flop", "turn", "river"};
  return kNames[s];
}

}  // namespace

std::uint64_t WriteBucketFile(const std::string& path, const BucketTables& tables) {
  std::vector<std::uint8_t> header(kHeaderBytes, 0);
  std::memcpy(header.data(), kBucketMagic, 8);
  Put<std::uint32_t>(header, 8, kBucketVersion);
  Put<std::uint32_t>(header, 12, static_cast<std::uint32_t>(tables.mode));
  std::array<std::vector<std::uint8_t>, 4> bodies;
  std::size_t offset = kHeaderBytes;
  for (int s = 0; s < 4; ++s) {
    const auto& t = tables.table[static_cast<std::size_t>(s)];
    const std::uint32_t buckets = tables.buckets[static_cast<std::size_t>(s)];
    const std::uint32_t width = buckets <= 256 ? 1 : 2;
    auto& body = bodies[static_cast<std::size_t>(s)];
    body.assign(Align64(t.size() * width), 0);
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (width == 1) body[i] = static_cast<std::uint8_t>(t[i]);
      else std::memcpy(body.data() + 2 * i, &t[i], 2);
    }
    Put<std::uint32_t>(header, 16 + 4 * static_cast<std::size_t>(s), buckets);
    Put<std::uint32_t>(header, 32 + 4 * static_cast<std::size_t>(s), width);
    Put<std::uint64_t>(header, 48 + 8 * static_cast<std::size_t>(s), t.size());
    Put<std::uint64_t>(header, 80 + 8 * static_cast<std::size_t>(s), offset);
    offset += body.size();
  }
  std::uint64_t h = Fnv1a64(header.data(), kFingerprintOffset, kFnvOffsetBasis);
  for (const auto& body : bodies) h = Fnv1a64(body.data(), body.size(), h);
  Put<std::uint64_t>(header, kFingerprintOffset, h);

  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw AssetError(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
  auto write_all = [&](const std::vector<std::uint8_t>& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const std::string why = std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        throw AssetError(fmt::format("{}: write failed: {}", tmp, why));
      }
      done += static_cast<std::size_t>(n);
    }
  };
  write_all(header);
  for (const auto& body : bodies) write_all(body);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw AssetError(fmt::format("{}: fsync failed: {}", tmp, std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw AssetError(fmt::format("{}: cannot rename into place: {}", path, why));
  }
  return h;
}

BucketFile BucketFile::Open(const std::string& path) {
  BucketFile f;
  f.path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw AssetError(fmt::format("{}: cannot open bucket file: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw AssetError(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < kHeaderBytes) {
    ::close(fd);
    throw AssetError(fmt::format("{}: truncated bucket file: {} bytes, the header alone is {}", path, size,
                                 kHeaderBytes));
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) throw AssetError(fmt::format("{}: cannot map: {}", path, std::strerror(errno)));
  f.map_ = static_cast<const std::uint8_t*>(map);
  f.map_size_ = size;
  const std::uint8_t* p = f.map_;
  if (std::memcmp(p, kBucketMagic, 8) != 0) {
    throw AssetError(fmt::format("{}: not a bucket file (magic is not BPBUCKT1)", path));
  }
  const auto version = Get<std::uint32_t>(p, 8);
  if (version != kBucketVersion) {
    throw AssetError(fmt::format("{}: bucket file version {}, this build reads version {}; rebuild it with "
                                 "build_buckets",
                                 path, version, kBucketVersion));
  }
  const auto mode = Get<std::uint32_t>(p, 12);
  if (mode > 1) throw AssetError(fmt::format("{}: unknown indexer mode {} (expected 0 or 1)", path, mode));
  f.mode_ = static_cast<IsomorphismMode>(mode);
  f.indexer_ = std::make_unique<HoldemIndexer>(f.mode_);
  std::size_t end = kHeaderBytes;
  for (int s = 0; s < 4; ++s) {
    const auto i = static_cast<std::size_t>(s);
    f.buckets_[i] = Get<std::uint32_t>(p, 16 + 4 * i);
    const auto width = Get<std::uint32_t>(p, 32 + 4 * i);
    f.entries_[i] = Get<std::uint64_t>(p, 48 + 8 * i);
    const auto offset = Get<std::uint64_t>(p, 80 + 8 * i);
    if (f.buckets_[i] == 0 || f.buckets_[i] > 65536) {
      throw AssetError(fmt::format("{}: {} has {} buckets (expected 1 to 65536)", path, StreetName(s), f.buckets_[i]));
    }
    if (width != (f.buckets_[i] <= 256 ? 1u : 2u)) {
      throw AssetError(fmt::format("{}: {} entries are {} bytes wide, expected {} for {} buckets", path,
                                   StreetName(s), width, f.buckets_[i] <= 256 ? 1 : 2, f.buckets_[i]));
    }
    if (f.entries_[i] != f.indexer_->size(s)) {
      throw AssetError(fmt::format("{}: {} table has {} entries, the indexer has {} classes", path, StreetName(s),
                                   f.entries_[i], f.indexer_->size(s)));
    }
    if (offset != end) {
      throw AssetError(fmt::format("{}: {} table at offset {}, expected {}", path, StreetName(s), offset, end));
    }
    f.wide_[i] = width == 2;
    end += Align64(f.entries_[i] * width);
    if (end > size) {
      throw AssetError(fmt::format("{}: truncated bucket file: {} bytes, the {} table ends at {}", path, size,
                                   StreetName(s), end));
    }
    f.table_[i] = p + offset;
  }
  if (end != size) {
    throw AssetError(fmt::format("{}: {} bytes, expected {} (trailing data)", path, size, end));
  }
  std::uint64_t h = Fnv1a64(p, kFingerprintOffset, kFnvOffsetBasis);
  h = Fnv1a64(p + kHeaderBytes, size - kHeaderBytes, h);
  f.fingerprint_ = Get<std::uint64_t>(p, kFingerprintOffset);
  if (h != f.fingerprint_) {
    throw AssetError(fmt::format("{}: fingerprint mismatch (stored {:016x}, content {:016x}): the file is "
                                 "corrupt; rebuild it with build_buckets",
                                 path, f.fingerprint_, h));
  }
  for (int s = 0; s < 4; ++s) {
    std::uint32_t max = 0;
    for (std::uint64_t i = 0; i < f.entries(s); ++i) max = std::max(max, f.BucketOfIndex(s, i));
    if (max >= f.buckets(s)) {
      throw AssetError(fmt::format("{}: {} table holds bucket {}, but the street has {} buckets", path,
                                   StreetName(s), max, f.buckets(s)));
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
