// The eBPF instruction and its opcode constants: the one definition that the
// eBPF backend, its listings, the ELF writer, the user-space eBPF interpreter
// and the kernel loader share. Header-only; the encoding is the kernel's
// (linux/bpf.h, Documentation/bpf/standardization/instruction-set.rst).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace bpfc::ebpf {

// Instruction classes (the low 3 bits of the opcode).
inline constexpr uint8_t LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06,
                         ALU64 = 0x07;
// Load/store size and mode.
inline constexpr uint8_t W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
inline constexpr uint8_t IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, ATOMIC = 0xc0;
// Operand source of ALU and jump instructions.
inline constexpr uint8_t K = 0x00, X = 0x08;
// ALU operations.
inline constexpr uint8_t ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
                         RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
// BPF_END's direction: to little- or big-endian (the source bit).
inline constexpr uint8_t TO_LE = 0x00, TO_BE = 0x08;
// Jump operations.
inline constexpr uint8_t JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60,
                         JSGE = 0x70, CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0;

inline constexpr uint8_t op_class(uint8_t code) { return code & 0x07; }
inline constexpr uint8_t op_size(uint8_t code) { return code & 0x18; }
inline constexpr uint8_t op_mode(uint8_t code) { return code & 0xe0; }
inline constexpr uint8_t op_source(uint8_t code) { return code & 0x08; }
inline constexpr uint8_t op_alu(uint8_t code) { return code & 0xf0; }
inline constexpr uint8_t op_jmp(uint8_t code) { return code & 0xf0; }
inline constexpr unsigned size_bytes(uint8_t size) { return size == B ? 1 : size == H ? 2 : size == W ? 4 : 8; }

// Registers: r0 holds return values, r1-r5 arguments (clobbered by calls),
// r6-r9 are kept across calls, r10 is the read-only frame pointer.
enum Reg : uint8_t { R0 = 0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };
inline constexpr unsigned kRegisterCount = 11;
inline constexpr int kStackSize = 512;      // bytes below r10
inline constexpr size_t kMaxInsns = 1000000;  // the kernel's BPF_COMPLEXITY_LIMIT_INSNS (privileged)
inline constexpr size_t kMaxInsnsUnprivileged = 4096;

// Helper functions the generated code calls (enum bpf_func_id).
inline constexpr int32_t kHelperSkbLoadBytes = 26;
inline constexpr int32_t kHelperSkbPullData = 39;
inline constexpr int32_t kHelperProbeReadKernel = 113;

// src_reg of a BPF_LD | BPF_IMM | BPF_DW whose imm is a map's fd.
inline constexpr uint8_t kPseudoMapFd = 1;

// One 8-byte instruction. The model keeps the registers apart; encode()
// packs them into struct bpf_insn's dst_reg:4 / src_reg:4 byte.
struct Insn {
  uint8_t code = 0;
  uint8_t dst = 0;
  uint8_t src = 0;
  int16_t off = 0;
  int32_t imm = 0;

  friend bool operator==(const Insn&, const Insn&) = default;
};

// The kernel's wire form of one instruction (little-endian hosts: dst_reg in
// the low nibble of byte 1).
inline std::array<uint8_t, 8> encode(const Insn& insn) {
  std::array<uint8_t, 8> bytes{};
  bytes[0] = insn.code;
  bytes[1] = static_cast<uint8_t>((insn.dst & 0x0f) | ((insn.src & 0x0f) << 4));
  const auto off = static_cast<uint16_t>(insn.off);
  bytes[2] = static_cast<uint8_t>(off);
  bytes[3] = static_cast<uint8_t>(off >> 8);
  const auto imm = static_cast<uint32_t>(insn.imm);
  for (int i = 0; i < 4; ++i) bytes[4 + i] = static_cast<uint8_t>(imm >> (8 * i));
  return bytes;
}

inline Insn decode(std::span<const uint8_t, 8> bytes) {
  Insn insn;
  insn.code = bytes[0];
  insn.dst = bytes[1] & 0x0f;
  insn.src = bytes[1] >> 4;
  insn.off = static_cast<int16_t>(static_cast<uint16_t>(bytes[2] | (bytes[3] << 8)));
  uint32_t imm = 0;
  for (int i = 0; i < 4; ++i) imm |= static_cast<uint32_t>(bytes[4 + i]) << (8 * i);
  insn.imm = static_cast<int32_t>(imm);
  return insn;
}

using Program = std::vector<Insn>;

// The program as the bytes of struct bpf_insn[].
inline std::vector<uint8_t> encode(const Program& program) {
  std::vector<uint8_t> bytes;
  bytes.reserve(program.size() * 8);
  for (const Insn& insn : program) {
    const auto one = encode(insn);
    bytes.insert(bytes.end(), one.begin(), one.end());
  }
  return bytes;
}

// Instructions from bytes; nullopt unless the length is a multiple of 8.
inline std::optional<Program> decode(std::span<const uint8_t> bytes) {
  if (bytes.size() % 8 != 0) return std::nullopt;
  Program program;
  program.reserve(bytes.size() / 8);
  for (size_t i = 0; i < bytes.size(); i += 8) program.push_back(decode(bytes.subspan(i).first<8>()));
  return program;
}

