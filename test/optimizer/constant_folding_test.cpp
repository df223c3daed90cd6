// constant-folding: operations and branches on constants.
#include <gtest/gtest.h>

#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "constant-folding";

TEST(ConstantFolding, FoldsOperationsOnConstantsInOrder) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 2
  v1 = const 3
  v2 = add v0, v1
  v3 = mul v2, v1
  v4 = shl v3, v1
  v5 = neg v0
  v6 = sub v4, v5
  ret v6
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = const 2
  v1 = const 3
  v2 = const 5
  v3 = const 15
  v4 = const 120
  v5 = const 0xfffffffe
  v6 = const 122
  ret v6
)"));
  EXPECT_EQ(out.counter("operations folded"), 5u);
}

TEST(ConstantFolding, ShiftsByThirtyTwoOrMoreGiveZero) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 1
  v1 = const 32
  v2 = shl v0, v1
  v3 = shr v1, v1
  v4 = or v2, v3
  ret v4
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = const 1
  v1 = const 32
  v2 = const 0
  v3 = const 0
  v4 = const 0
  ret v4
)"));
}

TEST(ConstantFolding, LeavesDivisionByConstantZero) {
  // It ends the filter whatever the packet: not a value to fold.
  const char* text = R"(
b0:
  v0 = const 7
  v1 = const 0
  v2 = div v0, v1
  v3 = mod v0, v1
  ret v3
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
  EXPECT_TRUE(out.counters.empty());
}

TEST(ConstantFolding, FoldsDecidedBranchesAndDropsTheBlocksNoLongerReached) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 1
  v1 = const 2
  br gt v0, v1, b1, b2
b1:
  v2 = load.1 [5]
  jump b2
b2:
  v3 = phi [b0: v0], [b1: v2]
  ret v3
)");
  // The load in b1 never ran on any packet, so dropping it is no change of
  // verdict; the phi has one input left and becomes it.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = const 1
  v1 = const 2
  jump b1
b1:
  ret v0
)"));
  EXPECT_EQ(out.counter("branches folded"), 1u);
  EXPECT_EQ(out.counter("unreachable blocks removed"), 1u);
  EXPECT_EQ(out.counter("phis with a single input replaced"), 1u);
}

TEST(ConstantFolding, FoldsBranchesDecidedWithoutBothConstants) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 0
  v2 = const 0xffffffff
  br set v0, v1, b6, b1
b1:
  br ge v0, v1, b2, b6
b2:
  br gt v0, v2, b6, b3
b3:
  br eq v0, v0, b4, b6
b4:
  br gt v1, v0, b6, b5
b5:
  ret v2
b6:
  ret v0
)");
  EXPECT_EQ(out.counter("branches folded"), 5u);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 0
  v2 = const 0xffffffff
  jump b1
b1:
  jump b2
b2:
  jump b3
b3:
  jump b4
b4:
  jump b5
b5:
  ret v2
)"));
}

TEST(ConstantFolding, PhiOfEqualConstantsBecomesAConstantAfterThePhis) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 0
  br eq v0, v1, b1, b2
b1:
  v2 = const 6
  jump b3
b2:
  v3 = const 6
  jump b3
b3:
  v4 = phi [b1: v2], [b2: v3]
  v5 = phi [b1: v0], [b2: v1]
  v6 = add v4, v5
  ret v6
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 0
  br eq v0, v1, b1, b2
b1:
  v2 = const 6
  jump b3
b2:
  v3 = const 6
  jump b3
b3:
  v5 = phi [b1: v0], [b2: v1]
  v4 = const 6
  v6 = add v4, v5
  ret v6
)"));
  EXPECT_EQ(out.counter("phis of equal constants folded"), 1u);
}

TEST(ConstantFolding, IndexedLoadsAtAConstantIndexBecomeAbsolute) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 14
  v1 = load.2 [v0 + 2]
  v2 = const 0xfffffffe
  v3 = load.1 [v2 + 4]
  ret v1
)");
  // 0xfffffffe + 4 does not wrap: that load always fails and stays indexed.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = const 14
  v1 = load.2 [16]
  v2 = const 0xfffffffe
  v3 = load.1 [v2 + 4]
  ret v1
)"));
  EXPECT_EQ(out.counter("indexed loads at a constant index made absolute"), 1u);
}

TEST(ConstantFolding, PropagatesThroughChainsAcrossBlocks) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 4
  v1 = load.1 [0]
  br eq v1, v0, b1, b2
b1:
  v2 = shl v0, v0
  v3 = add v2, v0
  ret v3
b2:
  v4 = sub v0, v0
  br eq v4, v1, b3, b4
b3:
  ret v4
b4:
  ret v1
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = const 4
  v1 = load.1 [0]
  br eq v1, v0, b1, b2
b1:
  v2 = const 0x40
  v3 = const 0x44
  ret v3
b2:
  v4 = const 0
  br eq v4, v1, b3, b4
b3:
  ret v4
b4:
  ret v1
)"));
}

TEST(ConstantFolding, ReportsNoChangeOnFunctionsWithNothingToFold) {
  const char* text = R"(
b0:
  v0 = load.2 [12]
  v1 = const 0x800
  br eq v0, v1, b1, b2
b1:
  v2 = const 0x40000
  ret v2
b2:
  v3 = const 0
  ret v3
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
}

}  // namespace
}  // namespace bpfc::opttest
