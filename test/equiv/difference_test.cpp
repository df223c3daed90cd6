// Pairs of programs that differ in one detail: the checker must find a
// packet that tells them apart, and run_cbpf must confirm it.
#include <gtest/gtest.h>

#include "equiv_assertions.h"

namespace bpfc::equivtest {
namespace {

EquivalenceOptions up_to(uint32_t max_length) {
  EquivalenceOptions options;
  options.max_length = max_length;
  return options;
}

cbpf::Program ethertype_test(const char* load, const char* constant) {
  return listing(std::string("(000) ") + load + "\n(001) jeq #" + constant +
                 " jt 2 jf 3\n(002) ret #262144\n(003) ret #0");
}

TEST(DifferentByADetail, OffByOneOffset) {
  EXPECT_TRUE(finds_difference(ethertype_test("ldh [12]", "0x800"), ethertype_test("ldh [13]", "0x800")));
}

TEST(DifferentByADetail, OtherConstant) {
  Counterexample example;
  ASSERT_TRUE(finds_difference(ethertype_test("ldh [12]", "0x800"), ethertype_test("ldh [12]", "0x806"),
                               up_to(64), &example));
  ASSERT_EQ(example.packet.size(), 14u);  // the shortest one
  EXPECT_EQ(example.wirelen, 14u);
  const uint32_t ethertype = uint32_t{example.packet[12]} << 8 | example.packet[13];
  EXPECT_TRUE(ethertype == 0x800 || ethertype == 0x806) << ethertype;
}

TEST(DifferentByADetail, OtherWidth) {
  EXPECT_TRUE(finds_difference(ethertype_test("ldh [12]", "0x8"), ethertype_test("ldb [13]", "0x8")));
}

TEST(DifferentByADetail, LoadIntoXInsteadOfA) {
  Counterexample example;
  ASSERT_TRUE(finds_difference(listing("(000) ld #5\n(001) ret"), listing("(000) ldx #5\n(001) ret"),
                               up_to(4), &example));
  EXPECT_EQ(example.value_a, 5u);
  EXPECT_EQ(example.value_b, 0u);
}

TEST(DifferentByADetail, DroppedLoadOnlyMattersOnShortPackets) {
  Counterexample example;
  ASSERT_TRUE(finds_difference(listing("(000) ld [100]\n(001) ret #1"), listing("(000) ret #1"), {}, &example));
  EXPECT_LT(example.packet.size(), 104u);
  // The shortest counterexample, with nothing beyond the capture.
  EXPECT_EQ(example.packet.size(), 0u);
  EXPECT_EQ(example.wirelen, 0u);
  EXPECT_EQ(example.value_a, 0u);
  EXPECT_EQ(example.value_b, 1u);
}

TEST(DifferentByADetail, DivisionByAZeroByte) {
  Counterexample example;
  ASSERT_TRUE(finds_difference(listing("(000) ldb [0]\n(001) tax\n(002) ld #7\n(003) div x\n(004) ret #1"),
                               listing("(000) ldb [0]\n(001) ret #1"), up_to(8), &example));
  ASSERT_GE(example.packet.size(), 1u);
  EXPECT_EQ(example.packet[0], 0);
  EXPECT_EQ(example.value_a, 0u);
  EXPECT_EQ(example.value_b, 1u);
  EXPECT_TRUE(finds_difference(listing("(000) ldb [0]\n(001) tax\n(002) ld #7\n(003) mod x\n(004) ret #1"),
                               listing("(000) ldb [0]\n(001) ret #1"), up_to(8)));
}

TEST(DifferentByADetail, ShiftCountsAreNotMasked) {
  // x86 would compute `A << 33` as `A << 1`; bpf_filter's semantics give 0.
  EXPECT_TRUE(finds_difference(listing("(000) ld [0]\n(001) lsh #33\n(002) ret"),
                               listing("(000) ld [0]\n(001) lsh #1\n(002) ret"), up_to(8)));
  Counterexample example;
  ASSERT_TRUE(finds_difference(listing("(000) ldb [4]\n(001) tax\n(002) ld [0]\n(003) rsh x\n(004) ret"),
                               listing("(000) ldb [4]\n(001) and #31\n(002) tax\n(003) ld [0]\n(004) rsh x\n(005) ret"),
                               up_to(8), &example));
  ASSERT_GE(example.packet.size(), 5u);
  EXPECT_GE(example.packet[4], 32);
}

TEST(DifferentByADetail, IndirectOffsetOverflowIsOutOfBounds) {
  // A wrapping x + k would read byte 0.
  Counterexample example;
  ASSERT_TRUE(finds_difference(listing("(000) ldx #0xffffffff\n(001) ldb [x + 1]\n(002) ret"),
                               listing("(000) ldb [0]\n(001) ret"), up_to(8), &example));
  EXPECT_EQ(example.value_a, 0u);
  EXPECT_NE(example.value_b, 0u);
  ASSERT_TRUE(finds_difference(listing("(000) ldb [0]\n(001) add #0xfffffff0\n(002) tax\n(003) ldb [x + 0x20]\n(004) ret"),
                               listing("(000) ldb [0]\n(001) sub #0x10\n(002) add #0x20\n(003) tax\n(004) ldb [x + 0]\n(005) ret"),
                               up_to(64), &example));
  // Both read byte (byte 0) + 16, except where byte 0 < 16: there the first
  // program's x + 0x20 passes 2^32 (out of bounds), while the second one's
  // 32-bit arithmetic wraps back into the packet.
  ASSERT_GE(example.packet.size(), 1u);
  EXPECT_LT(example.packet[0], 16);
  EXPECT_EQ(example.value_a, 0u);
}

TEST(DifferentByADetail, HeaderLengthNibble) {
  Counterexample example;
  ASSERT_TRUE(finds_difference(listing("(000) ldxb 4*([14]&0xf)\n(001) txa\n(002) ret"),
                               listing("(000) ldb [14]\n(001) and #0xf\n(002) lsh #4\n(003) ret"), up_to(20),
                               &example));
  ASSERT_GE(example.packet.size(), 15u);
  EXPECT_NE(example.packet[14] & 0xf, 0);
}

TEST(DifferentByADetail, ScratchSlot) {
  EXPECT_TRUE(finds_difference(listing("(000) ld [0]\n(001) st M[1]\n(002) ld M[2]\n(003) ret"),
                               listing("(000) ld [0]\n(001) st M[1]\n(002) ld M[1]\n(003) ret"), up_to(8)));
  EXPECT_TRUE(finds_difference(listing("(000) ld [0]\n(001) tax\n(002) stx M[4]\n(003) ld #0\n(004) ldx M[4]\n(005) txa\n(006) ret"),
                               listing("(000) ld [0]\n(001) tax\n(002) stx M[4]\n(003) ld #0\n(004) ldx M[5]\n(005) txa\n(006) ret"),
                               up_to(8)));
}

TEST(DifferentByADetail, WireLengthBoundary) {
  Counterexample example;
  ASSERT_TRUE(finds_difference(listing("(000) ld #pktlen\n(001) jgt #100 jt 2 jf 3\n(002) ret #1\n(003) ret #0"),
                               listing("(000) ld #pktlen\n(001) jge #100 jt 2 jf 3\n(002) ret #1\n(003) ret #0"),
                               up_to(16), &example));
  EXPECT_EQ(example.wirelen, 100u);
  EXPECT_EQ(example.packet.size(), 0u);
  ASSERT_TRUE(finds_difference(listing("(000) ld #pktlen\n(001) ret"), listing("(000) ldx #pktlen\n(001) txa\n(002) add #1\n(003) ret"),
                               up_to(16), &example));
  EXPECT_EQ(example.value_a + 1, example.value_b);
}

TEST(DifferentByADetail, JumpTargets) {
  auto a = listing("(000) ldb [0]\n(001) jeq #1 jt 2 jf 3\n(002) ret #1\n(003) ret #2");
  auto swapped = listing("(000) ldb [0]\n(001) jeq #1 jt 3 jf 2\n(002) ret #1\n(003) ret #2");
  Counterexample example;
  ASSERT_TRUE(finds_difference(a, swapped, up_to(4), &example));
  EXPECT_GE(example.packet.size(), 1u);
}

TEST(DifferentByADetail, VerdictComparisonIgnoresTheSnapshotLength) {
  auto snap_64k = ethertype_test("ldh [12]", "0x800");
  auto snap_96 = listing("(000) ldh [12]\n(001) jeq #0x800 jt 2 jf 3\n(002) ret #96\n(003) ret #0");
  EXPECT_TRUE(finds_difference(snap_64k, snap_96, up_to(16)));
  EquivalenceOptions verdicts = up_to(16);
  verdicts.compare = EquivalenceComparison::Verdict;
  EXPECT_TRUE(proves_equivalent(snap_64k, snap_96, verdicts));
  EXPECT_TRUE(finds_difference(snap_64k, ethertype_test("ldh [12]", "0x86dd"), verdicts));
}

TEST(DifferentByADetail, LengthRangeBoundsTheQuestion) {
  auto guarded = listing("(000) ld [100]\n(001) ret #1");
  auto plain = listing("(000) ret #1");
  EquivalenceOptions long_packets;
  long_packets.min_length = 104;
  long_packets.max_length = 128;
  EXPECT_TRUE(proves_equivalent(guarded, plain, long_packets));
  long_packets.min_length = 103;
  Counterexample example;
  ASSERT_TRUE(finds_difference(guarded, plain, long_packets, &example));
  EXPECT_EQ(example.packet.size(), 103u);
  // Without the search, the solver's first counterexample is reported.
  long_packets.min_length = 0;
  long_packets.shortest_counterexample = false;
  EXPECT_TRUE(finds_difference(guarded, plain, long_packets));
  // Short packets only: the load never succeeds.
  EXPECT_TRUE(proves_equivalent(guarded, listing("(000) ret #0"), up_to(103)));
}

}  // namespace
}  // namespace bpfc::equivtest