// Builders, named after the kernel's BPF_* macros.
inline Insn alu64_imm(uint8_t op, uint8_t dst, int32_t imm) { return {static_cast<uint8_t>(ALU64 | op | K), dst, 0, 0, imm}; }
inline Insn alu64_reg(uint8_t op, uint8_t dst, uint8_t src) { return {static_cast<uint8_t>(ALU64 | op | X), dst, src, 0, 0}; }
inline Insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) { return {static_cast<uint8_t>(ALU | op | K), dst, 0, 0, imm}; }
inline Insn alu32_reg(uint8_t op, uint8_t dst, uint8_t src) { return {static_cast<uint8_t>(ALU | op | X), dst, src, 0, 0}; }
inline Insn mov64_imm(uint8_t dst, int32_t imm) { return alu64_imm(MOV, dst, imm); }
inline Insn mov64_reg(uint8_t dst, uint8_t src) { return alu64_reg(MOV, dst, src); }
inline Insn mov32_imm(uint8_t dst, int32_t imm) { return alu32_imm(MOV, dst, imm); }
inline Insn mov32_reg(uint8_t dst, uint8_t src) { return alu32_reg(MOV, dst, src); }
// Byte swap to big-endian (a no-op on big-endian machines) of the low `bits`.
inline Insn to_be(uint8_t dst, int32_t bits) { return {static_cast<uint8_t>(ALU | END | TO_BE), dst, 0, 0, bits}; }
inline Insn ldx_mem(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return {static_cast<uint8_t>(LDX | MEM | size), dst, src, off, 0};
}
inline Insn stx_mem(uint8_t size, uint8_t dst, uint8_t src, int16_t off) {
  return {static_cast<uint8_t>(STX | MEM | size), dst, src, off, 0};
}
inline Insn st_mem(uint8_t size, uint8_t dst, int16_t off, int32_t imm) {
  return {static_cast<uint8_t>(ST | MEM | size), dst, 0, off, imm};
}
// Legacy packet loads (socket filters and tc only): r0 = ntoh(packet[imm])
// or packet[src + imm]; a load past the end returns 0 from the program. They
// read the context from r6 and clobber r1-r5.
inline Insn ld_abs(uint8_t size, int32_t imm) { return {static_cast<uint8_t>(LD | ABS | size), 0, 0, 0, imm}; }
inline Insn ld_ind(uint8_t size, uint8_t src, int32_t imm) {
  return {static_cast<uint8_t>(LD | IND | size), 0, src, 0, imm};
}
inline Insn jmp_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
  return {static_cast<uint8_t>(JMP | op | K), dst, 0, off, imm};
}
inline Insn jmp_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off) {
  return {static_cast<uint8_t>(JMP | op | X), dst, src, off, 0};
}
inline Insn jmp32_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
  return {static_cast<uint8_t>(JMP32 | op | K), dst, 0, off, imm};
}
inline Insn jmp32_reg(uint8_t op, uint8_t dst, uint8_t src, int16_t off) {
  return {static_cast<uint8_t>(JMP32 | op | X), dst, src, off, 0};
}
inline Insn ja(int16_t off) { return {static_cast<uint8_t>(JMP | JA), 0, 0, off, 0}; }
inline Insn call(int32_t helper) { return {static_cast<uint8_t>(JMP | CALL), 0, 0, 0, helper}; }
inline Insn exit_insn() { return {static_cast<uint8_t>(JMP | EXIT), 0, 0, 0, 0}; }
// A 64-bit immediate load takes two instruction slots.
inline std::array<Insn, 2> ld_imm64(uint8_t dst, uint64_t value, uint8_t src = 0) {
  return {Insn{static_cast<uint8_t>(LD | IMM | DW), dst, src, 0, static_cast<int32_t>(static_cast<uint32_t>(value))},
          Insn{0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))}};
}
inline bool is_ld_imm64(const Insn& insn) { return insn.code == (LD | IMM | DW); }

// Where the hooks' context structures keep what the filters read
// (struct __sk_buff and struct xdp_md in linux/bpf.h).
namespace skb {
inline constexpr int16_t kLen = 0, kPktType = 4, kProtocol = 16, kVlanPresent = 20, kVlanTci = 24, kIfindex = 40,
                         kData = 76, kDataEnd = 80, kWireLen = 160;
}
namespace xdp_md {
inline constexpr int16_t kData = 0, kDataEnd = 4, kIngressIfindex = 12;
}

// Program types (enum bpf_prog_type) of the hooks.
inline constexpr uint32_t kProgTypeSocketFilter = 1;
inline constexpr uint32_t kProgTypeSchedCls = 3;
inline constexpr uint32_t kProgTypeXdp = 6;

// Return values of XDP and tc programs.
inline constexpr int32_t kXdpAborted = 0, kXdpDrop = 1, kXdpPass = 2;
inline constexpr int32_t kTcActOk = 0, kTcActShot = 2;

}  // namespace bpfc::ebpf
