// cbpf::generate on small hand-written IR functions: the exact instructions
// chosen (ld/ldx modes, #k versus x, ldxb 4*([k]&0xf), ret #k / ret a),
// register reuse across blocks, phis, scratch slots and their limit, and the
// layout of jumps. Listings are libpcap's bpf_image with spaces collapsed.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <sstream>
#include <string>

#include "../runtime/libpcap_oracle.h"
#include "bpfc/cbpf/codegen.h"
#include "bpfc/ir/parser.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::cbpf {
namespace {

std::string listing(const Program& p) { return testing::libpcap_listing(p); }

// Generates code for IR text; checks that libpcap's and the kernel's rules
// accept it.
Program compile(const std::string& ir_text) {
  auto f = ir::parse(ir_text);
  EXPECT_TRUE(f.ok()) << f.error().message;
  if (!f) return {};
  auto program = generate(*f);
  EXPECT_TRUE(program.ok()) << program.error().message;
  if (!program) return {};
  auto insns = testing::to_libpcap(*program);
  EXPECT_EQ(bpf_validate(insns.data(), static_cast<int>(insns.size())), 1) << listing(*program);
  auto kernel = runtime::validate_cbpf(*program, runtime::ValidationRules::LinuxKernel);
  EXPECT_FALSE(kernel.has_value()) << kernel->message << "\n" << listing(*program);
  return *program;
}

std::string compile_listing(const std::string& ir_text) { return listing(compile(ir_text)); }

constexpr const char* kTcpPort80 =
    "b0:\n  v0 = load.2 [12]\n  v1 = const 0x86dd\n  br eq v0, v1, b1, b4\n"
    "b1:\n  v2 = load.1 [20]\n  v3 = const 6\n  br eq v2, v3, b2, b10\n"
    "b2:\n  v4 = load.2 [54]\n  v5 = const 80\n  br eq v4, v5, b9, b3\n"
    "b3:\n  v6 = load.2 [56]\n  br eq v6, v5, b9, b10\n"
    "b4:\n  v7 = const 0x800\n  br eq v0, v7, b5, b10\n"
    "b5:\n  v8 = load.1 [23]\n  v20 = const 6\n  br eq v8, v20, b6, b10\n"
    "b6:\n  v9 = load.2 [20]\n  v10 = const 0x1fff\n  br set v9, v10, b10, b7\n"
    "b7:\n  v11 = load.1 [14]\n  v12 = const 0xf\n  v13 = and v11, v12\n  v14 = const 2\n  v15 = shl v13, v14\n"
    "  v16 = load.2 [v15 + 14]\n  v21 = const 80\n  br eq v16, v21, b9, b8\n"
    "b8:\n  v17 = load.2 [v15 + 16]\n  br eq v17, v21, b9, b10\n"
    "b9:\n  v18 = const 0x40000\n  ret v18\n"
    "b10:\n  v19 = const 0\n  ret v19\n";

TEST(CbpfCodegen, TcpPort80MatchesLibpcapsOptimizer) {
  // The IR the compat layer lifts for "tcp port 80" on Ethernet compiles to
  // exactly what pcap_compile's optimizer produces: A reused across blocks
  // (no reload of [12] before jeq #0x800), X reused for the second port.
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  ASSERT_NE(dead, nullptr);
  bpf_program reference{};
  ASSERT_EQ(pcap_compile(dead, &reference, "tcp port 80", 1, PCAP_NETMASK_UNKNOWN), 0);
  Program expected;
  for (u_int i = 0; i < reference.bf_len; ++i) {
    const bpf_insn& r = reference.bf_insns[i];
    expected.push_back(Insn{r.code, r.jt, r.jf, r.k});
  }
  pcap_freecode(&reference);
  pcap_close(dead);
  EXPECT_EQ(compile_listing(kTcpPort80), listing(expected));
}

TEST(CbpfCodegen, AbsoluteLoadsAndConstantCompares) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.4 [26]\n  v1 = const 0xc0a80001\n  br eq v0, v1, b1, b2\n"
                            "b1:\n  v2 = load.1 [23]\n  v3 = const 17\n  br ge v2, v3, b2, b3\n"
                            "b2:\n  v4 = const 0x40000\n  ret v4\n"
                            "b3:\n  v5 = const 0\n  ret v5\n"),
            "(000) ld [26]\n"
            "(001) jeq #0xc0a80001 jt 2 jf 4\n"
            "(002) ldb [23]\n"
            "(003) jge #0x11 jt 4 jf 5\n"
            "(004) ret #262144\n"
            "(005) ret #0\n");
}

