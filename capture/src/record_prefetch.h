// Walking records by their length fields is a chain of dependent loads: the
// next header's address is known only once the current one is read, so the
// hardware prefetcher cannot run ahead of it. Over bytes that are not in the
// cache (a mapped file: page-cache pages that nothing has touched lately)
// each header then costs a full memory latency. The readers ask for the
// bytes a little ahead of the walk instead; over bytes already in the cache
// (a read() buffer) the requests cost next to nothing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bpfc::capture {

inline constexpr size_t kCacheLineBytes = 64;
// How far ahead of the walk to ask: a few records' worth, enough to cover
// a memory latency at the walk's speed.
inline constexpr size_t kPrefetchAheadBytes = 4096;

// Requests the cache lines from `next` up to `until` (exclusive, rounded up
// to a line), and advances `next` past them.
inline void prefetch_until(const uint8_t*& next, const uint8_t* until) {
  for (; next < until; next += kCacheLineBytes) __builtin_prefetch(next);
}

}  // namespace bpfc::capture
