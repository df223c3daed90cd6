// edge-facts: tests decided by what dominating edges (or all incoming edges)
// tell, folded; edges whose branch outcome is known threaded past a block
// without effects; never a fact used where its edge does not dominate.
#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "pass_equivalence_check.h"
#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "edge-facts";

TEST(EdgeFacts, FoldsARepeatedEqualityOnBothEdges) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.2 [12]
  v1 = const 0x800
  v9 = const 0
  v10 = const 1
  br eq v0, v1, b1, b3
b1:
  br eq v0, v1, b2, b5
b2:
  ret v10
b3:
  br eq v0, v1, b4, b5
b4:
  ret v10
b5:
  ret v9
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.2 [12]
  v1 = const 0x800
  v9 = const 0
  v10 = const 1
  br eq v0, v1, b1, b3
b1:
  jump b2
b2:
  ret v10
b3:
  jump b4
b4:
  ret v9
)"));
  EXPECT_EQ(out.counter("branches folded"), 2u);
}

TEST(EdgeFacts, UsesRangesFromGreaterThanTests) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 100
  v2 = const 50
  v3 = const 10
  v4 = const 0
  br gt v0, v1, b1, b2
b1:
  br ge v0, v2, b4, b5
b2:
  br ge v0, v3, b5, b3
b3:
  br gt v0, v2, b5, b4
b4:
  ret v1
b5:
  ret v4
)");
  EXPECT_EQ(out.counter("branches folded"), 2u);  // v > 100 => v >= 50;  v < 10 => !(v > 50)
  EXPECT_NE(out.ir.find("b1:\n  jump b"), std::string::npos) << out.ir;
}

TEST(EdgeFacts, UsesKnownBitsFromSetTests) {
  // A clear fragment offset (ip[6:2] & 0x1fff == 0) decides a later test of
  // the same bits through a mask.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.2 [20]
  v1 = const 0x1fff
  v2 = const 0
  v3 = const 0x40000
  v4 = const 0x4
  br set v0, v1, b3, b1
b1:
  v5 = and v0, v1
  br eq v5, v2, b2, b3
b2:
  br set v0, v4, b3, b4
b3:
  ret v2
b4:
  ret v3
)");
  EXPECT_EQ(out.counter("branches folded"), 2u);
  EXPECT_EQ(out.ir.find("br "), out.ir.find("br set v0, v1, b3, b1")) << out.ir;
}

TEST(EdgeFacts, JoinsWhatAllIncomingEdgesAgreeOn) {
  // b3 is entered with v0 == 1 or v0 == 2: so v0 <= 5 there.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  v2 = const 2
  v5 = const 5
  v9 = const 0
  br eq v0, v1, b3, b1
b1:
  br eq v0, v2, b3, b2
b2:
  ret v9
b3:
  v6 = load.1 [1]
  br gt v0, v5, b4, b5
b4:
  ret v1
b5:
  ret v6
)");
  // (b3 loads, so the edges cannot skip it: the join decides its test.)
  EXPECT_EQ(out.counter("branches folded"), 1u);
  EXPECT_EQ(out.counter("jumps threaded"), 0u);
  EXPECT_NE(out.ir.find("v6 = load.1 [1]\n  jump"), std::string::npos) << out.ir;
}

TEST(EdgeFacts, DoesNotUseAFactWhereItsEdgeDoesNotDominate) {
  // b2 is reached both from b1 (where v0 == 6) and straight from b0's false
  // edge: its test is not decided.
  const char* text = R"(
b0:
  v0 = load.1 [23]
  v1 = const 6
  v2 = load.1 [0]
  v3 = const 0
  br eq v2, v3, b1, b2
b1:
  br eq v0, v1, b2, b4
b2:
  br eq v0, v1, b3, b4
b3:
  ret v1
b4:
  ret v3
)";
  auto out = run_pass(kPass, text);
  EXPECT_EQ(out.counter("branches folded"), 0u);
  EXPECT_NE(out.ir.find("b2:\n  br eq v0, v1"), std::string::npos) << out.ir;
}

TEST(EdgeFacts, DoesNotJoinWhenAnEdgeKnowsNothing) {
  const char* text = R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  v5 = const 5
  v9 = const 0
  v6 = load.1 [1]
  br eq v6, v1, b1, b2
b1:
  br eq v0, v1, b3, b4
b2:
  jump b3
b3:
  br gt v0, v5, b4, b5
b4:
  ret v1
b5:
  ret v9
)";
  auto out = run_pass(kPass, text);
  EXPECT_EQ(out.counter("branches folded"), 0u);
}

