// Memory that takes no page fault where a fault would stall the run (on
// virtual machines a page fault is costly): pages mapped ahead in one call,
// and private buffers kept out of forked children so that writing them
// after a fork copies nothing. Used by the shared segment (ipc/), the file
// formats' readers (base/file_frame.h) and the coordinator's checkpoint
// memory. Thread-safe (plain system calls on the caller's memory).
#pragma once

#include <cstddef>
#include <vector>

namespace bp::base {

// Maps every page of [address, address + bytes) into this process now,
// allocating the pages not allocated yet, so that later accesses take no
// page fault: one madvise(MADV_POPULATE_WRITE or _READ) call (Linux 5.14),
// or where the kernel lacks it one access per page (a write only rewrites a
// page's first byte: for memory nobody else writes meanwhile).
// bench/scaling_bench --checkpoint compares a snapshot of a populated table
// with one of a table of untouched pages. Returns false (errno set) if the
// pages cannot be provided, e.g. when /dev/shm is full.
bool PopulatePages(void* address, std::size_t bytes, bool for_write);

// Keeps [address, address + bytes) of this process's private memory out of
// the processes it forks from now on (MADV_DONTFORK on the pages wholly
// inside the range): they will not have it at all. Private memory a child
// shares is copy-on-write, so without this the parent's first write to each
// page after a fork copies the page in a page fault.
void KeepFromChildren(void* address, std::size_t bytes);

// `v` as n value-initialised elements in memory populated now
// (PopulatePages) and kept from children (KeepFromChildren): for large
// buffers a process writes while its forked children run, such as the
// coordinator's checkpoint memory.
template <class T>
void AllocatePopulatedPrivate(std::vector<T>& v, std::size_t n) {
  std::vector<T>().swap(v);
  v.reserve(n);
  PopulatePages(v.data(), n * sizeof(T), /*for_write=*/true);
  KeepFromChildren(v.data(), n * sizeof(T));
  v.resize(n);
}

}  // namespace bp::base
