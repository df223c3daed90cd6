// run_ebpf(): the kernel's semantics on values worked out by hand, the
// hooks' contexts, and memory safety (every bad access is a fault that names
// the instruction).
#include "bpfc/runtime/ebpf_vm.h"

#include <gtest/gtest.h>

#include <vector>

namespace bpfc::runtime {
namespace {

using namespace bpfc::ebpf;

const std::vector<uint8_t> kPacket{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00};

Program concat(std::initializer_list<Program> parts) {
  Program p;
  for (const Program& part : parts) p.insert(p.end(), part.begin(), part.end());
  return p;
}

Program imm64(uint8_t dst, uint64_t v) {
  const auto pair = ld_imm64(dst, v);
  return {pair[0], pair[1]};
}

uint64_t r0_of(const Program& p, Hook hook = Hook::Socket, std::span<const uint8_t> packet = kPacket) {
  EbpfContext ctx;
  ctx.hook = hook;
  ctx.packet = packet;
  const EbpfRun run = run_ebpf(p, ctx);
  EXPECT_TRUE(run.ok()) << run.fault->describe();
  return run.r0;
}

EbpfFault fault_of(const Program& p, Hook hook = Hook::Socket, std::span<const uint8_t> packet = kPacket) {
  EbpfContext ctx;
  ctx.hook = hook;
  ctx.packet = packet;
  const EbpfRun run = run_ebpf(p, ctx);
  EXPECT_FALSE(run.ok()) << "r0 = " << run.r0;
  return run.fault.value_or(EbpfFault{});
}

TEST(EbpfVm, Alu64) {
  EXPECT_EQ(r0_of({mov64_imm(R0, -1), exit_insn()}), ~uint64_t{0});  // imm sign-extends
  EXPECT_EQ(r0_of({mov64_imm(R0, 5), alu64_imm(SUB, R0, 7), exit_insn()}), uint64_t(-2));
  EXPECT_EQ(r0_of(concat({imm64(R0, 0x100000000), {alu64_imm(MUL, R0, 3), exit_insn()}})), 0x300000000u);
  EXPECT_EQ(r0_of({mov64_imm(R0, -8), alu64_imm(ARSH, R0, 1), exit_insn()}), uint64_t(-4));
  EXPECT_EQ(r0_of({mov64_imm(R0, -8), alu64_imm(RSH, R0, 60), exit_insn()}), 0xfu);
  EXPECT_EQ(r0_of({mov64_imm(R0, 3), alu64_imm(NEG, R0, 0), exit_insn()}), uint64_t(-3));
  EXPECT_EQ(r0_of({mov64_imm(R0, 0x0f), alu64_imm(XOR, R0, 0xff), alu64_imm(OR, R0, 0x100), alu64_imm(AND, R0, 0x1f0),
                   exit_insn()}),
            0x1f0u);
}

TEST(EbpfVm, Alu32ZeroExtends) {
  EXPECT_EQ(r0_of({mov64_imm(R0, -1), alu32_imm(ADD, R0, 1), exit_insn()}), 0u);
  EXPECT_EQ(r0_of({mov32_imm(R0, -1), exit_insn()}), 0xffffffffu);
  EXPECT_EQ(r0_of({mov64_imm(R0, -8), alu32_imm(ARSH, R0, 1), exit_insn()}), 0xfffffffcu);
  EXPECT_EQ(r0_of({mov64_imm(R0, 3), alu32_imm(NEG, R0, 0), exit_insn()}), 0xfffffffdu);
  EXPECT_EQ(r0_of(concat({imm64(R1, 0xffffffff00000005), {mov64_imm(R0, 7), alu32_reg(ADD, R0, R1), exit_insn()}})),
            12u);
}

TEST(EbpfVm, DivisionAndModulusByZero) {
  // Division by a zero register gives 0; modulus keeps dst (32-bit: its low
  // half, zero-extended).
  EXPECT_EQ(r0_of({mov64_imm(R0, 9), mov64_imm(R1, 0), alu64_reg(DIV, R0, R1), exit_insn()}), 0u);
  EXPECT_EQ(r0_of({mov64_imm(R0, 9), mov64_imm(R1, 0), alu32_reg(DIV, R0, R1), exit_insn()}), 0u);
  EXPECT_EQ(r0_of({mov64_imm(R0, -9), mov64_imm(R1, 0), alu64_reg(MOD, R0, R1), exit_insn()}), uint64_t(-9));
  EXPECT_EQ(r0_of({mov64_imm(R0, -9), mov64_imm(R1, 0), alu32_reg(MOD, R0, R1), exit_insn()}), 0xfffffff7u);
  // 32-bit division looks at the divisor's low half only.
  EXPECT_EQ(r0_of(concat({imm64(R1, 0x100000000), {mov64_imm(R0, 9), alu32_reg(DIV, R0, R1), exit_insn()}})), 0u);
  EXPECT_EQ(r0_of({mov64_imm(R0, 100), mov64_imm(R1, 7), alu64_reg(DIV, R0, R1), exit_insn()}), 14u);
  EXPECT_EQ(r0_of({mov64_imm(R0, 100), alu64_imm(MOD, R0, 7), exit_insn()}), 2u);
  // Unsigned: -1 / 2 is huge.
  EXPECT_EQ(r0_of({mov64_imm(R0, -1), alu64_imm(DIV, R0, 2), exit_insn()}), ~uint64_t{0} / 2);
}

TEST(EbpfVm, ShiftAmountsAreMasked) {
  EXPECT_EQ(r0_of({mov64_imm(R0, 1), mov64_imm(R1, 65), alu64_reg(LSH, R0, R1), exit_insn()}), 2u);
  EXPECT_EQ(r0_of({mov64_imm(R0, 1), mov64_imm(R1, 33), alu32_reg(LSH, R0, R1), exit_insn()}), 2u);
  EXPECT_EQ(r0_of({mov64_imm(R0, -1), mov64_imm(R1, 36), alu32_reg(RSH, R0, R1), exit_insn()}), 0x0fffffffu);
  EXPECT_EQ(r0_of({mov64_imm(R0, -16), mov64_imm(R1, 66), alu64_reg(ARSH, R0, R1), exit_insn()}), uint64_t(-4));
}

TEST(EbpfVm, ByteSwaps) {
  const Program value = imm64(R0, 0x1122334455667788);
  EXPECT_EQ(r0_of(concat({value, {to_be(R0, 16), exit_insn()}})), 0x8877u);
  EXPECT_EQ(r0_of(concat({value, {to_be(R0, 32), exit_insn()}})), 0x88776655u);
  EXPECT_EQ(r0_of(concat({value, {to_be(R0, 64), exit_insn()}})), 0x8877665544332211u);
  const auto to_le = [](int32_t bits) { return Insn{ALU | END | TO_LE, R0, 0, 0, bits}; };
  EXPECT_EQ(r0_of(concat({value, {to_le(16), exit_insn()}})), 0x7788u);
  EXPECT_EQ(r0_of(concat({value, {to_le(32), exit_insn()}})), 0x55667788u);
  EXPECT_EQ(r0_of(concat({value, {to_le(64), exit_insn()}})), 0x1122334455667788u);
}

// r0 = 1 when the jump is taken, 0 when not.
uint64_t taken(Insn jump, uint64_t a, uint64_t b) {
  jump.off = 1;
  return r0_of(
      concat({imm64(R1, a), imm64(R2, b), {mov64_imm(R0, 0), jump, exit_insn(), mov64_imm(R0, 1), exit_insn()}}));
}

TEST(EbpfVm, SignedAndUnsignedJumps) {
  const uint64_t minus1 = ~uint64_t{0};
  EXPECT_EQ(taken(jmp_reg(JGT, R1, R2, 0), minus1, 1), 1u);
  EXPECT_EQ(taken(jmp_reg(JSGT, R1, R2, 0), minus1, 1), 0u);
  EXPECT_EQ(taken(jmp_reg(JSLT, R1, R2, 0), minus1, 1), 1u);
  EXPECT_EQ(taken(jmp_reg(JSLE, R1, R2, 0), 5, 5), 1u);
  EXPECT_EQ(taken(jmp_reg(JSGE, R1, R2, 0), 4, 5), 0u);
  EXPECT_EQ(taken(jmp_reg(JLE, R1, R2, 0), 4, 5), 1u);
  EXPECT_EQ(taken(jmp_reg(JGE, R1, R2, 0), 4, 5), 0u);
  EXPECT_EQ(taken(jmp_reg(JLT, R1, R2, 0), 5, minus1), 1u);
  EXPECT_EQ(taken(jmp_reg(JSET, R1, R2, 0), 6, 1), 0u);
  EXPECT_EQ(taken(jmp_reg(JNE, R1, R2, 0), 6, 6), 0u);
  EXPECT_EQ(taken(jmp_reg(JEQ, R1, R2, 0), 6, 6), 1u);
  // JMP32 compares the low halves; a signed 32-bit compare sees the sign
  // bit at 31.
  EXPECT_EQ(taken(jmp32_reg(JEQ, R1, R2, 0), 0x100000006, 6), 1u);
  EXPECT_EQ(taken(jmp_reg(JEQ, R1, R2, 0), 0x100000006, 6), 0u);
  EXPECT_EQ(taken(jmp32_reg(JSLT, R1, R2, 0), 0x80000000, 0), 1u);
  EXPECT_EQ(taken(jmp_reg(JSLT, R1, R2, 0), 0x80000000, 0), 0u);
  // Immediates sign-extend to 64 bits for JMP.
  EXPECT_EQ(
      r0_of({mov64_imm(R1, -1), mov64_imm(R0, 0), jmp_imm(JEQ, R1, -1, 1), exit_insn(), mov64_imm(R0, 1), exit_insn()}),
      1u);
}

TEST(EbpfVm, LegacyPacketLoads) {
  const Program head{mov64_reg(R6, R1)};
  EXPECT_EQ(r0_of(concat({head, {ld_abs(H, 12), exit_insn()}})), 0x0800u);
  EXPECT_EQ(r0_of(concat({head, {ld_abs(W, 1), exit_insn()}})), 0x11223344u);
  EXPECT_EQ(r0_of(concat({head, {mov64_imm(R7, 3), ld_ind(B, R7, 2), exit_insn()}})), 0x55u);
  // Past the end, or a negative offset: the program returns 0 at once.
  EXPECT_EQ(r0_of(concat({head, {ld_abs(H, 13), mov64_imm(R0, 9), exit_insn()}})), 0u);
  EXPECT_EQ(r0_of(concat({head, {mov64_imm(R7, -1), ld_ind(B, R7, 0), mov64_imm(R0, 9), exit_insn()}})), 0u);
  // The offset is (int)(src + imm): 0x100000002 + 1 reads byte 3.
  EXPECT_EQ(r0_of(concat({head, imm64(R7, 0x100000002), {ld_ind(B, R7, 1), exit_insn()}})), 0x33u);
  // r1-r5 are clobbered.
  EXPECT_NE(fault_of(concat({head, {ld_abs(B, 0), mov64_reg(R0, R1), exit_insn()}})).message.find("r1 is read before"),
            std::string::npos);
  // Only with the context in r6, and not in XDP.
  EXPECT_NE(fault_of({ld_abs(B, 0), exit_insn()}).message.find("r6"), std::string::npos);
  EXPECT_NE(fault_of(concat({head, {ld_abs(B, 0), exit_insn()}}), Hook::Xdp).message.find("only in socket"),
            std::string::npos);
}

TEST(EbpfVm, SocketContextFields) {
  EbpfContext ctx;
  ctx.packet = kPacket;
  ctx.skb.ethertype = 0x0800;
  ctx.skb.vlan_tci = 0x1234;
  ctx.skb.ifindex = 7;
  auto field = [&](uint8_t size, int16_t off) {
    const EbpfRun run = run_ebpf({ldx_mem(size, R0, R1, off), exit_insn()}, ctx);
    EXPECT_TRUE(run.ok()) << run.fault->describe();
    return run.r0;
  };
  EXPECT_EQ(field(W, skb::kLen), kPacket.size());
  EXPECT_EQ(field(W, skb::kProtocol), 0x0008u);  // network order in a little-endian word
  EXPECT_EQ(field(H, skb::kVlanTci), 0x1234u);
  EXPECT_EQ(field(B, skb::kVlanTci + 1), 0x12u);
  EXPECT_EQ(field(W, skb::kIfindex), 7u);
  const EbpfRun data = run_ebpf({ldx_mem(W, R0, R1, skb::kData), exit_insn()}, ctx);
  EXPECT_NE(data.fault.value().message.find("not readable in socket filters"), std::string::npos);
  EXPECT_FALSE(run_ebpf({ldx_mem(DW, R0, R1, skb::kLen), exit_insn()}, ctx).ok());
  EXPECT_FALSE(run_ebpf({ldx_mem(H, R0, R1, skb::kLen + 1), exit_insn()}, ctx).ok());  // misaligned
  EXPECT_FALSE(run_ebpf({ldx_mem(W, R0, R1, 8), exit_insn()}, ctx).ok());              // not modelled
  EXPECT_FALSE(run_ebpf({st_mem(W, R1, skb::kLen, 0), mov64_imm(R0, 0), exit_insn()}, ctx).ok());
}

// The XDP idiom: load data/data_end, check bounds, read.
Program xdp_read_byte(int16_t at) {
  return {ldx_mem(W, R2, R1, xdp_md::kData),
          ldx_mem(W, R3, R1, xdp_md::kDataEnd),
          mov64_reg(R4, R2),
          alu64_imm(ADD, R4, at + 1),
          mov64_imm(R0, 1000),
          jmp_reg(JGT, R4, R3, 1),
          ldx_mem(B, R0, R2, at),
          exit_insn()};
}

TEST(EbpfVm, DirectPacketAccess) {
  EXPECT_EQ(r0_of(xdp_read_byte(1), Hook::Xdp), 0x11u);
  EXPECT_EQ(r0_of(xdp_read_byte(13), Hook::Xdp), 0x00u);
  EXPECT_EQ(r0_of(xdp_read_byte(14), Hook::Xdp), 1000u);  // the program's own check fails
  // tc reads the pointers at the __sk_buff offsets.
  Program tc = xdp_read_byte(12);
  tc[0].off = skb::kData;
  tc[1].off = skb::kDataEnd;
  EXPECT_EQ(r0_of(tc, Hook::Tc), 0x08u);
  // func: r1 = data, r2 = data_end.
  EXPECT_EQ(r0_of({mov64_reg(R0, R2), alu64_reg(SUB, R0, R1), exit_insn()}, Hook::Func), kPacket.size());
  EXPECT_EQ(r0_of({ldx_mem(H, R0, R1, 12), exit_insn()}, Hook::Func), 0x0008u);
  // Without the check the read is a fault, never a read outside the packet.
  const EbpfFault f = fault_of({ldx_mem(W, R2, R1, xdp_md::kData), ldx_mem(B, R0, R2, 14), exit_insn()}, Hook::Xdp);
  EXPECT_EQ(f.index, 1u);
  EXPECT_NE(f.message.find("outside the packet (14 bytes)"), std::string::npos) << f.message;
  EXPECT_FALSE(run_ebpf({ldx_mem(W, R2, R1, xdp_md::kData), ldx_mem(B, R0, R2, -1), exit_insn()},
                        EbpfContext{Hook::Xdp, kPacket, {}, 0})
                   .ok());
  // The packet is read-only; data_end cannot be read through or moved.
  EXPECT_FALSE(
      run_ebpf({st_mem(B, R1, 0, 1), mov64_imm(R0, 0), exit_insn()}, EbpfContext{Hook::Func, kPacket, {}, 0}).ok());
  EXPECT_FALSE(run_ebpf({ldx_mem(B, R0, R2, -1), exit_insn()}, EbpfContext{Hook::Func, kPacket, {}, 0}).ok());
  EXPECT_FALSE(
      run_ebpf({alu64_imm(SUB, R2, 1), mov64_imm(R0, 0), exit_insn()}, EbpfContext{Hook::Func, kPacket, {}, 0}).ok());
}

TEST(EbpfVm, StackIsCheckedAndTracked) {
  EXPECT_EQ(r0_of({st_mem(DW, R10, -8, -2), ldx_mem(W, R0, R10, -4), exit_insn()}), 0xffffffffu);
  EXPECT_EQ(r0_of({stx_mem(DW, R10, R10, -512), mov64_imm(R0, 0), exit_insn()}), 0u);  // spill of r10 itself
  // A spilled pointer comes back whole and still works.
  EXPECT_EQ(r0_of({stx_mem(DW, R10, R1, -16), ldx_mem(DW, R2, R10, -16), ldx_mem(W, R0, R2, skb::kLen), exit_insn()}),
            kPacket.size());
  EXPECT_NE(fault_of({ldx_mem(B, R0, R10, -1), exit_insn()}).message.find("never written"), std::string::npos);
  EXPECT_NE(fault_of({st_mem(B, R10, -513, 1), mov64_imm(R0, 0), exit_insn()}).message.find("outside the stack"),
            std::string::npos);
  EXPECT_NE(fault_of({st_mem(B, R10, 0, 1), mov64_imm(R0, 0), exit_insn()}).message.find("outside the stack"),
            std::string::npos);
  EXPECT_NE(fault_of({st_mem(W, R10, -6, 1), mov64_imm(R0, 0), exit_insn()}).message.find("misaligned"),
            std::string::npos);
  EXPECT_FALSE(run_ebpf({stx_mem(DW, R10, R1, -8), ldx_mem(W, R0, R10, -8), exit_insn()},
                        EbpfContext{Hook::Socket, kPacket, {}, 0})
                   .ok());
  EXPECT_FALSE(
      run_ebpf({stx_mem(W, R10, R1, -8), mov64_imm(R0, 0), exit_insn()}, EbpfContext{Hook::Socket, kPacket, {}, 0})
          .ok());
  // A partly overwritten pointer cannot be read back at all.
  EXPECT_FALSE(run_ebpf({stx_mem(DW, R10, R1, -8), st_mem(B, R10, -8, 0), ldx_mem(W, R0, R10, -4), exit_insn()},
                        EbpfContext{Hook::Socket, kPacket, {}, 0})
                   .ok());
}

TEST(EbpfVm, PointersStayPointers) {
  const std::string scalar_load = fault_of({mov64_imm(R2, 4096), ldx_mem(B, R0, R2, 0), exit_insn()}).message;
  EXPECT_NE(scalar_load.find("holds a number"), std::string::npos) << scalar_load;
  EXPECT_NE(fault_of({mov64_reg(R0, R10), exit_insn()}).message.find("exit with r0 holding a pointer"),
            std::string::npos);
  EXPECT_FALSE(run_ebpf({mov32_reg(R2, R10), mov64_imm(R0, 0), exit_insn()}, EbpfContext{}).ok());
  EXPECT_FALSE(run_ebpf({alu64_imm(MUL, R1, 2), mov64_imm(R0, 0), exit_insn()}, EbpfContext{}).ok());
  EXPECT_FALSE(run_ebpf({mov64_imm(R0, 0), jmp_imm(JEQ, R1, 0, 0), exit_insn()}, EbpfContext{}).ok());
  // Pointer - pointer into the same region is a number.
  EXPECT_EQ(r0_of({mov64_reg(R0, R10), alu64_imm(ADD, R0, -24), alu64_reg(SUB, R0, R10), exit_insn()}), uint64_t(-24));
  EXPECT_NE(fault_of({exit_insn()}).message.find("exit with r0 holding nothing"), std::string::npos);
}

TEST(EbpfVm, HelpersCopyOrFail) {
  // bpf_skb_load_bytes(ctx, offset, r10 - 8, 2): copies; past the end:
  // -EFAULT and zeros. r0 = the buffer's first two bytes << 16 | the
  // result's low 16 bits.
  auto load_bytes = [](int32_t offset) {
    return Program{st_mem(DW, R10, -8, -1),  mov64_reg(R3, R10),         alu64_imm(ADD, R3, -8),
                   mov64_imm(R2, offset),    mov64_imm(R4, 2),           call(kHelperSkbLoadBytes),
                   ldx_mem(DW, R1, R10, -8), alu64_imm(AND, R0, 0xffff), alu64_imm(AND, R1, 0xffff),
                   alu64_imm(LSH, R1, 16),   alu64_reg(OR, R0, R1),      exit_insn()};
  };
  EXPECT_EQ(r0_of(load_bytes(12)), 0x00080000u);
  EXPECT_EQ(r0_of(load_bytes(13)), 0xfff2u);
  EXPECT_EQ(r0_of(load_bytes(-1)), 0xfff2u);
  // bpf_probe_read_kernel(r10 - 4, 4, data + 1) from func; from a user
  // address: -ERANGE, from a kernel one: -EFAULT.
  const Program probe{mov64_reg(R3, R1), alu64_imm(ADD, R3, 1),        mov64_reg(R1, R10),      alu64_imm(ADD, R1, -4),
                      mov64_imm(R2, 4),  call(kHelperProbeReadKernel), ldx_mem(W, R0, R10, -4), exit_insn()};
  EXPECT_EQ(r0_of(probe, Hook::Func), 0x44332211u);
  Program wild = probe;
  wild[0] = mov64_imm(R3, 0x1000);
  wild[1] = mov64_imm(R4, 0);
  EXPECT_EQ(r0_of(wild, Hook::Func), 0u);  // the buffer is zeroed
  wild[6] = exit_insn();
  EXPECT_EQ(r0_of(wild, Hook::Func), uint64_t(-34));
  wild[0] = mov64_imm(R3, -4096);
  EXPECT_EQ(r0_of(wild, Hook::Func), uint64_t(-14));
  // From the stack: a copy.
  const Program from_stack{st_mem(W, R10, -8, 0x01020304),
                           mov64_reg(R3, R10),
                           alu64_imm(ADD, R3, -8),
                           mov64_reg(R1, R10),
                           alu64_imm(ADD, R1, -4),
                           mov64_imm(R2, 4),
                           call(kHelperProbeReadKernel),
                           ldx_mem(W, R0, R10, -4),
                           exit_insn()};
  EXPECT_EQ(r0_of(from_stack), 0x01020304u);
  // bpf_skb_pull_data: tc only; packet pointers must be reloaded after it.
  const Program pull{ldx_mem(W, R7, R1, skb::kData), mov64_imm(R2, 0), call(kHelperSkbPullData), ldx_mem(B, R0, R7, 0),
                     exit_insn()};
  EXPECT_EQ(fault_of(pull, Hook::Tc).index, 3u);
  EXPECT_FALSE(run_ebpf({mov64_imm(R2, 0), call(kHelperSkbPullData), exit_insn()}, EbpfContext{}).ok());
}

TEST(EbpfVm, ExecutionIsBounded) {
  const Program forever{mov64_imm(R0, 0), ja(-1), exit_insn()};
  EbpfContext ctx;
  const EbpfRun run = run_ebpf(forever, ctx, EbpfLimits{1000});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.executed_insns, 1000u);
  EXPECT_NE(run.fault->message.find("1000 instructions without exiting"), std::string::npos);
  // A bounded loop runs to its end.
  EXPECT_EQ(r0_of({mov64_imm(R0, 0), alu64_imm(ADD, R0, 1), jmp_imm(JLT, R0, 100, -2), exit_insn()}), 100u);
}

TEST(EbpfVm, InvalidProgramsFaultWhereTheyGoWrong) {
  EXPECT_EQ(fault_of({mov64_imm(R0, 0), Insn{0xe4, 0, 0, 0, 0}, exit_insn()}).index, 1u);
  const EbpfFault off_the_end = fault_of({mov64_imm(R0, 0), mov64_imm(R0, 1)});
  EXPECT_EQ(off_the_end.index, 1u);
  EXPECT_EQ(off_the_end.message, "execution ran off the end of the program after this instruction");
  EXPECT_EQ(fault_of({mov64_imm(R0, 0), ja(5), exit_insn()}).index, 1u);
  EXPECT_EQ(fault_of({}).message, "the program is empty");
  const auto pair = ld_imm64(R0, 1);
  EXPECT_EQ(fault_of({mov64_imm(R0, 0), pair[0]}).index, 1u);
}

}  // namespace
}  // namespace bpfc::runtime
