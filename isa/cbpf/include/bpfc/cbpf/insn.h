// Classic BPF instructions, laid out exactly as struct bpf_insn / sock_filter,
// with the opcode constants of <linux/filter.h> / <pcap/bpf.h>: the one
// definition in the tree, for the libpcap-compatible lowering's block
// program, the cBPF backend, the interpreters, validators and tools.
#pragma once

#include <cstdint>
#include <vector>

namespace bpfc::cbpf {

struct Insn {
  uint16_t code = 0;
  uint8_t jt = 0;
  uint8_t jf = 0;
  uint32_t k = 0;
  friend bool operator==(const Insn&, const Insn&) = default;
};

using Program = std::vector<Insn>;

// Instruction classes.
inline constexpr uint16_t LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05,
                          RET = 0x06, MISC = 0x07;
// ld/ldx widths.
inline constexpr uint16_t W = 0x00, H = 0x08, B = 0x10;
// ld/ldx modes.
inline constexpr uint16_t IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
// alu/jmp operations.
inline constexpr uint16_t ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50,
                          LSH = 0x60, RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;
inline constexpr uint16_t JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
// Operand source.
inline constexpr uint16_t K = 0x00, X = 0x08;
// ret source (A is 0x10).
inline constexpr uint16_t RET_A = 0x10;
// misc.
inline constexpr uint16_t TAX = 0x00, TXA = 0x80;

inline constexpr uint32_t kMemWords = 16;      // BPF_MEMWORDS
inline constexpr uint32_t kMaxInsns = 4096;    // BPF_MAXINSNS (Linux's limit)

inline constexpr uint16_t insn_class(uint16_t code) { return code & 0x07; }
inline constexpr uint16_t insn_size(uint16_t code) { return code & 0x18; }
inline constexpr uint16_t insn_mode(uint16_t code) { return code & 0xe0; }
inline constexpr uint16_t insn_op(uint16_t code) { return code & 0xf0; }
inline constexpr uint16_t insn_src(uint16_t code) { return code & 0x08; }
inline constexpr uint16_t insn_rval(uint16_t code) { return code & 0x18; }
inline constexpr uint16_t insn_miscop(uint16_t code) { return code & 0xf8; }

// The ld/ldx width field of a 1, 2 or 4 byte access, and back.
inline constexpr uint16_t size_field(uint32_t bytes) { return bytes == 1 ? B : bytes == 2 ? H : W; }
inline constexpr uint8_t size_bytes(uint16_t code) { return insn_size(code) == B ? 1 : insn_size(code) == H ? 2 : 4; }

inline constexpr Insn stmt(uint16_t code, uint32_t k) { return Insn{code, 0, 0, k}; }
inline constexpr Insn jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return Insn{code, jt, jf, k}; }

}  // namespace bpfc::cbpf
