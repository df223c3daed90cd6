// load-fusion: two equality tests of neighbouring bytes (a test that no
// masked bit is set among them) that must both hold become one test of a
// wider load, when that cannot change a verdict (the
// first test fails to `ret 0`, or both loads already ran).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "pass_equivalence_check.h"
#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "load-fusion";

// `iso proto \isis` after the other passes.
constexpr const char* kIsoIsis = R"(
b0:
  v0 = const 0
  v2 = const 0x5dc
  v4 = const 0xfefe
  v6 = const 0x83
  v7 = const 0x40000
  v1 = load.2 [12]
  br gt v1, v2, b4, b1
b1:
  v3 = load.2 [14]
  br eq v3, v4, b2, b4
b2:
  v5 = load.1 [17]
  br eq v5, v6, b3, b4
b3:
  ret v7
b4:
  ret v0
)";

TEST(LoadFusion, AHalfWordAndAByteBecomeAMaskedWord) {
  auto out = run_pass(kPass, kIsoIsis);
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.counter("byte tests fused"), 1u);
  // Byte 16, between the two, is read and masked out. New constants go to
  // the entry block, where value numbering keeps constants.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v8 = const 0xffff00ff
  v10 = const 0xfefe0083
  v0 = const 0
  v2 = const 0x5dc
  v4 = const 0xfefe
  v6 = const 0x83
  v7 = const 0x40000
  v1 = load.2 [12]
  br gt v1, v2, b3, b1
b1:
  v3 = load.4 [14]
  v9 = and v3, v8
  br eq v9, v10, b2, b3
b2:
  ret v7
b3:
  ret v0
)"));
}

TEST(LoadFusion, ATestThatNoMaskedBitIsSetCountsAsEqualityWithZero) {
  // IPv4's protocol and fragment tests as `tcp port 80` lowers them: the
  // fragment test branches to the rejecting block when a bit is set.
  auto out = run_pass(kPass, R"(
b0:
  v0 = const 0
  v1 = const 6
  v2 = const 0x1fff
  v3 = const 0x40000
  v4 = load.1 [23]
  br eq v4, v1, b1, b2
b1:
  v5 = load.2 [20]
  br set v5, v2, b2, b3
b2:
  ret v0
b3:
  ret v3
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.counter("byte tests fused"), 1u);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v6 = const 0x1fff00ff
  v0 = const 0
  v1 = const 6
  v2 = const 0x1fff
  v3 = const 0x40000
  v4 = load.4 [20]
  v7 = and v4, v6
  br eq v7, v1, b2, b1
b1:
  ret v0
b2:
  ret v3
)"));
  // Written the other way round (the set test first), the same.
  auto reversed = run_pass(kPass, R"(
b0:
  v0 = const 0
  v1 = const 6
  v2 = const 0x1fff
  v3 = const 0x40000
  v5 = load.2 [20]
  br set v5, v2, b2, b1
b1:
  v4 = load.1 [23]
  br eq v4, v1, b3, b2
b2:
  ret v0
b3:
  ret v3
)");
  EXPECT_TRUE(reversed.changed);
  EXPECT_EQ(reversed.counter("byte tests fused"), 1u);
}

TEST(LoadFusion, TwoBytesInEitherOrderBecomeAHalfWord) {
  // The second test reads the earlier byte; each is masked.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [7]
  v1 = const 0x0f
  v2 = and v0, v1
  v3 = const 0x02
  br eq v2, v3, b1, b2
b1:
  v4 = load.1 [6]
  v5 = const 0xf0
  v6 = and v4, v5
  v7 = const 0x10
  br eq v6, v7, b3, b2
b2:
  v8 = const 0
  ret v8
b3:
  v9 = const 1
  ret v9
)");
  EXPECT_TRUE(out.changed);
  // B's constants move into A; the unused ones are dead code's to remove.
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v10 = const 0xf00f
  v12 = const 0x1002
  v7 = const 0x10
  v5 = const 0xf0
  v0 = load.2 [6]
  v11 = and v0, v10
  v1 = const 0x0f
  v3 = const 0x02
  br eq v11, v12, b2, b1
b1:
  v8 = const 0
  ret v8
b2:
  v9 = const 1
  ret v9
)"));
}