TEST(CbpfCodegen, HeaderLengthIdiomBecomesLdxb) {
  // (P[14] & 0xf) * 4, operands in either order, indexes a load.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [14]\n  v1 = const 0xf\n  v2 = and v1, v0\n  v3 = const 4\n"
                            "  v4 = mul v3, v2\n  v5 = load.2 [v4 + 14]\n  ret v5\n"),
            "(000) ldxb 4*([14]&0xf)\n"
            "(001) ldh [x + 14]\n"
            "(002) ret\n");
  // (P[14] & 0xf) << 2 returned: into X by ldxb, then to A.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [14]\n  v1 = const 0xf\n  v2 = and v0, v1\n  v3 = const 2\n"
                            "  v4 = shl v2, v3\n  ret v4\n"),
            "(000) ldxb 4*([14]&0xf)\n"
            "(001) txa\n"
            "(002) ret\n");
}

TEST(CbpfCodegen, ConstantOperandsUseK) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.2 [12]\n  v1 = const 5\n  v2 = add v1, v0\n  v3 = const 0xff\n"
                            "  v4 = and v2, v3\n  v5 = const 1\n  v6 = or v4, v5\n  v7 = const 3\n  v8 = shr v6, v7\n"
                            "  v9 = div v8, v7\n  v10 = mod v9, v7\n  v11 = xor v10, v7\n  v12 = sub v11, v7\n"
                            "  v13 = mul v12, v7\n  v14 = shl v13, v7\n  ret v14\n"),
            "(000) ldh [12]\n(001) add #5\n(002) and #0xff\n(003) or #0x1\n(004) rsh #3\n(005) div #3\n"
            "(006) mod #3\n(007) xor #0x3\n(008) sub #3\n(009) mul #3\n(010) lsh #3\n(011) ret\n");
}

TEST(CbpfCodegen, SubtractionFromAConstantNegates) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = const 100\n  v1 = load.2 [12]\n  v2 = sub v0, v1\n  ret v2\n"),
            "(000) ldh [12]\n(001) neg\n(002) add #100\n(003) ret\n");
}

TEST(CbpfCodegen, TwoVariableOperandsUseX) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.2 [12]\n  v1 = load.2 [14]\n  br gt v0, v1, b1, b2\n"
                            "b1:\n  v2 = const 1\n  ret v2\nb2:\n  v3 = const 0\n  ret v3\n"),
            "(000) ldh [14]\n(001) tax\n(002) ldh [12]\n(003) jgt x jt 4 jf 5\n(004) ret #1\n(005) ret #0\n");
  // Non-commutative operations keep their order: 2 / P[12:2].
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.2 [12]\n  v1 = const 2\n  v2 = div v1, v0\n  ret v2\n"),
            "(000) ldh [12]\n(001) tax\n(002) ld #0x2\n(003) div x\n(004) ret\n");
}

TEST(CbpfCodegen, ConstantOnTheLeftOfACompareSwapsIt) {
  // 5 > v is !(v >= 5).
  EXPECT_EQ(compile_listing("b0:\n  v0 = const 5\n  v1 = load.2 [12]\n  br gt v0, v1, b1, b2\n"
                            "b1:\n  v2 = const 1\n  ret v2\nb2:\n  v3 = const 0\n  ret v3\n"),
            "(000) ldh [12]\n(001) jge #0x5 jt 3 jf 2\n(002) ret #1\n(003) ret #0\n");
}

