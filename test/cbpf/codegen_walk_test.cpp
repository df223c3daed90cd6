// The protochain walk in classic BPF: libpcap's loop (a backward ja, k
// sign-extended), tightened; what libpcap's validator and interpreter
// accept, what the kernel's rules refuse and why; the loop through the
// listing, assembler and JSON forms.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <sstream>
#include <string>

#include "../runtime/libpcap_oracle.h"
#include "bpfc/cbpf/codegen.h"
#include "bpfc/cbpf/format.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/parser.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::cbpf {
namespace {

std::string listing(const Program& p) { return testing::libpcap_listing(p); }

// `ip6 protochain S` on Ethernet, as lowering gives it.
std::string ip6_protochain(uint32_t stop, int version = 6) {
  const bool v6 = version == 6;
  return std::string("b0:\n  v0 = load.2 [12]\n  v1 = const ") + (v6 ? "0x86dd" : "0x800") +
         "\n  br eq v0, v1, b1, b2\n"
         "b1:\n  v2 = load.1 [" + (v6 ? "20" : "23") + "]\n" +
         (v6 ? "  v3 = const 40\n" : "  v10 = load.1 [14]\n  v11 = const 15\n  v12 = and v10, v11\n"
                                     "  v13 = const 2\n  v3 = shl v12, v13\n") +
         "  v4 = protochain.ip" + std::to_string(version) + " v2, v3 [14] stop " + std::to_string(stop) +
         "\n  v5 = const " + std::to_string(stop) +
         "\n  br eq v4, v5, b3, b2\n"
         "b2:\n  v6 = const 0\n  ret v6\n"
         "b3:\n  v7 = const 0x40000\n  ret v7\n";
}

Program compile(const std::string& ir_text) {
  auto f = ir::parse(ir_text);
  EXPECT_TRUE(f.ok()) << f.error().message;
  if (!f) return {};
  auto program = generate(*f);
  EXPECT_TRUE(program.ok()) << program.error().message;
  return program ? *program : Program{};
}

TEST(CodegenWalk, EmitsLibpcapsLoopTightened) {
  EXPECT_EQ(listing(compile(ip6_protochain(6))),
            "(000) ldh [12]\n"
            "(001) jeq #0x86dd jt 2 jf 24\n"
            "(002) ldb [20]\n"
            "(003) ldx #0x28\n"
            "(004) jeq #0x6 jt 23 jf 5\n"
            "(005) jeq #0x3b jt 23 jf 6\n"
            "(006) jeq #0x0 jt 15 jf 7\n"
            "(007) jeq #0x3c jt 15 jf 8\n"
            "(008) jeq #0x2b jt 15 jf 9\n"
            "(009) jeq #0x2c jt 15 jf 10\n"
            "(010) jeq #0x33 jt 11 jf 23\n"
            "(011) ldb [x + 15]\n"
            "(012) add #2\n"
            "(013) lsh #2\n"
            "(014) ja 19\n"
            "(015) ldb [x + 15]\n"
            "(016) add #1\n"
            "(017) lsh #3\n"
            "(018) add x\n"
            "(019) st M[0]\n"
            "(020) ldb [x + 14]\n"
            "(021) ldx M[0]\n"
            "(022) ja 4\n"
            "(023) jeq #0x6 jt 25 jf 24\n"
            "(024) ret #0\n"
            "(025) ret #262144\n");
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CodegenWalk, LeavesOutTestsTheStopValueMakes) {
  // Looking for "no next header": the walk tests it once (and the filter
  // once more, on the walk's result).
  const std::string none = listing(compile(ip6_protochain(59)));
  EXPECT_EQ(count(none, "jeq #0x3b "), 2u) << none;
  EXPECT_EQ(count(none, "jeq #0x2b "), 1u) << none;
  // Looking for a fragment header: it ends the walk; the other three
  // extension headers are stepped over.
  const std::string frag = listing(compile(ip6_protochain(44)));
  EXPECT_EQ(count(frag, "jeq #0x2c "), 2u) << frag;
  EXPECT_EQ(count(frag, "jeq #0x3b "), 1u) << frag;
  EXPECT_EQ(count(frag, "jeq #0x3c "), 1u) << frag;
  // Looking for AH after IPv4: the walk never steps (AH is all it follows).
  const Program ah = compile(ip6_protochain(51, 4));
  for (const Insn& insn : ah) EXPECT_NE(insn.code, JMP | JA) << listing(ah);
}

TEST(CodegenWalk, RunsLikeTheIrUnderBothInterpreters) {
  for (int version : {6, 4}) {
    for (uint32_t stop : {6u, 17u, 0u, 43u, 44u, 51u, 59u, 60u, 300u}) {
      const std::string text = ip6_protochain(stop, version);
      auto f = ir::parse(text);
      ASSERT_TRUE(f.ok());
      const Program p = compile(text);
      auto insns = testing::to_libpcap(p);
      ASSERT_EQ(bpf_validate(insns.data(), static_cast<int>(insns.size())), 1) << listing(p);
      // Chains of extension and AH headers, cut at every length.
      std::vector<uint8_t> packet(14 + 40, 0);
      packet[12] = version == 6 ? 0x86 : 0x08;
      packet[13] = version == 6 ? 0xdd : 0x00;
      packet[14] = version == 6 ? 0x60 : 0x45;
      packet[version == 6 ? 20 : 23] = 0;
      const uint8_t kinds[] = {60, 43, 51, 44, 0, 6};
      for (uint8_t next : kinds) {
        const size_t at = packet.size();
        packet.resize(at + 16, 0xa5);
        packet[at] = next;
        packet[at + 1] = next == 51 ? static_cast<uint8_t>((at + 16 - 14) / 4 - 2) : 1;
      }
      for (size_t caplen = 0; caplen <= packet.size(); ++caplen) {
        std::span<const uint8_t> bytes(packet.data(), caplen);
        const uint32_t want = ir::interpret(*f, bytes, 1000);
        EXPECT_EQ(runtime::run_cbpf(p, bytes, 1000), want) << "stop " << stop << ", caplen " << caplen;
        EXPECT_EQ(bpf_filter(insns.data(), packet.data(), 1000, static_cast<u_int>(caplen)), want)
            << "stop " << stop << ", caplen " << caplen;
      }
    }
  }
}

TEST(CodegenWalk, TheKernelRefusesTheBackwardJump) {
  const Program p = compile(ip6_protochain(6));
  auto kernel = runtime::validate_cbpf(p, runtime::ValidationRules::LinuxKernel);
  ASSERT_TRUE(kernel.has_value());
  EXPECT_EQ(kernel->index, 22u);
  EXPECT_EQ(kernel->describe(), "instruction 22: backward jump to instruction 4 (the kernel allows forward jumps only)");
  EXPECT_FALSE(runtime::validate_cbpf(p, runtime::ValidationRules::Libpcap).has_value());
}

TEST(CodegenWalk, TheLoopSurvivesEveryTextForm) {
  const Program p = compile(ip6_protochain(6));
  ASSERT_EQ(p[22].code, JMP | JA);
  EXPECT_EQ(p[22].k, 0xffffffedu);  // -19: libpcap's encoding of the backward jump
  auto from_listing = parse_program(format_listing(p));
  ASSERT_TRUE(from_listing.ok()) << from_listing.error().message;
  EXPECT_EQ(*from_listing, p);
  for (const std::string& text : {format_c_array(p), format_decimal(p)}) {
    auto from_numbers = parse_program(text);
    ASSERT_TRUE(from_numbers.ok()) << from_numbers.error().message;
    EXPECT_EQ(*from_numbers, p);
  }
  const std::string json = format_json(p);
  EXPECT_NE(json.find("{\"code\": 5, \"jt\": 0, \"jf\": 0, \"k\": 4294967277, \"text\": \"(022) ja       4\"}"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace bpfc::cbpf