TEST(EdgeFacts, ThreadsAnEdgeWhoseOutcomeIsKnownPastAnEmptyTest) {
  // Along b1 -> b3, v0 == 6 is known: b1 goes straight to b4; b2's edge,
  // which knows nothing, still goes through b3's test.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [23]
  v1 = const 6
  v2 = load.1 [0]
  v3 = const 0
  br eq v2, v3, b1, b2
b1:
  br eq v0, v1, b3, b5
b2:
  v7 = load.1 [1]
  br eq v7, v3, b3, b5
b3:
  br eq v0, v1, b4, b5
b4:
  ret v1
b5:
  ret v3
)");
  EXPECT_EQ(out.counter("jumps threaded"), 1u);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v0 = load.1 [23]
  v1 = const 6
  v2 = load.1 [0]
  v3 = const 0
  br eq v2, v3, b1, b2
b1:
  br eq v0, v1, b4, b5
b2:
  v7 = load.1 [1]
  br eq v7, v3, b3, b5
b3:
  br eq v0, v1, b4, b5
b4:
  ret v1
b5:
  ret v3
)"));
}

TEST(EdgeFacts, ThreadsThroughAPhiOfConstantsAndKeepsTheTargetsPhis) {
  // b3 tests a phi that is the constant 1 on the edge from b1: that edge
  // goes straight to b4, whose phi then takes b1's value for b3's phi.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  v2 = const 2
  br eq v0, v1, b1, b2
b1:
  jump b3
b2:
  v3 = load.1 [1]
  jump b3
b3:
  v4 = phi [b1: v1], [b2: v3]
  v5 = phi [b1: v2], [b2: v0]
  br eq v4, v1, b4, b5
b4:
  v6 = phi [b3: v5]
  ret v6
b5:
  ret v0
)");
  EXPECT_EQ(out.counter("jumps threaded"), 1u);
  EXPECT_NE(out.ir.find("b1:\n  jump b4"), std::string::npos) << out.ir;
  EXPECT_NE(out.ir.find("v6 = phi [b1: v2], [b3: v5]"), std::string::npos) << out.ir;
}

TEST(EdgeFacts, DoesNotThreadPastALoadOrAValueUsedLater) {
  // b3 loads (the load may end the filter on the threaded path) ...
  const char* with_load = R"(
b0:
  v0 = load.1 [23]
  v1 = const 6
  v2 = load.1 [0]
  v3 = const 0
  br eq v2, v3, b1, b2
b1:
  br eq v0, v1, b3, b5
b2:
  jump b3
b3:
  v8 = load.1 [60]
  br eq v0, v1, b4, b5
b4:
  ret v1
b5:
  ret v3
)";
  auto out = run_pass(kPass, with_load);
  EXPECT_EQ(out.counter("jumps threaded"), 0u);
  // ... or computes a value that a later block reads.
  const char* with_value = R"(
b0:
  v0 = load.1 [23]
  v1 = const 6
  v2 = load.1 [0]
  v3 = const 0
  br eq v2, v3, b1, b2
b1:
  br eq v0, v1, b3, b5
b2:
  jump b3
b3:
  v8 = add v0, v1
  br eq v0, v1, b4, b5
b4:
  ret v8
b5:
  ret v3
)";
  out = run_pass(kPass, with_value);
  EXPECT_EQ(out.counter("jumps threaded"), 0u);
}

TEST(EdgeFacts, LeavesUndecidedTestsAlone) {
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  v2 = const 2
  br eq v0, v1, b1, b2
b1:
  ret v1
b2:
  br eq v0, v2, b3, b4
b3:
  ret v2
b4:
  ret v0
)");
  EXPECT_FALSE(out.changed);
  EXPECT_TRUE(out.counters.empty());
}