TEST(CbpfCodegen, ValuesUsedAcrossBlocksGoToScratch) {
  // v5 is tested in three blocks: kept in A while nothing else needs A,
  // then reloaded from M[0].
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [14]\n  v1 = const 0xf\n  v2 = and v0, v1\n  v3 = const 2\n"
                            "  v4 = shl v2, v3\n  v13 = load.1 [v4 + 27]\n  v14 = const 0x3f\n  v5 = and v13, v14\n"
                            "  v6 = const 2\n  br set v5, v6, b3, b1\n"
                            "b1:\n  v7 = const 16\n  br set v5, v7, b3, b2\n"
                            "b2:\n  v8 = load.2 [12]\n  v9 = add v5, v8\n  v10 = const 100\n  br gt v9, v10, b3, b4\n"
                            "b3:\n  v11 = const 0x40000\n  ret v11\nb4:\n  v12 = const 0\n  ret v12\n"),
            "(000) ldxb 4*([14]&0xf)\n"
            "(001) ldb [x + 27]\n"
            "(002) and #0x3f\n"
            "(003) st M[0]\n"
            "(004) jset #0x2 jt 10 jf 5\n"
            "(005) jset #0x10 jt 10 jf 6\n"
            "(006) ldh [12]\n"
            "(007) ldx M[0]\n"
            "(008) add x\n"
            "(009) jgt #0x64 jt 10 jf 11\n"
            "(010) ret #262144\n"
            "(011) ret #0\n");
}

TEST(CbpfCodegen, LoadsIndexedByTheHeaderLengthAreReloadedNotKeptInScratch) {
  // The source port (v5) is tested again after the destination port took
  // A: one ldh [x + 14] again (X still holds the header length) is shorter
  // than st M[0] at the first load and ld M[0] here. The reload repeats a
  // load that succeeded on the same path, so it cannot end the filter.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [14]\n  v1 = const 0xf\n  v2 = and v0, v1\n  v3 = const 2\n"
                            "  v4 = shl v2, v3\n  v5 = load.2 [v4 + 14]\n  v6 = const 22\n  br eq v5, v6, b4, b1\n"
                            "b1:\n  v7 = load.2 [v4 + 16]\n  br eq v7, v6, b4, b2\n"
                            "b2:\n  v8 = const 8000\n  br ge v5, v8, b3, b5\n"
                            "b3:\n  v9 = const 8100\n  br gt v5, v9, b5, b4\n"
                            "b4:\n  v10 = const 0x40000\n  ret v10\nb5:\n  v11 = const 0\n  ret v11\n"),
            "(000) ldxb 4*([14]&0xf)\n"
            "(001) ldh [x + 14]\n"
            "(002) jeq #0x16 jt 8 jf 3\n"
            "(003) ldh [x + 16]\n"
            "(004) jeq #0x16 jt 8 jf 5\n"
            "(005) ldh [x + 14]\n"
            "(006) jge #0x1f40 jt 7 jf 9\n"
            "(007) jgt #0x1fa4 jt 9 jf 8\n"
            "(008) ret #262144\n"
            "(009) ret #0\n");
}

