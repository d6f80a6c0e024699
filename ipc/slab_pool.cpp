#include "ipc/slab_pool.h"

#include <new>
#include <string>

#include "ipc/ipc_error.h"

namespace bp::ipc {

namespace {
std::uint64_t DataOffset(std::uint32_t owners) {
  const std::uint64_t end = sizeof(SlabPoolHeader) + owners * sizeof(SlabPool::FreeList);
  return (end + 63) & ~std::uint64_t{63};
}
}  // namespace

std::uint64_t SlabPool::RegionBytes(std::uint32_t owners, std::uint32_t slabs_per_owner, std::uint64_t slab_bytes) {
  if (slabs_per_owner < 1 || slabs_per_owner > kMaxSlabsPerOwner) {
    throw IpcError("slabs per owner must be 1.." + std::to_string(kMaxSlabsPerOwner) + ", got " +
                   std::to_string(slabs_per_owner));
  }
  if (slab_bytes == 0 || slab_bytes % 64 != 0) {
    throw IpcError("slab size must be a positive multiple of 64 bytes, got " + std::to_string(slab_bytes));
  }
  return DataOffset(owners) + static_cast<std::uint64_t>(owners) * slabs_per_owner * slab_bytes;
}

SlabPool SlabPool::Create(std::byte* region, std::uint32_t owners, std::uint32_t slabs_per_owner,
                          std::uint64_t slab_bytes) {
  RegionBytes(owners, slabs_per_owner, slab_bytes);  // validates
  auto* header = new (region) SlabPoolHeader{};
  header->owners = owners;
  header->slabs_per_owner = slabs_per_owner;
  header->slab_bytes = slab_bytes;
  header->data_offset = DataOffset(owners);
  SlabPool pool(region);
  for (std::uint32_t o = 0; o < owners; ++o) pool.ResetOwner(o);
  return pool;
}

SlabPool SlabPool::Open(std::byte* region) { return SlabPool(region); }

std::optional<std::uint32_t> SlabPool::Acquire(std::uint32_t owner) {
  std::uint32_t slab = 0;
  if (Consumer<FreeList>(FreeListOf(owner)).TryPop(slab)) return slab;
  return std::nullopt;
}

std::optional<std::uint32_t> SlabPool::AcquireFor(std::uint32_t owner, std::chrono::nanoseconds timeout) {
  std::uint32_t slab = 0;
  if (Consumer<FreeList>(FreeListOf(owner)).PopFor(slab, timeout)) return slab;
  return std::nullopt;
}

void SlabPool::Release(std::uint32_t slab) {
  // The free list holds every slab of its owner, so this push cannot fail
  // unless a slab is released twice: an invariant violation.
  if (!Producer<FreeList>(FreeListOf(OwnerOf(slab)), nullptr).TryPush(slab)) {
    throw IpcError("slab " + std::to_string(slab) + " released while its owner's free list is full (double release)");
  }
}

void SlabPool::ResetOwner(std::uint32_t owner) {
  FreeList* list = new (FreeListOf(owner)) FreeList();
  for (std::uint32_t i = 0; i < header_->slabs_per_owner; ++i) list->TryPush(owner * header_->slabs_per_owner + i);
}

}  // namespace bp::ipc
