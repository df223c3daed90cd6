// value-numbering: repeated computations and dominated identical loads reuse
// the dominating value; loads are never merged across sibling paths or
// reused where no identical load dominates them.
#include <gtest/gtest.h>

#include "pass_equivalence_check.h"
#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "value-numbering";

TEST(ValueNumbering, ReusesARepeatedComputationInTheSameBlock) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 0xf
  v1 = load.1 [14]
  v2 = and v1, v0
  v3 = and v0, v1
  v4 = add v2, v3
  ret v4
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = const 0xf
  v1 = load.1 [14]
  v2 = and v1, v0
  v4 = add v2, v2
  ret v4
)"));
  EXPECT_EQ(out.counter("computations reused"), 1u);
}

// libpcap issue #110: the same field reloaded on a path that already loaded it.
TEST(ValueNumbering, ReusesALoadThatAnIdenticalLoadDominates) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.2 [12]
  v1 = const 0x800
  br eq v0, v1, b1, b2
b1:
  v2 = load.2 [12]
  v3 = const 0x86dd
  br eq v2, v3, b2, b3
b2:
  v4 = const 0
  ret v4
b3:
  v5 = load.2 [12]
  ret v5
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v1 = const 0x800
  v3 = const 0x86dd
  v4 = const 0
  v0 = load.2 [12]
  br eq v0, v1, b1, b2
b1:
  br eq v0, v3, b2, b3
b2:
  ret v4
b3:
  ret v0
)"));
  EXPECT_EQ(out.counter("loads reused"), 2u);
}

TEST(ValueNumbering, ReusesIndexedLoadsWithTheSameIndexValueAndOffset) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [14]
  v1 = const 0xf
  v2 = and v0, v1
  v3 = const 2
  v4 = shl v2, v3
  v5 = load.2 [v4 + 14]
  v6 = load.1 [14]
  v7 = and v6, v1
  v8 = shl v7, v3
  v9 = load.2 [v8 + 14]
  v10 = load.2 [v8 + 16]
  v11 = load.1 [v8 + 14]
  v12 = add v9, v10
  v13 = add v12, v11
  v14 = add v13, v5
  ret v14
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [14]
  v1 = const 0xf
  v2 = and v0, v1
  v3 = const 2
  v4 = shl v2, v3
  v5 = load.2 [v4 + 14]
  v10 = load.2 [v4 + 16]
  v11 = load.1 [v4 + 14]
  v12 = add v5, v10
  v13 = add v12, v11
  v14 = add v13, v5
  ret v14
)"));
  EXPECT_EQ(out.counter("loads reused"), 2u);
  EXPECT_EQ(out.counter("computations reused"), 2u);
}

TEST(ValueNumbering, DoesNotMergeLoadsOnSiblingPaths) {
  // b1 and b2 both load [20]; neither dominates the other, and b3's load is
  // dominated by neither: all three must stay (a short packet that takes b2
  // and never reads [20] on b1 must still end at b2's load).
  const char* text = R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  v2 = load.2 [20]
  br eq v2, v1, b3, b4
b2:
  v3 = load.2 [20]
  br eq v3, v1, b3, b4
b3:
  v4 = load.2 [20]
  ret v4
b4:
  v5 = const 0
  ret v5
)";
  auto out = run_pass(kPass, text);
  EXPECT_EQ(out.counter("loads reused"), 0u);
  EXPECT_NE(out.ir.find("v2 = load.2 [20]"), std::string::npos);
  EXPECT_NE(out.ir.find("v3 = load.2 [20]"), std::string::npos);
  EXPECT_NE(out.ir.find("v4 = load.2 [20]"), std::string::npos);
}

TEST(ValueNumbering, KeepsALoadThatOnlyOnePathPerformedBefore) {
  // The merge block's load is identical to b1's, but b1 does not dominate it:
  // on the path b0 -> b2 it is the first read of [30] and may end the filter.
  const char* text = R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  v2 = load.4 [30]
  jump b2
b2:
  v3 = load.4 [30]
  ret v3
)";
  auto out = run_pass(kPass, text);
  EXPECT_EQ(out.counter("loads reused"), 0u);
  EXPECT_NE(out.ir.find("v3 = load.4 [30]"), std::string::npos);
}

TEST(ValueNumbering, DoesNotMergeLoadsOfOtherSizesOffsetsOrIndexes) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [14]
  v1 = load.2 [14]
  v2 = load.1 [15]
  v3 = load.1 [v0 + 14]
  v4 = load.1 [v1 + 14]
  v5 = add v0, v1
  v6 = add v5, v2
  v7 = add v6, v3
  v8 = add v7, v4
  ret v8
)");
  EXPECT_FALSE(out.changed);
}

