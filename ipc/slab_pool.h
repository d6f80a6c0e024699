// SlabPool: fixed-size slabs in shared memory for variable-size payloads
// (regret deltas), so that a queue descriptor carries only a slab id and a
// length.
//
// The slabs are partitioned among owners (workers): owner o owns slabs
// [o * slabs_per_owner, (o + 1) * slabs_per_owner). Each owner has a
// lock-free free list (an SpscQueue of slab ids) that the coordinator pushes
// to (Release) and the owner pops from (Acquire). A slab is owned by exactly
// one side at a time: free list -> owner (Acquire) -> coordinator (sent in a
// descriptor) -> free list (Release).
//
// Region byte layout (offsets relative to the region start):
//   [0, 64)      SlabPoolHeader {u32 owners; u32 slabs_per_owner;
//                u64 slab_bytes; u64 state_offset; u64 data_offset;
//                zeros to 64}
//   [64, ...)    owners x FreeList (SpscQueue<u32, kMaxSlabsPerOwner>)
//   state_offset owners x slabs_per_owner x atomic<u32>: 0 free, 1 held
//   data_offset  owners x slabs_per_owner x slab_bytes (64-byte aligned)
// The header and free lists are process-independent; SlabPool is a
// process-local view over them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/check.h"
#include "ipc/spsc_queue.h"

namespace bp::ipc {

inline constexpr std::uint32_t kMaxSlabsPerOwner = 64;

struct alignas(64) SlabPoolHeader {
  std::uint32_t owners;
  std::uint32_t slabs_per_owner;
  std::uint64_t slab_bytes;
  std::uint64_t state_offset;
  std::uint64_t data_offset;
};

class SlabPool {
 public:
  using FreeList = SpscQueue<std::uint32_t, kMaxSlabsPerOwner>;

  // Bytes the region needs. Requires: 1 <= slabs_per_owner <= kMaxSlabsPerOwner;
  // slab_bytes a multiple of 64.
  static std::uint64_t RegionBytes(std::uint32_t owners, std::uint32_t slabs_per_owner, std::uint64_t slab_bytes);
  // Initialises the region (every slab free) and returns a view on it.
  static SlabPool Create(std::byte* region, std::uint32_t owners, std::uint32_t slabs_per_owner,
                         std::uint64_t slab_bytes);
  // A view on a region that Create initialised (in this or another process).
  static SlabPool Open(std::byte* region);

  // Owner side: takes a free slab of `owner`, without blocking.
  std::optional<std::uint32_t> Acquire(std::uint32_t owner);
  // Owner side: waits up to `timeout` for a free slab.
  std::optional<std::uint32_t> AcquireFor(std::uint32_t owner, std::chrono::nanoseconds timeout);
  // Coordinator side: gives a held slab back to its owner's free list.
  // Throws IpcError if the slab is already free (a double release).
  void Release(std::uint32_t slab);
  // Coordinator side, after the owner died: every slab of `owner` is free again.
  // Requires: no live process holds or will pop one of the owner's slabs.
  void ResetOwner(std::uint32_t owner);

  std::byte* Data(std::uint32_t slab) const {
    BP_CHECK_LT(slab, header_->owners * header_->slabs_per_owner);
    return region_ + header_->data_offset + static_cast<std::uint64_t>(slab) * header_->slab_bytes;
  }
  std::uint64_t slab_bytes() const { return header_->slab_bytes; }
  std::uint32_t owners() const { return header_->owners; }
  std::uint32_t slabs_per_owner() const { return header_->slabs_per_owner; }
  std::uint32_t OwnerOf(std::uint32_t slab) const { return slab / header_->slabs_per_owner; }
  // Free slabs of `owner` (exact from the owner).
  std::size_t FreeCount(std::uint32_t owner) const { return FreeListOf(owner)->ReadAvailable(); }

 private:
  explicit SlabPool(std::byte* region)
      : region_(region), header_(reinterpret_cast<SlabPoolHeader*>(region)) {}
  FreeList* FreeListOf(std::uint32_t owner) const {
    return reinterpret_cast<FreeList*>(region_ + sizeof(SlabPoolHeader)) + owner;
  }
  std::atomic<std::uint32_t>& StateOf(std::uint32_t slab) const {
    return reinterpret_cast<std::atomic<std::uint32_t>*>(region_ + header_->state_offset)[slab];
  }
  std::optional<std::uint32_t> Took(std::optional<std::uint32_t> slab) const;

  std::byte* region_;
  SlabPoolHeader* header_;
};

}  // namespace bp::ipc
