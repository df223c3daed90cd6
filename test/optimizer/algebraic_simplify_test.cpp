// algebraic-simplify: identities, reassociation, strength reduction,
// canonical operand order and known-zero bits.
#include <string>

#include <gtest/gtest.h>

#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "algebraic-simplify";

struct OneOperation {
  const char* operation;  // on v0 (a 32-bit load) and v1 (the constant k)
  uint32_t k;
  const char* result;     // "x": v0 itself; otherwise the constant it folds to
};

// `v2 = <operation>` on v0 = load.4 [0] and v1 = const k, returned.
std::string one_operation(const OneOperation& c) {
  return "b0:\n  v0 = load.4 [0]\n  v1 = const " + std::to_string(c.k) + "\n  v2 = " + c.operation +
         "\n  ret v2\n";
}

TEST(AlgebraicSimplify, RemovesIdentities) {
  const OneOperation cases[] = {
      {"add v0, v1", 0, "x"},          {"add v1, v0", 0, "x"},   {"sub v0, v1", 0, "x"},
      {"and v0, v1", 0xffffffff, "x"}, {"mul v0, v1", 1, "x"},   {"mul v1, v0", 1, "x"},
      {"div v0, v1", 1, "x"},          {"or v0, v1", 0, "x"},    {"xor v0, v1", 0, "x"},
      {"shl v0, v1", 0, "x"},          {"shr v0, v1", 0, "x"},   {"and v0, v0", 7, "x"},
      {"or v0, v0", 7, "x"},
  };
  for (const OneOperation& c : cases) {
    SCOPED_TRACE(c.operation);
    auto out = run_pass(kPass, one_operation(c));
    EXPECT_TRUE(out.changed);
    EXPECT_EQ(out.ir, normalized("b0:\n  v0 = load.4 [0]\n  v1 = const " + std::to_string(c.k) + "\n  ret v0\n"));
    EXPECT_EQ(out.counter("identities removed (x+0, x*1, x&0xffffffff, ...)") +
                  out.counter("x&x and x|x replaced by x"),
              1u);
  }
}

TEST(AlgebraicSimplify, FoldsAbsorbingConstantsAndSelfOperations) {
  const OneOperation cases[] = {
      {"and v0, v1", 0, "0"},  {"and v1, v0", 0, "0"},           {"mul v0, v1", 0, "0"},
      {"mod v0, v1", 1, "0"},  {"or v0, v1", 0xffffffff, "0xffffffff"},
      {"sub v0, v0", 0, "0"},  {"xor v0, v0", 0, "0"},           {"shl v0, v1", 32, "0"},
      {"shr v0, v1", 40, "0"}, {"shl v1, v0", 0, "0"},           {"shr v1, v0", 0, "0"},
  };
  for (const OneOperation& c : cases) {
    SCOPED_TRACE(c.operation);
    auto out = run_pass(kPass, one_operation(c));
    EXPECT_TRUE(out.changed);
    EXPECT_EQ(out.ir, normalized("b0:\n  v0 = load.4 [0]\n  v1 = const " + std::to_string(c.k) +
                                 "\n  v2 = const " + c.result + "\n  ret v2\n"));
  }
}

TEST(AlgebraicSimplify, LeavesDivisionsThatMayEndTheFilter) {
  for (const char* text : {"b0:\n  v0 = load.4 [0]\n  v1 = const 0\n  v2 = div v0, v1\n  ret v1\n",
                           "b0:\n  v0 = load.4 [0]\n  v1 = const 5\n  v2 = mod v1, v0\n  ret v2\n"}) {
    auto out = run_pass(kPass, text);
    EXPECT_FALSE(out.changed);
    EXPECT_EQ(out.ir, normalized(text));
  }
}

TEST(AlgebraicSimplify, CombinesConstantOperands) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.4 [0]
  v1 = const 0xff00
  v2 = const 0x0ff0
  v3 = and v0, v1
  v4 = and v3, v2
  v5 = const 10
  v6 = const 3
  v7 = add v0, v5
  v8 = sub v7, v6
  v9 = shl v0, v6
  v10 = shl v9, v6
  v11 = add v4, v8
  v12 = add v11, v10
  ret v12
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.4 [0]
  v1 = const 0xff00
  v2 = const 0x0ff0
  v3 = and v0, v1
  v13 = const 0x0f00
  v4 = and v0, v13
  v5 = const 10
  v6 = const 3
  v7 = add v0, v5
  v14 = const 7
  v8 = add v0, v14
  v9 = shl v0, v6
  v15 = const 6
  v10 = shl v0, v15
  v11 = add v4, v8
  v12 = add v11, v10
  ret v12
)"));
  EXPECT_EQ(out.counter("constant operands combined ((x&a)&b, ...)"), 3u);
}

TEST(AlgebraicSimplify, ShiftsThatAddUpToThirtyTwoGiveZero) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.4 [0]
  v1 = const 20
  v2 = shr v0, v1
  v3 = shr v2, v1
  ret v3
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.4 [0]
  v1 = const 20
  v2 = shr v0, v1
  v3 = const 0
  ret v3
)"));
}