TEST(CbpfCodegen, PhisUsedOnlyAsLoadIndexesTravelInX) {
  // The header offset is 18 after a VLAN tag, else 14. Each predecessor
  // leaves its constant in X (after its own load and before its branch,
  // which needs A), so the join loads through X with no scratch slot.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.2 [12]\n  v1 = const 0x8100\n  v2 = const 14\n  br eq v0, v1, b1, b2\n"
                            "b1:\n  v3 = const 18\n  v10 = load.2 [16]\n  v11 = const 0x800\n  br eq v10, v11, b3, b4\n"
                            "b2:\n  v12 = const 0x800\n  br eq v0, v12, b3, b4\n"
                            "b3:\n  v4 = phi [b1: v3], [b2: v2]\n  v5 = load.1 [v4 + 9]\n  ret v5\n"
                            "b4:\n  v6 = const 0\n  ret v6\n"),
            "(000) ldh [12]\n"
            "(001) jeq #0x8100 jt 2 jf 5\n"
            "(002) ldx #0x12\n"
            "(003) ldh [16]\n"
            "(004) jeq #0x800 jt 7 jf 9\n"
            "(005) ldx #0xe\n"
            "(006) jeq #0x800 jt 7 jf 9\n"
            "(007) ldb [x + 9]\n"
            "(008) ret\n"
            "(009) ret #0\n");
}

TEST(CbpfCodegen, PhisWithOtherUsesAreStoredByTheirPredecessors) {
  // The phi is also returned, so it lives in a scratch slot; the
  // predecessors store their constants (through X where A is still needed).
  const std::string listing = compile_listing(
      "b0:\n  v0 = load.2 [12]\n  v1 = const 0x8100\n  v2 = const 14\n  br eq v0, v1, b1, b2\n"
      "b1:\n  v3 = const 18\n  v10 = load.2 [16]\n  v11 = const 0x800\n  br eq v10, v11, b3, b4\n"
      "b2:\n  v12 = const 0x800\n  br eq v0, v12, b3, b4\n"
      "b3:\n  v4 = phi [b1: v3], [b2: v2]\n  v5 = load.1 [v4 + 9]\n  v7 = add v5, v4\n  ret v7\n"
      "b4:\n  v6 = const 0\n  ret v6\n");
  EXPECT_NE(listing.find("M[0]"), std::string::npos) << listing;
}

TEST(CbpfCodegen, APhiLeftInAByEveryPredecessorIsNotReloaded) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
                            "b1:\n  v2 = load.2 [2]\n  jump b3\n"
                            "b2:\n  v3 = load.2 [4]\n  jump b3\n"
                            "b3:\n  v4 = phi [b1: v2], [b2: v3]\n  v5 = const 3\n  v6 = add v4, v5\n  ret v6\n"),
            "(000) ldb [0]\n"
            "(001) jeq #0x1 jt 2 jf 4\n"
            "(002) ldh [2]\n"
            "(003) ja 5\n"
            "(004) ldh [4]\n"
            "(005) add #3\n"
            "(006) ret\n");
}

TEST(CbpfCodegen, ChecksOfUnusedLoadsStay) {
  // The load's value is unused, but a short packet must still give 0.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.4 [100]\n  v1 = const 1\n  ret v1\n"), "(000) ld [100]\n(001) ret #1\n");
  // A load only used in a later block is checked where the IR does it.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [50]\n  v1 = len\n  v2 = const 60\n  br gt v1, v2, b1, b2\n"
                            "b1:\n  ret v0\nb2:\n  v3 = const 1\n  ret v3\n"),
            "(000) ldb [50]\n(001) ld #pktlen\n(002) jgt #0x3c jt 3 jf 5\n(003) ldb [50]\n(004) ret\n(005) ret #1\n");
}

TEST(CbpfCodegen, CertainTrapsBecomeRetZero) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.2 [12]\n  v1 = const 0\n  v2 = div v0, v1\n  ret v2\n"), "(000) ret #0\n");
  // A constant index whose sum with the offset does not fit in 32 bits.
  EXPECT_EQ(compile_listing("b0:\n  v0 = const 0xfffffff0\n  v1 = load.1 [v0 + 0x20]\n  v2 = const 1\n  ret v2\n"),
            "(000) ret #0\n");
  // Every path returns 0 anyway: checks on the way do not matter.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [0]\n  v1 = const 0\n  br eq v0, v1, b1, b2\n"
                            "b1:\n  ret v1\nb2:\n  v2 = load.4 [v0 + 3]\n  ret v1\n"),
            "(000) ret #0\n");
}