TEST(ValueNumbering, DoesNotMergeNonCommutativeOperandsSwapped) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = load.1 [1]
  v2 = sub v0, v1
  v3 = sub v1, v0
  v4 = shl v0, v1
  v5 = shl v1, v0
  v6 = add v2, v3
  v7 = add v4, v5
  v8 = xor v6, v7
  ret v8
)");
  EXPECT_FALSE(out.changed);
}

TEST(ValueNumbering, UnifiesEqualConstantsInTheEntryBlock) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 6
  br eq v0, v1, b1, b2
b1:
  v2 = const 0x40000
  ret v2
b2:
  v3 = const 6
  v4 = load.1 [v3 + 0]
  v5 = const 0x40000
  br eq v4, v3, b3, b4
b3:
  ret v5
b4:
  v6 = const 0
  ret v6
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v1 = const 6
  v2 = const 0x40000
  v6 = const 0
  v0 = load.1 [0]
  br eq v0, v1, b1, b2
b1:
  ret v2
b2:
  v4 = load.1 [v1 + 0]
  br eq v4, v1, b3, b4
b3:
  ret v2
b4:
  ret v6
)"));
  EXPECT_EQ(out.counter("constants unified"), 2u);
}

TEST(ValueNumbering, ReplacesPhisOfOneValueAndMergesIdenticalPhis) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  v9 = const 14
  br eq v0, v1, b1, b2
b1:
  v2 = load.1 [1]
  jump b3
b2:
  v3 = load.1 [2]
  jump b3
b3:
  v4 = phi [b1: v0], [b2: v0]
  v5 = phi [b1: v2], [b2: v3]
  v6 = phi [b1: v2], [b2: v3]
  v7 = add v5, v6
  v8 = add v7, v4
  ret v8
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  v9 = const 14
  br eq v0, v1, b1, b2
b1:
  v2 = load.1 [1]
  jump b3
b2:
  v3 = load.1 [2]
  jump b3
b3:
  v5 = phi [b1: v2], [b2: v3]
  v7 = add v5, v5
  v8 = add v7, v0
  ret v8
)"));
  EXPECT_EQ(out.counter("phis removed"), 2u);
}

TEST(ValueNumbering, ReusesADivisionOnlyWhereItIsDominated) {
  // A division by a loaded value can end the filter: like a load, it is
  // reused when dominated, and kept on the other path.
  const char* text = R"(
b0:
  v0 = load.1 [0]
  v1 = load.1 [1]
  v2 = const 3
  br gt v0, v2, b1, b2
b1:
  v3 = div v0, v1
  v4 = div v0, v1
  v5 = add v3, v4
  ret v5
b2:
  v6 = div v0, v1
  ret v6
)";
  auto out = run_pass(kPass, text);
  EXPECT_EQ(out.counter("computations reused"), 1u);
  EXPECT_NE(out.ir.find("v6 = div v0, v1"), std::string::npos);
}

TEST(ValueNumbering, LeavesAFunctionWithNothingToShareUnchanged) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 0
  v1 = load.2 [12]
  br eq v1, v0, b1, b2
b1:
  ret v1
b2:
  ret v0
)");
  EXPECT_FALSE(out.changed);
  EXPECT_TRUE(out.counters.empty());
}

TEST(ValueNumbering, KeepsVerdictsOnRandomIr) {
  check_on_random_ir(registered_pass(kPass), 110, 1500);
  testing::RandomIrShape wide;
  wide.max_blocks = 24;
  wide.max_insts_per_block = 10;
  wide.operand_window = 12;
  wide.max_offset = 12;  // few distinct loads: many repeats
  check_on_random_ir(registered_pass(kPass), 111, 800, wide);
}

TEST(ValueNumbering, KeepsVerdictsOnLoweredFilters) { check_on_lowered_filters(registered_pass(kPass)); }

TEST(ValueNumbering, IsIdempotent) {
  const PassUnderTest number = registered_pass(kPass);
  std::mt19937 rng(5);
  testing::RandomIrShape shape;
  shape.max_offset = 10;
  for (int i = 0; i < 300; ++i) {
    ir::Function f = testing::random_function(rng, shape);
    opt::PassCounters counters;
    number(f, counters);
    const std::string once = ir::print(f);
    opt::PassCounters again;
    EXPECT_FALSE(number(f, again)) << once;
    EXPECT_EQ(ir::print(f), once);
  }
}

}  // namespace
}  // namespace bpfc::opttest
