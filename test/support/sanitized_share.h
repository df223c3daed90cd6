// The sanitizer build looks for memory errors and undefined behaviour, not
// for the breadth of a sweep: the Release build runs every case of a long
// sweep, the sanitizer build a share of them (the same code paths, fewer
// inputs), so that both passes fit the suite's time budget.
#pragma once

#include <cstddef>

namespace bpfc::testsupport {

#ifdef BPFC_SANITIZED_BUILD
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif

// `full` in the Release build, `sanitized` in the sanitizer build.
template <typename T>
constexpr T full_or_sanitized(T full, T sanitized) {
  return kSanitizedBuild ? sanitized : full;
}

// Every case in the Release build; every `stride`-th (the first included)
// in the sanitizer build.
constexpr bool in_sanitized_share(size_t index, size_t stride) {
  return !kSanitizedBuild || index % stride == 0;
}

}  // namespace bpfc::testsupport
