#include "ipc/slab_pool.h"

#include <new>
#include <string>

#include "ipc/ipc_error.h"

namespace bp::ipc {

namespace {
std::uint64_t AlignUp(std::uint64_t x) { return (x + 63) & ~std::uint64_t{63}; }
std::uint64_t StateOffset(std::uint32_t owners) {
  return AlignUp(sizeof(SlabPoolHeader) + owners * sizeof(SlabPool::FreeList));
}
std::uint64_t DataOffset(std::uint32_t owners, std::uint32_t slabs_per_owner) {
  return AlignUp(StateOffset(owners) + std::uint64_t{owners} * slabs_per_owner * sizeof(std::uint32_t));
}
enum : std::uint32_t { kFree = 0, kHeld = 1 };
}  // namespace

std::uint64_t SlabPool::RegionBytes(std::uint32_t owners, std::uint32_t slabs_per_owner, std::uint64_t slab_bytes) {
  if (slabs_per_owner < 1 || slabs_per_owner > kMaxSlabsPerOwner) {
    throw IpcError("slabs per owner must be 1.." + std::to_string(kMaxSlabsPerOwner) + ", got " +
                   std::to_string(slabs_per_owner));
  }
  if (slab_bytes == 0 || slab_bytes % 64 != 0) {
    throw IpcError("slab size must be a positive multiple of 64 bytes, got " + std::to_string(slab_bytes));
  }
  return DataOffset(owners, slabs_per_owner) + static_cast<std::uint64_t>(owners) * slabs_per_owner * slab_bytes;
}

SlabPool SlabPool::Create(std::byte* region, std::uint32_t owners, std::uint32_t slabs_per_owner,
                          std::uint64_t slab_bytes) {
  RegionBytes(owners, slabs_per_owner, slab_bytes);  // validates
  auto* header = new (region) SlabPoolHeader{};
  header->owners = owners;
  header->slabs_per_owner = slabs_per_owner;
  header->slab_bytes = slab_bytes;
  header->state_offset = StateOffset(owners);
  header->data_offset = DataOffset(owners, slabs_per_owner);
  SlabPool pool(region);
  for (std::uint32_t o = 0; o < owners; ++o) pool.ResetOwner(o);
  return pool;
}

SlabPool SlabPool::Open(std::byte* region) { return SlabPool(region); }

std::optional<std::uint32_t> SlabPool::Took(std::optional<std::uint32_t> slab) const {
  if (slab) StateOf(*slab).store(kHeld, std::memory_order_relaxed);
  return slab;
}

std::optional<std::uint32_t> SlabPool::Acquire(std::uint32_t owner) {
  std::uint32_t slab = 0;
  return Took(Consumer<FreeList>(FreeListOf(owner)).TryPop(slab) ? std::optional(slab) : std::nullopt);
}

std::optional<std::uint32_t> SlabPool::AcquireFor(std::uint32_t owner, std::chrono::nanoseconds timeout) {
  std::uint32_t slab = 0;
  return Took(Consumer<FreeList>(FreeListOf(owner)).PopFor(slab, timeout) ? std::optional(slab) : std::nullopt);
}

void SlabPool::Release(std::uint32_t slab) {
  if (slab >= header_->owners * header_->slabs_per_owner) {
    throw IpcError("slab " + std::to_string(slab) + " released, but the pool has only " +
                   std::to_string(header_->owners * header_->slabs_per_owner) + " slabs");
  }
  if (StateOf(slab).exchange(kFree, std::memory_order_relaxed) != kHeld) {
    throw IpcError("slab " + std::to_string(slab) + " released while already free (double release)");
  }
  // The free list has room for every slab of its owner, so this cannot fail.
  Producer<FreeList>(FreeListOf(OwnerOf(slab)), nullptr).TryPush(slab);
}

void SlabPool::ResetOwner(std::uint32_t owner) {
  FreeList* list = new (FreeListOf(owner)) FreeList();
  for (std::uint32_t i = 0; i < header_->slabs_per_owner; ++i) {
    const std::uint32_t slab = owner * header_->slabs_per_owner + i;
    StateOf(slab).store(kFree, std::memory_order_relaxed);
    list->TryPush(slab);
  }
}

}  // namespace bp::ipc