// Random filter-shaped IR: branches on a few loaded fields, masks and phis of
// constants, against a few constants, so that tests repeat and decide each
// other, with blocks that have no effects (threading candidates).
ir::Function random_filter(std::mt19937& rng) {
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  static constexpr uint32_t kConstants[] = {0, 1, 2, 3, 4, 6, 0x11, 0x80, 0xff, 0x1fff};
  static constexpr ir::Cond kConds[] = {ir::Cond::Eq, ir::Cond::Gt, ir::Cond::Ge, ir::Cond::Set};
  ir::Function f;
  ir::Builder b(f);
  const uint32_t n = 4 + pick(16);
  for (uint32_t i = 0; i < n; ++i) b.new_block();
  // Edges first (forward, every block reachable), then dominators.
  std::vector<std::vector<ir::BlockId>> preds(n);
  std::vector<std::pair<ir::BlockId, ir::BlockId>> targets(n, {ir::kNoBlock, ir::kNoBlock});
  for (ir::BlockId blk = 0; blk + 2 < n; ++blk) {
    auto ahead = [&] { return blk + 1 + pick(std::min<uint32_t>(n - blk - 1, 4)); };
    ir::BlockId t = preds[blk + 1].empty() ? blk + 1 : ahead();
    ir::BlockId e = ahead();
    if (pick(5) == 0 && !preds[blk + 1].empty()) continue;  // returns
    targets[blk] = {t, e};
    for (ir::BlockId s : {t, e}) {
      if (std::find(preds[s].begin(), preds[s].end(), blk) == preds[s].end()) preds[s].push_back(blk);
    }
  }
  if (preds[n - 1].empty()) {
    targets[n - 2] = {n - 1, n - 1};
    preds[n - 1].push_back(n - 2);
  }
  for (auto& p : preds) std::sort(p.begin(), p.end());
  std::vector<ir::BlockId> idom(n, ir::kNoBlock);
  for (ir::BlockId blk = 1; blk < n; ++blk) {
    ir::BlockId common = ir::kNoBlock;
    for (ir::BlockId p : preds[blk]) {
      if (common == ir::kNoBlock) { common = p; continue; }
      ir::BlockId x = p;
      while (x != common) { if (x > common) x = idom[x]; else common = idom[common]; }
    }
    idom[blk] = common;
  }
  std::vector<std::vector<ir::ValueId>> tested(n);  // testable values defined in each block
  for (ir::BlockId blk = 0; blk < n; ++blk) {
    b.set_block(blk);
    std::vector<ir::ValueId> available;
    for (ir::BlockId d = idom[blk]; d != ir::kNoBlock; d = idom[d]) {
      available.insert(available.end(), tested[d].begin(), tested[d].end());
    }
    if (preds[blk].size() >= 2 && pick(2) == 0) {
      std::vector<ir::PhiIncoming> incoming;
      for (ir::BlockId p : preds[blk]) {
        b.set_block(p);
        incoming.push_back({p, b.constant(kConstants[pick(std::size(kConstants))])});
      }
      b.set_block(blk);
      tested[blk].push_back(b.phi(std::move(incoming)));
    }
    const bool pure = pick(3) == 0;
    if (!pure || available.empty()) {
      ir::ValueId field = b.load(static_cast<uint8_t>(1u << pick(2)), ir::kNoValue, pick(6));
      tested[blk].push_back(field);
      if (pick(3) == 0) tested[blk].push_back(b.binary(ir::Op::And, field, b.constant(0x1f)));
    }
    available.insert(available.end(), tested[blk].begin(), tested[blk].end());
    auto [t, e] = targets[blk];
    if (t == ir::kNoBlock) {
      b.ret(pick(4) == 0 ? available[pick(static_cast<uint32_t>(available.size()))] : b.constant(pick(2) * 0x40000));
      continue;
    }
    ir::ValueId lhs = available[pick(static_cast<uint32_t>(available.size()))];
    ir::ValueId rhs = b.constant(kConstants[pick(std::size(kConstants))]);
    if (pick(6) == 0) std::swap(lhs, rhs);
    b.branch(kConds[pick(4)], lhs, rhs, t, e);
  }
  return f;
}

TEST(EdgeFacts, KeepsVerdictsOnRandomFilters) {
  const PassUnderTest pass = registered_pass(kPass);
  std::mt19937 rng(434);
  int changed = 0;
  for (int i = 0; i < 3000; ++i) {
    ir::Function f = random_filter(rng);
    if (auto problem = ir::verify(f)) FAIL() << "generator made malformed IR: " << *problem << "\n" << ir::print(f);
    std::vector<std::vector<uint8_t>> packets;
    for (int j = 0; j < 64; ++j) {
      std::vector<uint8_t> p(rng() % 9);
      for (uint8_t& byte : p) byte = static_cast<uint8_t>(std::array<uint32_t, 8>{0, 1, 2, 3, 4, 6, 0x11, 0xff}[rng() % 8]);
      packets.push_back(std::move(p));
    }
    ir::Function copy = f;
    opt::PassCounters counters;
    if (pass(copy, counters)) ++changed;
    if (!pass_keeps_verdicts(pass, f, packets, "random filter " + std::to_string(i))) return;
  }
  EXPECT_GT(changed, 300) << "the generator should give the pass work";
}

TEST(EdgeFacts, KeepsVerdictsOnRandomIr) {
  check_on_random_ir(registered_pass(kPass), 1513, 1500);
  testing::RandomIrShape narrow;
  narrow.max_blocks = 24;
  narrow.max_offset = 6;
  check_on_random_ir(registered_pass(kPass), 1670, 800, narrow);
}

TEST(EdgeFacts, KeepsVerdictsOnLoweredFilters) { check_on_lowered_filters(registered_pass(kPass)); }

TEST(EdgeFacts, KeepsVerdictsAfterValueNumbering) {
  // Value numbering makes reloads one value, which is what gives edge facts
  // their repeated tests in lowered filters.
  const PassUnderTest both = [](ir::Function& f, opt::PassCounters& counters) {
    bool changed = registered_pass("value-numbering")(f, counters);
    return registered_pass(kPass)(f, counters) || changed;
  };
  check_on_lowered_filters(both);
  std::mt19937 rng(1699);
  testing::RandomIrShape narrow;
  narrow.max_offset = 6;
  check_on_random_ir(both, 1699, 800, narrow);
}

}  // namespace
}  // namespace bpfc::opttest
