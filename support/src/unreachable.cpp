// The one place library code may end the process: a broken invariant is a
// bug in bpfc, and answering anyway could give a wrong verdict silently.
#include "bpfc/support/unreachable.h"

#include <cstdio>
#include <cstdlib>

namespace bpfc::detail {

void unreachable_failed(const char* file, int line, const char* what) noexcept {
  std::fprintf(stderr, "%s:%d: internal error: reached what cannot happen: %s\n", file, line, what);
  std::fflush(stderr);
  std::abort();
}

}  // namespace bpfc::detail
