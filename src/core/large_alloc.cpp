#include "stockcast/core/large_alloc.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace stockcast {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kUseMmap = false;  // sanitizers must see every allocation
#elif defined(__linux__) && defined(MADV_HUGEPAGE)
constexpr bool kUseMmap = true;
#else
constexpr bool kUseMmap = false;
#endif

[[maybe_unused]] constexpr size_t kHugePage = size_t{2} << 20;

[[maybe_unused]] size_t RoundUp(size_t bytes, size_t to) { return (bytes + to - 1) / to * to; }

}  // namespace

void* AllocateLarge(size_t bytes) {
  if constexpr (kUseMmap) {
    if (bytes >= kLargeAllocationBytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      // Over-map by one huge page and trim, so the buffer starts on a 2 MiB boundary (a huge
      // page can only back an aligned 2 MiB range).
      const size_t size = RoundUp(bytes, kHugePage);
      void* raw = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (raw == MAP_FAILED) throw std::bad_alloc();
      const auto begin = reinterpret_cast<uintptr_t>(raw);
      const uintptr_t aligned = RoundUp(begin, kHugePage);
      if (aligned > begin) munmap(raw, aligned - begin);
      const uintptr_t end = begin + size + kHugePage;
      if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
      void* p = reinterpret_cast<void*>(aligned);
      madvise(p, size, MADV_HUGEPAGE);  // advice only: without THP the pages are just small
      return p;
#endif
    }
  }
  return ::operator new(bytes);
}

void FreeLarge(void* p, size_t bytes) noexcept {
  if (p == nullptr) return;
  if constexpr (kUseMmap) {
    if (bytes >= kLargeAllocationBytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      munmap(p, RoundUp(bytes, kHugePage));
      return;
#endif
    }
  }
  ::operator delete(p);
}

}  // namespace stockcast