TEST(AlgebraicSimplify, MakesPowersOfTwoShiftsAndMasks) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.4 [0]
  v1 = const 8
  v2 = mul v0, v1
  v3 = div v2, v1
  v4 = mod v3, v1
  v5 = const 0
  v6 = div v0, v5
  ret v4
)");
  // The division by zero ends the filter: it stays.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.4 [0]
  v1 = const 8
  v7 = const 3
  v2 = shl v0, v7
  v8 = const 3
  v3 = shr v2, v8
  v9 = const 7
  v4 = and v3, v9
  v5 = const 0
  v6 = div v0, v5
  ret v4
)"));
}

TEST(AlgebraicSimplify, KnownZeroBitsDecideMasks) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 0xff
  v2 = and v0, v1
  v3 = const 0xff00
  v4 = and v0, v3
  v5 = load.2 [2]
  v6 = const 0xf
  v7 = and v5, v6
  v8 = const 2
  v9 = shl v7, v8
  v10 = const 0x3c
  v11 = and v9, v10
  v12 = add v2, v4
  v13 = add v12, v11
  ret v13
)");
  // ip[0] & 0xff is ip[0]; ip[0] & 0xff00 is 0 (and adding it is an
  // identity); (x & 0xf) << 2 keeps only bits 2..5, so & 0x3c changes nothing.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 0xff
  v3 = const 0xff00
  v4 = const 0
  v5 = load.2 [2]
  v6 = const 0xf
  v7 = and v5, v6
  v8 = const 2
  v9 = shl v7, v8
  v10 = const 0x3c
  v13 = add v0, v9
  ret v13
)"));
}

TEST(AlgebraicSimplify, PutsConstantsOnTheRightOfBranches) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.4 [0]
  v1 = const 5
  br gt v1, v0, b1, b2
b1:
  ret v1
b2:
  br ge v1, v0, b3, b4
b3:
  ret v0
b4:
  br eq v1, v0, b5, b6
b5:
  ret v1
b6:
  ret v0
)");
  // 5 > x is !(x >= 5); 5 >= x is !(x > 5).
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.4 [0]
  v1 = const 5
  br ge v0, v1, b2, b1
b1:
  ret v1
b2:
  br gt v0, v1, b4, b3
b3:
  ret v0
b4:
  br eq v0, v1, b5, b6
b5:
  ret v1
b6:
  ret v0
)"));
}

TEST(AlgebraicSimplify, FoldsBranchesKnownZeroBitsDecide) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 0x100
  br eq v0, v1, b4, b1
b1:
  v2 = const 0xff
  br gt v0, v2, b4, b2
b2:
  v3 = const 0x300
  br set v0, v3, b4, b3
b3:
  ret v0
b4:
  ret v1
)");
  EXPECT_EQ(out.counter("branches decided by known-zero bits"), 3u);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 0x100
  jump b1
b1:
  v2 = const 0xff
  jump b2
b2:
  v3 = const 0x300
  jump b3
b3:
  ret v0
)"));
}

TEST(AlgebraicSimplify, MaskedComparisonsWithZeroBecomeBitTests) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.2 [20]
  v1 = const 0x1fff
  v2 = and v0, v1
  v3 = const 0
  br eq v2, v3, b1, b2
b1:
  ret v0
b2:
  v4 = load.1 [30]
  v5 = const 0x12
  v6 = and v4, v5
  v7 = const 0x2
  br set v6, v7, b3, b4
b3:
  ret v4
b4:
  ret v3
)");
  // x & m == 0 is "not x & m"; (x & 0x12) & 2 is x & 2.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.2 [20]
  v1 = const 0x1fff
  v2 = and v0, v1
  v3 = const 0
  br set v0, v1, b2, b1
b1:
  ret v0
b2:
  v4 = load.1 [30]
  v5 = const 0x12
  v6 = and v4, v5
  v7 = const 0x2
  v8 = const 0x2
  br set v4, v8, b3, b4
b3:
  ret v4
b4:
  ret v3
)"));
}

TEST(AlgebraicSimplify, KeepsAMaskThatHasOtherUses) {
  const char* text = R"(
b0:
  v0 = load.2 [20]
  v1 = const 0x1fff
  v2 = and v0, v1
  v3 = const 0
  br eq v2, v3, b1, b2
b1:
  ret v2
b2:
  ret v3
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
}

TEST(AlgebraicSimplify, UsesKnownBitsThroughPhis) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  v2 = load.1 [1]
  jump b3
b2:
  v3 = load.2 [2]
  v4 = const 0xff
  v5 = and v3, v4
  jump b3
b3:
  v6 = phi [b1: v2], [b2: v5]
  v7 = const 0xff
  v8 = and v6, v7
  ret v8
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  v2 = load.1 [1]
  jump b3
b2:
  v3 = load.2 [2]
  v4 = const 0xff
  v5 = and v3, v4
  jump b3
b3:
  v6 = phi [b1: v2], [b2: v5]
  v7 = const 0xff
  ret v6
)"));
}

}  // namespace
}  // namespace bpfc::opttest
