// The listing, -dd and JSON printers: exact text for each instruction form,
// every opcode byte printed without a crash, -dd compiled by a C compiler
// against linux/bpf.h, and JSON fields that round-trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bpfc/ebpf/format.h"

namespace bpfc::ebpf {
namespace {

std::string fmt_invalid(uint8_t code) {
  static const char hex[] = "0123456789abcdef";
  return std::string("(") + hex[code >> 4] + hex[code & 15] + ") invalid";
}

std::string text(const Insn& insn) {
  const Insn one[1] = {insn};
  return format_insn(one, 0);
}

TEST(EbpfFormat, EachInstructionFormInBpftoolNotation) {
  EXPECT_EQ(text(ldx_mem(W, R2, R1, 76)), "(61) r2 = *(u32 *)(r1 +76)");
  EXPECT_EQ(text(ldx_mem(DW, R3, R10, -8)), "(79) r3 = *(u64 *)(r10 -8)");
  EXPECT_EQ(text(Insn{LDX | 0x80 | H, 4, 5, 2, 0}), "(89) r4 = *(s16 *)(r5 +2)");
  EXPECT_EQ(text(stx_mem(B, R10, R1, -1)), "(73) *(u8 *)(r10 -1) = r1");
  EXPECT_EQ(text(st_mem(W, R10, -4, -7)), "(62) *(u32 *)(r10 -4) = -7");
  EXPECT_EQ(text(ld_abs(H, 12)), "(28) r0 = *(u16 *)skb[12]");
  EXPECT_EQ(text(ld_abs(W, 26)), "(20) r0 = *(u32 *)skb[26]");
  EXPECT_EQ(text(ld_ind(B, R7, 14)), "(50) r0 = *(u8 *)skb[r7 + 14]");
  EXPECT_EQ(text(mov64_imm(R0, 262144)), "(b7) r0 = 262144");
  EXPECT_EQ(text(mov64_reg(R6, R1)), "(bf) r6 = r1");
  EXPECT_EQ(text(mov32_imm(R1, -1)), "(b4) w1 = -1");
  EXPECT_EQ(text(alu32_imm(ADD, R1, 3)), "(04) w1 += 3");
  EXPECT_EQ(text(alu64_imm(AND, R0, 0x1fff)), "(57) r0 &= 8191");
  EXPECT_EQ(text(alu64_reg(SUB, R2, R3)), "(1f) r2 -= r3");
  EXPECT_EQ(text(alu64_imm(LSH, R1, 32)), "(67) r1 <<= 32");
  EXPECT_EQ(text(alu64_imm(ARSH, R1, 3)), "(c7) r1 s>>= 3");
  EXPECT_EQ(text(alu32_reg(XOR, R4, R5)), "(ac) w4 ^= w5");
  EXPECT_EQ(text(alu64_imm(NEG, R2, 0)), "(87) r2 = -r2");
  EXPECT_EQ(text(Insn{ALU64 | DIV | K, 1, 0, 1, 3}), "(37) r1 s/= 3");
  EXPECT_EQ(text(Insn{ALU64 | MOV | X, 1, 2, 8, 0}), "(bf) r1 = (s8)r2");
  EXPECT_EQ(text(to_be(R1, 16)), "(dc) r1 = be16 r1");
  EXPECT_EQ(text(Insn{ALU | END | TO_LE, 2, 0, 0, 32}), "(d4) r2 = le32 r2");
  EXPECT_EQ(text(Insn{ALU64 | END, 2, 0, 0, 64}), "(d7) r2 = bswap64 r2");
  EXPECT_EQ(text(jmp_imm(JNE, R1, 0x800, 3)), "(55) if r1 != 0x800 goto pc+3");
  EXPECT_EQ(text(jmp_imm(JEQ, R0, -1, -2)), "(15) if r0 == 0xffffffff goto pc-2");
  EXPECT_EQ(text(jmp_reg(JGT, R2, R3, 1)), "(2d) if r2 > r3 goto pc+1");
  EXPECT_EQ(text(jmp32_imm(JSET, R4, 0x10, 0)), "(46) if w4 & 0x10 goto pc+0");
  EXPECT_EQ(text(jmp32_reg(JSLE, R4, R5, 7)), "(de) if w4 s<= w5 goto pc+7");
  EXPECT_EQ(text(ja(5)), "(05) goto pc+5");
  EXPECT_EQ(text(Insn{JMP32 | JA, 0, 0, 0, -70000}), "(06) gotol pc-70000");
  EXPECT_EQ(text(call(kHelperSkbLoadBytes)), "(85) call bpf_skb_load_bytes#26");
  EXPECT_EQ(text(call(kHelperProbeReadKernel)), "(85) call bpf_probe_read_kernel#113");
  EXPECT_EQ(text(call(100000)), "(85) call unknown#100000");
  EXPECT_EQ(text(Insn{JMP | CALL, 0, 1, 0, 7}), "(85) call pc+7");
  EXPECT_EQ(text(exit_insn()), "(95) exit");
  EXPECT_EQ(text(Insn{STX | ATOMIC | DW, 1, 2, 8, ADD}), "(db) lock *(u64 *)(r1 +8) += r2");
  EXPECT_EQ(text(Insn{STX | ATOMIC | W, 1, 2, 0, ADD | 1}), "(c3) r2 = atomic_fetch_add((u32 *)(r1 +0), r2)");
  EXPECT_EQ(text(Insn{STX | ATOMIC | DW, 1, 2, 0, 0xf1}), "(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)");
}

TEST(EbpfFormat, ListingNumbersSlotsAndJoinsWideImmediates) {
  Program p{ld_abs(H, 12), jmp_imm(JNE, R0, 0x800, 3)};
  for (const Insn& insn : ld_imm64(R1, 0x100000000ull)) p.push_back(insn);
  p.push_back(mov64_imm(R0, 262144));
  p.push_back(exit_insn());
  EXPECT_EQ(format_listing(p),
            "   0: (28) r0 = *(u16 *)skb[12]\n"
            "   1: (55) if r0 != 0x800 goto pc+3\n"
            "   2: (18) r1 = 0x100000000\n"
            "   4: (b7) r0 = 262144\n"
            "   5: (95) exit\n");
  // A wide load cut short is shown as invalid, not read past the end.
  Program cut{ld_imm64(R1, 1)[0]};
  EXPECT_EQ(format_listing(cut), "   0: (18) invalid: 64-bit immediate load without its second slot\n");
  EXPECT_EQ(format_listing({ld_imm64(R1, 7, kPseudoMapFd)[0], ld_imm64(R1, 7, kPseudoMapFd)[1]}),
            "   0: (18) r1 = map[fd:7]\n");
}

TEST(EbpfFormat, EveryOpcodeByteHasALine) {
  // Undefined opcodes in each class; the defined ones around them print.
  const uint8_t undefined[] = {0x38, 0x58, 0x60, 0x01, 0x99, 0x02, 0x03, 0xe4, 0xf7, 0x8c, 0x8f,
                               0xdf, 0x8d, 0x86, 0x96, 0x0d, 0xed, 0xff, 0xe6, 0x0e};
  for (uint8_t code : undefined) {
    const Insn insn{code, 1, 2, 0, 16};
    EXPECT_EQ(text(insn), fmt_invalid(code)) << int(code);
    EXPECT_FALSE(is_known_opcode(insn)) << int(code);
  }
  size_t known = 0;
  for (int code = 0; code < 256; ++code) {
    for (int32_t imm : {0, 1, 16, 0xe1, 0x100}) {
      const Program p{Insn{static_cast<uint8_t>(code), 1, 0, 0, imm}, Insn{}};
      const std::string line = format_insn(p, 0);
      EXPECT_EQ(line.substr(0, 5), "(" + std::string(1, "0123456789abcdef"[code >> 4]) +
                                       std::string(1, "0123456789abcdef"[code & 15]) + ") ");
      EXPECT_EQ(line.find("invalid") == std::string::npos, is_known_opcode(p[0])) << line;
      if (imm == 0 && is_known_opcode(p[0])) ++known;
    }
  }
  // LD 7 (ld_imm64, 3 ABS, 3 IND), LDX 7, ST 4, STX 4 + ATOMIC add (W, DW),
  // ALU 25 (12 ops x 2 sources + NEG; END needs imm 16/32/64), ALU64 25,
  // JMP 11 x 2 + ja + call + exit + may_goto, JMP32 11 x 2 + gotol.
  EXPECT_EQ(known, 7u + 7 + 4 + 6 + 25 + 25 + 26 + 23);
}

TEST(EbpfFormat, CArrayUsesKernelFieldNames) {
  const Program p{ldx_mem(W, R2, R1, 76), st_mem(H, R10, -32768, INT32_MIN), exit_insn()};
  EXPECT_EQ(format_c_array(p),
            "{ .code = 0x61, .dst_reg = 2, .src_reg = 1, .off = 76, .imm = 0 },\n"
            "{ .code = 0x6a, .dst_reg = 10, .src_reg = 0, .off = -32768, .imm = -2147483647 - 1 },\n"
            "{ .code = 0x95, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0 },\n");
}

TEST(EbpfFormat, JsonHasTheFieldsAndTheListingText) {
  Program p{ld_abs(H, 12)};
  for (const Insn& insn : ld_imm64(R1, 0xffffffff00000001ull)) p.push_back(insn);
  p.push_back(exit_insn());
  const nlohmann::json j = nlohmann::json::parse(format_json(p, Hook::Xdp));
  EXPECT_EQ(j["hook"], "xdp");
  EXPECT_EQ(j["section"], "xdp");
  EXPECT_EQ(j["program_type"], kProgTypeXdp);
  ASSERT_EQ(j["length"], 4);
  ASSERT_EQ(j["instructions"].size(), 4u);
  for (size_t i = 0; i < p.size(); ++i) {
    const auto& e = j["instructions"][i];
    const Insn back{e["code"].get<uint8_t>(), e["dst_reg"].get<uint8_t>(), e["src_reg"].get<uint8_t>(),
                    e["off"].get<int16_t>(), e["imm"].get<int32_t>()};
    EXPECT_EQ(back, p[i]) << i;
  }
  EXPECT_EQ(j["instructions"][0]["text"], "(28) r0 = *(u16 *)skb[12]");
  EXPECT_EQ(j["instructions"][1]["text"], "(18) r1 = 0xffffffff00000001");
  EXPECT_TRUE(j["instructions"][2]["text"].is_null());
  EXPECT_EQ(j["instructions"][3]["text"], "(95) exit");
  EXPECT_FALSE(nlohmann::json::parse(format_json(p)).contains("hook"));
  EXPECT_EQ(nlohmann::json::parse(format_json({}))["instructions"].size(), 0u);
}

}  // namespace
}  // namespace bpfc::ebpf
