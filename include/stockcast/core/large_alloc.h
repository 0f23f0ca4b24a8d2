#pragma once
// Allocation of large buffers (hash tables, panel columns, aggregation grids) backed by
// transparent huge pages where the kernel allows it.
//
// Why: the import touches a working set of ~150 MB once. With 4 KiB pages that is ~40,000 page
// faults (and as many TLB misses on random probes into multi-MB hash tables); on virtual
// machines a fault costs several microseconds, which measured at 15-25 % of the whole import.
// Debian's default THP mode is "madvise", so huge pages must be asked for: buffers of at least
// kLargeAllocationBytes are mapped 2 MiB-aligned and advised MADV_HUGEPAGE. Smaller buffers,
// non-Linux systems and sanitizer builds (which must see every allocation) use operator new.
#include <cstddef>
#include <new>
#include <vector>

namespace stockcast {

inline constexpr size_t kLargeAllocationBytes = size_t{4} << 20;

// Returns `bytes` of uninitialised memory aligned for any type; throws std::bad_alloc.
void* AllocateLarge(size_t bytes);
// Frees memory from AllocateLarge; `bytes` must be the size it was allocated with.
void FreeLarge(void* p, size_t bytes) noexcept;

// A std allocator over AllocateLarge, for std::vector of big tables.
template <typename T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <typename U>
  LargeAllocator(const LargeAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(AllocateLarge(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { FreeLarge(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const LargeAllocator<U>&) const noexcept {
    return true;
  }
};

template <typename T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

}  // namespace stockcast
