// Pairs of programs that compute the same thing in different ways: the
// checker must prove each pair equivalent (and sampled packets must agree).
#include <gtest/gtest.h>

#include "equiv_assertions.h"

namespace bpfc::equivtest {
namespace {

EquivalenceOptions up_to(uint32_t max_length) {
  EquivalenceOptions options;
  options.max_length = max_length;
  return options;
}

TEST(EquivalentByAlgebra, EqualityAsTwoRangeTests) {
  auto a = listing(R"(
    (000) ldh [12]
    (001) jeq #0x800 jt 2 jf 3
    (002) ret #262144
    (003) ret #0)");
  auto b = listing(R"(
    (000) ldh [12]
    (001) jgt #0x7ff jt 2 jf 4
    (002) jgt #0x800 jt 4 jf 3
    (003) ret #262144
    (004) ret #0)");
  EXPECT_TRUE(proves_equivalent(a, b, up_to(32)));
}

TEST(EquivalentByAlgebra, ByteLoadAsMaskedWiderLoads) {
  auto byte = listing("(000) ldb [14]\n(001) ret");
  auto half = listing("(000) ldh [13]\n(001) and #0xff\n(002) ret");
  auto word = listing("(000) ld [11]\n(001) and #0xff\n(002) ret");
  // All three need caplen >= 15, so truncation treats them alike.
  EXPECT_TRUE(proves_equivalent(byte, half, up_to(32)));
  EXPECT_TRUE(proves_equivalent(byte, word, up_to(32)));
}

TEST(EquivalentByAlgebra, IndependentTestsInEitherOrder) {
  // Whichever test fails or whichever load is out of bounds, the result is 0.
  auto ethertype_first = listing(R"(
    (000) ldh [12]
    (001) jeq #0x800 jt 2 jf 5
    (002) ldb [23]
    (003) jeq #6 jt 4 jf 5
    (004) ret #262144
    (005) ret #0)");
  auto protocol_first = listing(R"(
    (000) ldb [23]
    (001) jeq #6 jt 2 jf 5
    (002) ldh [12]
    (003) jeq #0x800 jt 4 jf 5
    (004) ret #262144
    (005) ret #0)");
  EXPECT_TRUE(proves_equivalent(ethertype_first, protocol_first, up_to(40)));
}

TEST(EquivalentByAlgebra, ArithmeticIdentities) {
  EXPECT_TRUE(proves_equivalent(listing("(000) ld #5\n(001) tax\n(002) ld [0]\n(003) add x\n(004) ret"),
                                listing("(000) ld [0]\n(001) add #5\n(002) ret"), up_to(8)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) mul #8\n(002) ret"),
                                listing("(000) ld [0]\n(001) lsh #3\n(002) ret"), up_to(8)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) tax\n(002) ld #0\n(003) sub x\n(004) ret"),
                                listing("(000) ld [0]\n(001) neg\n(002) ret"), up_to(8)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) div #16\n(002) ret"),
                                listing("(000) ld [0]\n(001) rsh #4\n(002) ret"), up_to(8)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) mod #16\n(002) ret"),
                                listing("(000) ld [0]\n(001) and #15\n(002) ret"), up_to(8)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) xor #0xffffffff\n(002) add #1\n(003) ret"),
                                listing("(000) ld [0]\n(001) neg\n(002) ret"), up_to(8)));
}

TEST(EquivalentByAlgebra, BitTestAsMaskAndCompare) {
  auto jset = listing(R"(
    (000) ldb [0]
    (001) jset #0x10 jt 2 jf 3
    (002) ret #1
    (003) ret #2)");
  auto masked = listing(R"(
    (000) ldb [0]
    (001) and #0x10
    (002) jeq #0 jt 4 jf 3
    (003) ret #1
    (004) ret #2)");
  EXPECT_TRUE(proves_equivalent(jset, masked, up_to(4)));
}

TEST(EquivalentByAlgebra, HeaderLengthInstruction) {
  auto msh = listing("(000) ldxb 4*([14]&0xf)\n(001) txa\n(002) ret");
  auto spelled_out = listing("(000) ldb [14]\n(001) and #0xf\n(002) lsh #2\n(003) ret");
  EXPECT_TRUE(proves_equivalent(msh, spelled_out, up_to(20)));
}

TEST(EquivalentByAlgebra, IndirectLoadAsCaseAnalysis) {
  auto indexed = listing(R"(
    (000) ldb [0]
    (001) and #3
    (002) tax
    (003) ldh [x + 1]
    (004) ret)");
  auto cases = listing(R"(
    (000) ldb [0]
    (001) and #3
    (002) jeq #0 jt 6 jf 3
    (003) jeq #1 jt 8 jf 4
    (004) jeq #2 jt 10 jf 5
    (005) ja 12
    (006) ldh [1]
    (007) ret
    (008) ldh [2]
    (009) ret
    (010) ldh [3]
    (011) ret
    (012) ldh [4]
    (013) ret)");
  EXPECT_TRUE(proves_equivalent(indexed, cases, up_to(12)));
  EXPECT_TRUE(proves_equivalent(indexed, cases, up_to(128)));
}

TEST(EquivalentByAlgebra, ScratchMemoryRoundTrip) {
  EXPECT_TRUE(proves_equivalent(
      listing("(000) ld [0]\n(001) st M[3]\n(002) ld #1\n(003) ldx M[3]\n(004) txa\n(005) ret"),
      listing("(000) ld [0]\n(001) ret"), up_to(8)));
  EXPECT_TRUE(proves_equivalent(
      listing("(000) ld [0]\n(001) tax\n(002) stx M[15]\n(003) ld M[15]\n(004) ret"),
      listing("(000) ld [0]\n(001) ret"), up_to(8)));
}

TEST(EquivalentByAlgebra, ScratchMemoryStartsZeroed) {
  EXPECT_TRUE(proves_equivalent(listing("(000) ld M[5]\n(001) ret"), listing("(000) ret #0"), up_to(4)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ldx M[0]\n(001) txa\n(002) add #7\n(003) ret"),
                                listing("(000) ret #7"), up_to(4)));
}

TEST(EquivalentByAlgebra, WireLengthComparisons) {
  auto at_least = listing("(000) ld #pktlen\n(001) jge #100 jt 2 jf 3\n(002) ret #1\n(003) ret #0");
  auto above = listing("(000) ld #pktlen\n(001) jgt #99 jt 2 jf 3\n(002) ret #1\n(003) ret #0");
  EXPECT_TRUE(proves_equivalent(at_least, above, up_to(8)));
  // wirelen >= caplen on every packet considered.
  auto covers_capture = listing(R"(
    (000) ld #pktlen
    (001) jge #8 jt 2 jf 4
    (002) ldb [7]
    (003) ret #1
    (004) ret #0)");
  EXPECT_TRUE(proves_equivalent(covers_capture, listing("(000) ldb [7]\n(001) ret #1\n"), up_to(16)));
}

TEST(EquivalentByAlgebra, ShiftsByThirtyTwoOrMoreGiveZero) {
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) lsh #32\n(002) ret"), listing("(000) ret #0"),
                                up_to(8)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) rsh #0xffffffff\n(002) ret"),
                                listing("(000) ret #0"), up_to(8)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ldx #40\n(001) ld [0]\n(002) rsh x\n(003) ret"),
                                listing("(000) ret #0"), up_to(8)));
  auto shift_by_packet = listing(R"(
    (000) ldb [4]
    (001) tax
    (002) ld [0]
    (003) lsh x
    (004) ret)");
  auto guarded = listing(R"(
    (000) ldb [4]
    (001) jge #32 jt 6 jf 2
    (002) tax
    (003) ld [0]
    (004) lsh x
    (005) ret
    (006) ret #0)");
  EXPECT_TRUE(proves_equivalent(shift_by_packet, guarded, up_to(8)));
}

TEST(EquivalentByAlgebra, DivisionByZeroEndsTheProgram) {
  auto unguarded = listing(R"(
    (000) ldb [0]
    (001) tax
    (002) ld [1]
    (003) div x
    (004) ret)");
  auto guarded = listing(R"(
    (000) ldb [0]
    (001) jeq #0 jt 6 jf 2
    (002) tax
    (003) ld [1]
    (004) div x
    (005) ret
    (006) ret #0)");
  EXPECT_TRUE(proves_equivalent(unguarded, guarded, up_to(8)));
  auto modulus = listing("(000) ldb [0]\n(001) tax\n(002) ld [1]\n(003) mod x\n(004) jeq #0 jt 5 jf 6\n"
                         "(005) ret #0\n(006) ret #1");
  auto nonzero_remainder = listing(R"(
    (000) ldb [0]
    (001) jeq #0 jt 7 jf 2
    (002) tax
    (003) ld [1]
    (004) mod x
    (005) jeq #0 jt 7 jf 6
    (006) ret #1
    (007) ret #0)");
  EXPECT_TRUE(proves_equivalent(modulus, nonzero_remainder, up_to(8)));
}

TEST(EquivalentByAlgebra, IndirectOffsetsDoNotWrap) {
  // x + k is computed without wrap-around: for x >= 16 it exceeds 2^32 and
  // for x < 16 it lies far beyond any packet, so the load always fails.
  EXPECT_TRUE(proves_equivalent(listing("(000) ld [0]\n(001) tax\n(002) ldb [x + 0xfffffff0]\n(003) ret"),
                                listing("(000) ret #0"), up_to(32)));
  EXPECT_TRUE(proves_equivalent(listing("(000) ldx #0xffffffff\n(001) ldb [x + 1]\n(002) ret"),
                                listing("(000) ret #0"), up_to(8)));
}

TEST(EquivalentByAlgebra, OpcodesTheInterpreterRefusesReturnZero) {
  // ld with a size on an immediate (0x08) passes bpf_validate but bpf_filter
  // does not know it: the program returns 0 there.
  const cbpf::Program unknown_opcode = {cbpf::stmt(0x08, 5), cbpf::stmt(cbpf::RET | cbpf::RET_A, 0)};
  EXPECT_TRUE(proves_equivalent(unknown_opcode, listing("(000) ret #0"), up_to(4)));
}

}  // namespace
}  // namespace bpfc::equivtest
