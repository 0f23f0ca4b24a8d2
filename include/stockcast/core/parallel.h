#pragma once
// Parallel loops over independent items (series) on oneTBB.
//
// Results never depend on the thread count: each index is processed by exactly one call that
// reads only its own inputs and writes only its own output slot, and callers combine the slots
// in index order afterwards. Only the wall time changes with `threads`.
#include <cstddef>
#include <functional>

namespace stockcast {

// The number of threads `threads` stands for: itself when >= 1, else every hardware thread.
int ResolveThreads(int threads);

// Calls fn(i) for every i in [0, n), on up to ResolveThreads(threads) threads (the caller's
// thread takes part). Indices are handed out in small chunks so that uneven work (a long
// series next to a short one) balances. fn must not throw across threads; report failures
// through its output slot.
void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn);

}  // namespace stockcast