TEST(LoadFusion, IndexedLoadsThroughOneIndex) {
  // `tcp src port 80 and tcp dst port 90` after the header length: one
  // word, no mask.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [14]
  v1 = const 0xf
  v2 = and v0, v1
  v3 = const 2
  v4 = shl v2, v3
  v5 = load.2 [v4 + 14]
  v6 = const 80
  br eq v5, v6, b1, b2
b1:
  v7 = load.2 [v4 + 16]
  v8 = const 90
  br eq v7, v8, b3, b2
b2:
  v9 = const 0
  ret v9
b3:
  v10 = const 0x40000
  ret v10
)");
  EXPECT_TRUE(out.changed);
  EXPECT_NE(out.ir.find("load.4 [v4 + 14]"), std::string::npos) << out.ir;
  EXPECT_NE(out.ir.find("const 0x50005a"), std::string::npos) << out.ir;
  EXPECT_EQ(out.ir.find(" and v5"), std::string::npos) << out.ir;
}

TEST(LoadFusion, AChainOfThreeBytesFusesOnePairPerRun) {
  // After bytes 0 and 1 fuse, the block that tested byte 1 is dead: it must
  // not be taken as the first of another pair with byte 2's test, which the
  // fused test now leads to.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b3
b1:
  v2 = load.1 [1]
  v3 = const 2
  br eq v2, v3, b2, b3
b2:
  v4 = load.1 [2]
  v5 = const 3
  br eq v4, v5, b4, b3
b3:
  v6 = const 0
  ret v6
b4:
  v7 = const 9
  ret v7
)");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.counter("byte tests fused"), 1u);
  EXPECT_NE(out.ir.find("load.2 [0]"), std::string::npos) << out.ir;
  EXPECT_NE(out.ir.find("load.1 [2]"), std::string::npos) << out.ir;
}

TEST(LoadFusion, BothLoadedFirstNeedNoRejectingTarget) {
  // Both loads ran before the first test, so a failing wider load fails
  // where one of them would have: the shared target may accept.
  auto out = run_pass(kPass, R"(
b0:
  v0 = load.1 [0]
  v1 = load.1 [1]
  v2 = const 1
  v3 = const 2
  br eq v0, v2, b1, b2
b1:
  br eq v1, v3, b3, b2
b2:
  v4 = const 7
  ret v4
b3:
  v5 = const 0
  ret v5
)");
  EXPECT_TRUE(out.changed);
  EXPECT_NE(out.ir.find("load.2 [0]"), std::string::npos) << out.ir;
  EXPECT_EQ(out.ir.find("load.1"), std::string::npos) << out.ir;
}

// Shapes the pass must leave alone (run_pass also checks verdicts).
TEST(LoadFusion, LeavesAloneWhatCouldChangeAVerdictOrSavesNothing) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      // The shared target accepts and B's load runs only after A's test:
      // a short packet failing A would go there, but the wider load fails.
      {"accepting target",
       "b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
       "b1:\n  v2 = load.1 [1]\n  v3 = const 2\n  br eq v2, v3, b3, b2\n"
       "b2:\n  v4 = const 7\n  ret v4\nb3:\n  v5 = const 0\n  ret v5\n"},
      // Bytes 0 and 2: three bytes, no load of that width.
      {"three bytes",
       "b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
       "b1:\n  v2 = load.1 [2]\n  v3 = const 2\n  br eq v2, v3, b3, b2\n"
       "b2:\n  v4 = const 0\n  ret v4\nb3:\n  v5 = const 9\n  ret v5\n"},
      // Bytes 0-1 and 4: five bytes.
      {"five bytes",
       "b0:\n  v0 = load.2 [0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
       "b1:\n  v2 = load.1 [4]\n  v3 = const 2\n  br eq v2, v3, b3, b2\n"
       "b2:\n  v4 = const 0\n  ret v4\nb3:\n  v5 = const 9\n  ret v5\n"},
      // Different indexes.
      {"other index",
       "b0:\n  v9 = len\n  v0 = load.1 [v9 + 0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
       "b1:\n  v2 = load.1 [1]\n  v3 = const 2\n  br eq v2, v3, b3, b2\n"
       "b2:\n  v4 = const 0\n  ret v4\nb3:\n  v5 = const 9\n  ret v5\n"},
      // The first load is used again (returned).
      {"value used elsewhere",
       "b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
       "b1:\n  v2 = load.1 [1]\n  v3 = const 2\n  br eq v2, v3, b3, b2\n"
       "b2:\n  v4 = const 0\n  ret v4\nb3:\n  ret v0\n"},
      // B is entered from elsewhere too.
      {"second test shared",
       "b0:\n  v6 = len\n  v7 = const 60\n  br gt v6, v7, b1, b2\n"
       "b1:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b2, b3\n"
       "b2:\n  v2 = load.1 [1]\n  v3 = const 2\n  br eq v2, v3, b4, b3\n"
       "b3:\n  v4 = const 0\n  ret v4\nb4:\n  v5 = const 9\n  ret v5\n"},
      // A mismatch goes on (a conjunction of negations is not this shape).
      {"mismatch continues",
       "b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b2, b1\n"
       "b1:\n  v2 = load.1 [1]\n  v3 = const 2\n  br eq v2, v3, b2, b3\n"
       "b2:\n  v4 = const 0\n  ret v4\nb3:\n  v5 = const 9\n  ret v5\n"},
      // B does other work too.
      {"other work in B",
       "b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
       "b1:\n  v2 = load.1 [1]\n  v3 = const 2\n  v6 = load.1 [30]\n  br eq v2, v3, b3, b2\n"
       "b2:\n  v4 = const 0\n  ret v4\nb3:\n  v5 = const 9\n  ret v5\n"},
  };
  for (const auto& [what, text] : cases) {
    SCOPED_TRACE(what);
    auto out = run_pass(kPass, text);
    EXPECT_FALSE(out.changed);
    EXPECT_EQ(out.ir, normalized(text));
  }
}