TEST(CbpfCodegen, ShiftsByThirtyTwoOrMoreGiveZero) {
  // Never lsh #33 (undefined in bpf_filter, refused by the kernel).
  EXPECT_EQ(compile_listing("b0:\n  v0 = len\n  v1 = const 33\n  v2 = shl v0, v1\n  ret v2\n"), "(000) ret #0\n");
  // The shifted load is still checked.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.2 [12]\n  v1 = const 32\n  v2 = shr v0, v1\n  v3 = const 7\n"
                            "  v4 = add v2, v3\n  ret v4\n"),
            "(000) ldh [12]\n(001) ld #0x0\n(002) add #7\n(003) ret\n");
}

TEST(CbpfCodegen, ConstantBranchesAreDecidedAtCompileTime) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = const 1\n  v1 = const 2\n  br gt v0, v1, b1, b2\n"
                            "b1:\n  ret v0\nb2:\n  v2 = len\n  ret v2\n"),
            "(000) ld #pktlen\n(001) ret\n");
}

TEST(CbpfCodegen, IdenticalBlocksAreShared) {
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b1, b2\n"
                            "b1:\n  v2 = load.1 [1]\n  br eq v2, v1, b3, b4\n"
                            "b2:\n  v3 = load.1 [2]\n  br eq v3, v1, b5, b6\n"
                            "b3:\n  v4 = const 9\n  ret v4\nb4:\n  v5 = const 0\n  ret v5\n"
                            "b5:\n  v6 = const 9\n  ret v6\nb6:\n  v7 = const 0\n  ret v7\n"),
            "(000) ldb [0]\n"
            "(001) jeq #0x1 jt 2 jf 4\n"
            "(002) ldb [1]\n"
            "(003) jeq #0x1 jt 6 jf 7\n"
            "(004) ldb [2]\n"
            "(005) jeq #0x1 jt 6 jf 7\n"
            "(006) ret #9\n"
            "(007) ret #0\n");
}

// Sixteen values live at once fit the sixteen slots; seventeen do not.
std::string many_live_values(int n) {
  std::string text = "b0:\n";
  for (int i = 0; i < n; ++i) {
    text += "  v" + std::to_string(2 * i) + " = load.4 [" + std::to_string(4 * i) + "]\n";
    text += "  v" + std::to_string(2 * i + 1) + " = neg v" + std::to_string(2 * i) + "\n";
  }
  text += "  jump b1\nb1:\n";
  int sum = 1, next = 2 * n;
  for (int i = 1; i < n; ++i, ++next) {
    text += "  v" + std::to_string(next) + " = add v" + std::to_string(sum) + ", v" + std::to_string(2 * i + 1) + "\n";
    sum = next;
  }
  return text + "  ret v" + std::to_string(sum) + "\n";
}

TEST(CbpfCodegen, SixteenLiveValuesFitTheScratchSlots) {
  Program p = compile(many_live_values(16));
  int stores = 0;
  uint32_t highest = 0;
  for (const Insn& i : p) {
    if (insn_class(i.code) == ST) {
      ++stores;
      highest = std::max(highest, i.k);
    }
  }
  EXPECT_EQ(stores, 16);
  EXPECT_EQ(highest, 15u);
}

TEST(CbpfCodegen, SeventeenLiveValuesAreTooMany) {
  auto f = ir::parse(many_live_values(17));
  ASSERT_TRUE(f.ok());
  auto p = generate(*f);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "too many registers needed to evaluate expression");
}

TEST(CbpfCodegen, MalformedIrIsAnInternalError) {
  auto f = ir::parse("b0:\n  ret v3\n");
  ASSERT_TRUE(f.ok());
  auto p = generate(*f);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "internal error: cbpf code generator given malformed IR: b0 terminator: operand v3 is not defined in any block");
}

