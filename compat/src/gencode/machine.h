// The block program libpcap's code generator builds: basic blocks of
// classic-BPF statements over the accumulator A, the index register X and
// the scratch memory M[0..15], each ending in a conditional jump or a return.
//
// Lowering builds filters in this form first because libpcap's verdict on a
// truncated packet depends on exactly which loads its optimizer keeps, and
// that optimizer reasons about this machine (register values, dead stores,
// jump threading). The optimized program is then translated to SSA IR
// (lift/machine_to_ir.cpp), which is the only thing that leaves the lowering.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::lower {

// The opcodes of the block program are classic BPF's (bpfc/cbpf/insn.h, the
// one definition); these are the names the lowering spells them with.
// Statement codes are ints because the block program also holds kNop and
// kProtochainWalk, which are not opcodes.
namespace bpf {
inline constexpr int kLd = cbpf::LD, kLdx = cbpf::LDX, kSt = cbpf::ST, kStx = cbpf::STX, kAlu = cbpf::ALU,
                     kJmp = cbpf::JMP, kRet = cbpf::RET, kMisc = cbpf::MISC;
inline constexpr int kW = cbpf::W, kH = cbpf::H, kB = cbpf::B;
inline constexpr int kImm = cbpf::IMM, kAbs = cbpf::ABS, kInd = cbpf::IND, kMem = cbpf::MEM, kLen = cbpf::LEN,
                     kMsh = cbpf::MSH;
inline constexpr int kAdd = cbpf::ADD, kSub = cbpf::SUB, kMul = cbpf::MUL, kDiv = cbpf::DIV, kOr = cbpf::OR,
                     kAnd = cbpf::AND, kLsh = cbpf::LSH, kRsh = cbpf::RSH, kNeg = cbpf::NEG, kMod = cbpf::MOD,
                     kXor = cbpf::XOR;
inline constexpr int kJa = cbpf::JA, kJeq = cbpf::JEQ, kJgt = cbpf::JGT, kJge = cbpf::JGE, kJset = cbpf::JSET;
inline constexpr int kK = cbpf::K, kX = cbpf::X;
inline constexpr int kTax = cbpf::TAX, kTxa = cbpf::TXA;
inline constexpr int kRetA = cbpf::RET_A;

// Field extraction; only meaningful on real opcodes (not kNop or
// kProtochainWalk, which callers test for first).
constexpr int op_class(int code) { return cbpf::insn_class(static_cast<uint16_t>(code)); }
constexpr int op_size(int code) { return cbpf::insn_size(static_cast<uint16_t>(code)); }
constexpr int op_mode(int code) { return cbpf::insn_mode(static_cast<uint16_t>(code)); }
constexpr int alu_op(int code) { return cbpf::insn_op(static_cast<uint16_t>(code)); }
constexpr int op_src(int code) { return cbpf::insn_src(static_cast<uint16_t>(code)); }
constexpr int misc_op(int code) { return cbpf::insn_miscop(static_cast<uint16_t>(code)); }
constexpr int ret_val(int code) { return cbpf::insn_rval(static_cast<uint16_t>(code)); }
constexpr int size_field(uint32_t bytes) { return cbpf::size_field(bytes); }
constexpr uint8_t size_bytes(int code) { return cbpf::size_bytes(static_cast<uint16_t>(code)); }

inline constexpr int kMemWords = static_cast<int>(cbpf::kMemWords);
}  // namespace bpf

// A deleted statement (the optimizer turns statements into no-ops in place).
inline constexpr int kNop = -1;

struct Stmt {
  int code = kNop;
  uint32_t k = 0;
};

inline constexpr int kNoBlock = -1;

// Not a classic BPF opcode: a statement that runs libpcap's protochain walk
// from A (the next-header value) and X (the offset of the header it
// announces), leaving the protocol it stopped at in A and leftovers in X and
// in the walk's scratch register (libpcap's loop, as ir::Op::Protochain
// defines it). k indexes MachineProgram::walks. libpcap writes the loop with
// jumps inside its block and turns its optimizer off; so does the lowering,
// which therefore never has to reason about this statement.
inline constexpr int kProtochainWalk = 0x10000;

struct ProtochainWalk {
  uint8_t ip_version = 6;  // 4 or 6
  uint32_t base = 0;       // offset of the IP header
  uint32_t stop = 0;       // the protocol looked for
  int scratch = 0;         // the scratch register libpcap's loop uses
};

struct MachineBlock {
  std::vector<Stmt> stmts;
  // The final instruction: a conditional jump (jt when it holds, jf
  // otherwise), `ja` (jt only) or a return.
  Stmt jump;
  int jt = kNoBlock;
  int jf = kNoBlock;
};

struct MachineProgram {
  std::vector<MachineBlock> blocks;
  int root = kNoBlock;
  // libpcap turns its optimizer off for constructs it expresses with jumps
  // inside a block (protochain, geneve); the program is then used as built.
  bool no_optimize = false;
  std::vector<ProtochainWalk> walks;  // see kProtochainWalk
};

}  // namespace bpfc::lower
