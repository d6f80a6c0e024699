#include "base/memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace bp::base {

bool PopulatePages(void* address, std::size_t bytes, bool for_write) {
  if (bytes == 0) return true;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(address) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(address) + bytes + page - 1) / page * page;
#if defined(MADV_POPULATE_READ) && defined(MADV_POPULATE_WRITE)
  if (::madvise(reinterpret_cast<void*>(begin), end - begin, for_write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0) {
    return true;
  }
  if (errno != EINVAL) return false;  // EINVAL: a kernel without it
#endif
  for (std::uintptr_t p = begin; p < end; p += page) {
    auto* byte = reinterpret_cast<volatile unsigned char*>(p);
    const unsigned char value = *byte;
    if (for_write) *byte = value;
  }
  return true;
}

void KeepFromChildren(void* address, std::size_t bytes) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(address) + page - 1) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(address) + bytes) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTFORK);
}

}  // namespace bp::base
