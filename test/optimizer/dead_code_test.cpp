// dead-code: unused pure values and unreachable blocks go; loads, and
// divisions that may divide by zero, stay because they can end the filter.
#include <gtest/gtest.h>

#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "dead-code";

TEST(DeadCode, RemovesUnusedPureValues) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 1
  v1 = len
  v2 = add v1, v0
  v3 = neg v2
  v4 = const 4
  v5 = div v1, v4
  v6 = const 0x40000
  ret v6
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v6 = const 0x40000
  ret v6
)"));
  EXPECT_EQ(out.counter("unused values removed"), 6u);
}

TEST(DeadCode, KeepsUnusedLoadsBecauseTheyCanEndTheFilter) {
  const char* text = R"(
b0:
  v0 = load.1 [20]
  v1 = const 2
  v2 = load.2 [v1 + 30]
  v3 = const 1
  ret v3
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
}

TEST(DeadCode, KeepsDivisionsThatMayDivideByZero) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 0
  v2 = div v1, v0
  v3 = mod v1, v0
  v4 = div v0, v1
  v5 = const 3
  v6 = mod v0, v5
  ret v5
)");
  // Only the modulus by the constant 3 cannot end the filter.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 0
  v2 = div v1, v0
  v3 = mod v1, v0
  v4 = div v0, v1
  v5 = const 3
  ret v5
)"));
}

TEST(DeadCode, RemovesLoadsThatEarlierLoadsProveInBounds) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.4 [10]
  v1 = load.2 [12]
  v2 = const 0x800
  br eq v0, v2, b1, b2
b1:
  v3 = load.1 [13]
  v4 = load.1 [14]
  jump b3
b2:
  v5 = load.4 [16]
  jump b3
b3:
  v6 = load.2 [18]
  v7 = load.1 [20]
  ret v2
)");
  // [12,14) and [13] lie within [10,14), loaded on the way. [18,20) does
  // not: the path through b1 has only loaded up to byte 14 when it reaches
  // b3. [20] is past every earlier load.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.4 [10]
  v2 = const 0x800
  br eq v0, v2, b1, b2
b1:
  v4 = load.1 [14]
  jump b3
b2:
  v5 = load.4 [16]
  jump b3
b3:
  v6 = load.2 [18]
  v7 = load.1 [20]
  ret v2
)"));
  EXPECT_EQ(out.counter("unused loads removed (in bounds on every path)"), 2u);
}

TEST(DeadCode, AnIndexedLoadThatSucceededCoversItsOffset) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [14]
  v1 = load.2 [v0 + 30]
  v2 = load.4 [28]
  v3 = load.4 [29]
  ret v1
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [14]
  v1 = load.2 [v0 + 30]
  v3 = load.4 [29]
  ret v1
)"));
}

TEST(DeadCode, RemovesUnusedPhisAndWhatOnlyTheyUsed) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  v2 = const 5
  jump b3
b2:
  v3 = add v0, v1
  jump b3
b3:
  v4 = phi [b1: v2], [b2: v3]
  ret v1
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  jump b3
b2:
  jump b3
b3:
  ret v1
)"));
}

TEST(DeadCode, RemovesUnreachableBlocks) {
  // Not well formed (b1 is unreachable): passes may meet this after their
  // own edits; the dead-code pass cleans it up.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  jump b2
b1:
  v1 = load.1 [1]
  jump b2
b2:
  v2 = phi [b0: v0], [b1: v1]
  ret v2
)", /*input_must_verify=*/false);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  jump b1
b1:
  v2 = phi [b0: v0]
  ret v2
)"));
  EXPECT_EQ(out.counter("unreachable blocks removed"), 1u);
}

}  // namespace
}  // namespace bpfc::opttest