// Random pairs of byte tests: sizes, offsets (so that they fit in 2 or 4
// bytes or not), masks, values, the shared target's return value, and
// whether the second load is in the first block.
ir::Function random_pair(std::mt19937& rng) {
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  const uint32_t sizes[] = {1, 1, 2, 4};
  const uint32_t size_a = sizes[pick(4)], size_b = sizes[pick(4)];
  const uint32_t off_a = pick(6), off_b = pick(6);
  auto mask_for = [&](uint32_t size) {
    const uint32_t all = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    return pick(2) ? all : static_cast<uint32_t>(rng()) & all;
  };
  const uint32_t mask_a = mask_for(size_a), mask_b = mask_for(size_b);
  // Values near what random packets hold (bytes 0, 1, 0xff).
  auto value_for = [&](uint32_t mask) {
    const uint32_t fill[] = {0, 0x01010101, 0xffffffff};
    return fill[pick(3)] & mask;
  };
  const bool b_first = pick(4) == 0;
  // Either test may be written as `br set load, mask` (no bit set holds).
  const bool a_set = pick(3) == 0, b_set = pick(3) == 0;
  std::string text = "b0:\n";
  text += "  v0 = load." + std::to_string(size_a) + " [" + std::to_string(off_a) + "]\n";
  if (b_first) text += "  v4 = load." + std::to_string(size_b) + " [" + std::to_string(off_b) + "]\n";
  text += "  v1 = const " + std::to_string(mask_a) + "\n";
  if (a_set) {
    text += "  br set v0, v1, b2, b1\nb1:\n";
  } else {
    text += "  v2 = and v0, v1\n  v3 = const " + std::to_string(value_for(mask_a)) + "\n  br eq v2, v3, b1, b2\nb1:\n";
  }
  if (!b_first) text += "  v4 = load." + std::to_string(size_b) + " [" + std::to_string(off_b) + "]\n";
  text += "  v5 = const " + std::to_string(mask_b) + "\n";
  if (b_set) {
    text += "  br set v4, v5, b2, b3\n";
  } else {
    text += "  v6 = and v4, v5\n  v7 = const " + std::to_string(value_for(mask_b)) + "\n  br eq v6, v7, b3, b2\n";
  }
  text += "b2:\n  v8 = const " + std::to_string(pick(2) ? 0 : 5) + "\n  ret v8\n";
  text += "b3:\n  v9 = const 9\n  ret v9\n";
  return parse_ir(text);
}

TEST(LoadFusion, KeepsVerdictsOnRandomPairsOfTests) {
  const PassUnderTest pass = registered_pass(kPass);
  std::mt19937 rng(1742);
  int changed = 0;
  for (int i = 0; i < 3000; ++i) {
    ir::Function f = random_pair(rng);
    if (auto problem = ir::verify(f)) FAIL() << "generator made malformed IR: " << *problem << "\n" << ir::print(f);
    std::vector<std::vector<uint8_t>> packets;
    for (size_t length = 0; length <= 10; ++length) {
      for (int j = 0; j < 12; ++j) {
        std::vector<uint8_t> p(length);
        for (uint8_t& byte : p) byte = std::array<uint8_t, 3>{0, 1, 0xff}[rng() % 3];
        packets.push_back(std::move(p));
      }
    }
    ir::Function copy = f;
    opt::PassCounters counters;
    if (pass(copy, counters)) ++changed;
    if (!pass_keeps_verdicts(pass, f, packets, "random pair " + std::to_string(i))) return;
  }
  EXPECT_GT(changed, 300) << "the generator should give the pass work";
}

TEST(LoadFusion, KeepsVerdictsOnRandomIr) { check_on_random_ir(registered_pass(kPass), 1699, 800); }

TEST(LoadFusion, KeepsVerdictsOnLoweredFilters) { check_on_lowered_filters(registered_pass(kPass)); }

}  // namespace
}  // namespace bpfc::opttest
