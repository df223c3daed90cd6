// cfg-simplify: block merging, jump threading, branches to one block and
// shared returns.
#include <gtest/gtest.h>

#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "cfg-simplify";

TEST(CfgSimplify, MergesChainsOfBlocksIntoTheirSinglePredecessor) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  jump b1
b1:
  v1 = phi [b0: v0]
  v2 = const 1
  v3 = add v1, v2
  jump b2
b2:
  ret v3
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v2 = const 1
  v3 = add v0, v2
  ret v3
)"));
  EXPECT_EQ(out.counter("blocks merged into their predecessor"), 2u);
}

// A phi that goes with its merged block is detached without its block ids:
// they change when blocks are removed, and a pass that renumbers blocks later
// (tail merging) read the stale ones out of bounds and crashed bpfc on
// 'protochain 1 or protochain 51'.
TEST(CfgSimplify, DetachedPhisKeepNoBlockIds) {
  ir::Function f = parse_ir(R"(
b0:
  v0 = load.1 [0]
  jump b1
b1:
  v1 = phi [b0: v0]
  v2 = const 1
  v3 = add v1, v2
  jump b2
b2:
  v4 = phi [b1: v3]
  ret v4
)");
  const opt::Pass* pass = opt::find_pass(kPass);
  ASSERT_NE(pass, nullptr);
  opt::PassCounters counters;
  ASSERT_TRUE(pass->run(f, counters));
  ASSERT_FALSE(ir::verify(f)) << *ir::verify(f);
  int detached_phis = 0;
  for (const ir::Inst& value : f.values) {
    if (value.block != ir::kNoBlock || value.op != ir::Op::Phi) continue;
    ++detached_phis;
    EXPECT_TRUE(value.incoming.empty()) << "a detached phi still names block " << value.incoming.front().block;
  }
  EXPECT_GT(detached_phis, 0);
}

TEST(CfgSimplify, DoesNotMergeABlockWithSeveralPredecessors) {
  const char* text = R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  v2 = load.1 [1]
  jump b3
b2:
  v3 = load.1 [2]
  jump b3
b3:
  v4 = phi [b1: v2], [b2: v3]
  ret v4
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
}

TEST(CfgSimplify, ThreadsJumpsThroughEmptyBlocks) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b2, b1
b1:
  v2 = load.1 [1]
  br eq v2, v1, b2, b3
b2:
  jump b3
b3:
  v3 = phi [b1: v2], [b2: v1]
  ret v3
)");
  // b0's edge goes straight to b3, which takes b2's input for it. b1's
  // cannot: b3 already has an input from b1, and it differs from b2's.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b3, b1
b1:
  v2 = load.1 [1]
  br eq v2, v1, b2, b3
b2:
  jump b3
b3:
  v3 = phi [b1: v2], [b2: v1], [b0: v1]
  ret v3
)"));
  EXPECT_EQ(out.counter("jumps threaded through empty blocks"), 1u);
}

TEST(CfgSimplify, DoesNotThreadWhenThePhiInputsWouldDisagree) {
  const char* text = R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  jump b2
b2:
  v2 = phi [b0: v0], [b1: v1]
  ret v2
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
}

TEST(CfgSimplify, BranchesWhoseTargetsAgreeBecomeJumps) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  jump b2
b2:
  v2 = phi [b0: v1], [b1: v1]
  ret v2
)");
  // Threading b1 gives a branch to b2 either way (same input): a jump, and
  // then b2 merges into b0.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  ret v1
)"));
  EXPECT_EQ(out.counter("branches to one block made jumps"), 1u);
}

TEST(CfgSimplify, SharesIdenticalReturns) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  v2 = const 0
  ret v2
b2:
  v3 = load.1 [1]
  br eq v3, v1, b3, b4
b3:
  v4 = const 0x40000
  ret v4
b4:
  v5 = const 0
  ret v5
)");
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b3, b1
b1:
  v3 = load.1 [1]
  br eq v3, v1, b2, b3
b2:
  v4 = const 0x40000
  ret v4
b3:
  v5 = const 0
  ret v5
)"));
  EXPECT_EQ(out.counter("edges to identical returns shared"), 1u);
}

TEST(CfgSimplify, ThreadsARepeatedTestToItsKnownOutcome) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 6
  br eq v0, v1, b2, b1
b1:
  v2 = load.1 [1]
  br eq v2, v1, b2, b4
b2:
  br eq v0, v1, b3, b4
b3:
  v3 = const 0x40000
  ret v3
b4:
  v4 = const 0
  ret v4
)");
  // From b0's true edge, b2's test is known to hold: straight to b3. From
  // b1 it is not known, so b2 stays for that edge.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [0]
  v1 = const 6
  br eq v0, v1, b3, b1
b1:
  v2 = load.1 [1]
  br eq v2, v1, b2, b4
b2:
  br eq v0, v1, b3, b4
b3:
  v3 = const 0x40000
  ret v3
b4:
  v4 = const 0
  ret v4
)"));
  EXPECT_EQ(out.counter("repeated tests threaded"), 1u);
}

}  // namespace
}  // namespace bpfc::opttest