// b0 branches to b2 (far) or b1; b1 is `gap` checked loads and `ret #1`; b2
// returns the wire length (more than a lone ret, so a ja is needed to get
// there from afar).
std::string jump_over(int gap) {
  std::string text = "b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b2, b1\nb1:\n";
  for (int i = 0; i < gap; ++i) text += "  v" + std::to_string(10 + i) + " = load.1 [" + std::to_string(i + 1) + "]\n";
  return text + "  ret v1\nb2:\n  v2 = len\n  ret v2\n";
}

TEST(CbpfCodegen, AJumpFallsThroughIntoItsTargetWhenLayoutAllows) {
  // b1 (IPv4: X = header length) jumps to the join b3, which b2 (IPv6)
  // also reaches by a conditional. In index order b1 would need `ja` over
  // b2; placing b2 first lets b1 fall through into b3.
  EXPECT_EQ(compile_listing("b0:\n  v0 = load.2 [12]\n  v1 = const 0x800\n  br eq v0, v1, b1, b2\n"
                            "b1:\n  v2 = load.1 [14]\n  v3 = const 0xf\n  v4 = and v2, v3\n  v5 = const 2\n"
                            "  v6 = shl v4, v5\n  jump b3\n"
                            "b2:\n  v7 = const 40\n  v8 = const 0x86dd\n  br eq v0, v8, b3, b4\n"
                            "b3:\n  v9 = phi [b1: v6], [b2: v7]\n  v10 = load.2 [v9 + 16]\n  v11 = const 53\n"
                            "  br eq v10, v11, b5, b4\n"
                            "b4:\n  v12 = const 0\n  ret v12\n"
                            "b5:\n  v13 = const 0x40000\n  ret v13\n"),
            "(000) ldh [12]\n"
            "(001) jeq #0x800 jt 4 jf 2\n"
            "(002) ldx #0x28\n"
            "(003) jeq #0x86dd jt 5 jf 7\n"
            "(004) ldxb 4*([14]&0xf)\n"
            "(005) ldh [x + 16]\n"
            "(006) jeq #0x35 jt 8 jf 7\n"
            "(007) ret #0\n"
            "(008) ret #262144\n");
}

TEST(CbpfCodegen, JumpsOf255AreDirect) {
  Program p = compile(jump_over(254));  // b1 is 255 instructions
  ASSERT_EQ(p.size(), 2u + 255u + 2u);
  EXPECT_EQ(p[1].jt, 255);
  EXPECT_EQ(p[1].jf, 0);
}

TEST(CbpfCodegen, JumpsOf256GoThroughATrampoline) {
  Program p = compile(jump_over(255));  // b1 is 256 instructions
  ASSERT_EQ(p.size(), 2u + 1u + 256u + 2u);
  EXPECT_EQ(p[1].jt, 0);
  EXPECT_EQ(p[1].jf, 1);
  EXPECT_EQ(p[2].code, JMP | JA);
  EXPECT_EQ(3 + p[2].k, p.size() - 2);  // the ja lands on b2
}

TEST(CbpfCodegen, FarLoneReturnsAreCopiedInsteadOfJumpedTo) {
  std::string text = "b0:\n  v0 = load.1 [0]\n  v1 = const 1\n  br eq v0, v1, b2, b1\nb1:\n";
  for (int i = 0; i < 300; ++i) text += "  v" + std::to_string(10 + i) + " = load.1 [" + std::to_string(i + 1) + "]\n";
  text += "  v2 = len\n  ret v2\nb2:\n  ret v1\n";
  Program p = compile(text);
  EXPECT_EQ(p[1].jt, 0);
  EXPECT_EQ(p[2].code, RET | K);
  EXPECT_EQ(p[2].k, 1u);
}

}  // namespace
}  // namespace bpfc::cbpf
