// BPFC_UNREACHABLE ends the process in every build type, naming where and
// what was assumed, rather than letting a default answer through.
#include <gtest/gtest.h>

#include "bpfc/support/unreachable.h"

namespace bpfc {
namespace {

int kind_code(int kind) {
  switch (kind) {
    case 0: return 10;
    case 1: return 11;
  }
  BPFC_UNREACHABLE("a kind of no known value");
}

TEST(UnreachableDeathTest, AbortsWithFileLineAndReason) {
  EXPECT_EQ(kind_code(1), 11);
  EXPECT_DEATH(kind_code(7), "unreachable_test\\.cpp:[0-9]+: internal error: .*a kind of no known value");
}

}  // namespace
}  // namespace bpfc
