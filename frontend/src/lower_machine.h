// The block program libpcap's code generator builds: basic blocks of
// classic-BPF statements over the accumulator A, the index register X and
// the scratch memory M[0..15], each ending in a conditional jump or a return.
//
// Lowering builds filters in this form first because libpcap's verdict on a
// truncated packet depends on exactly which loads its optimizer keeps, and
// that optimizer reasons about this machine (register values, dead stores,
// jump threading). The optimized program is then translated to SSA IR
// (lower_to_ir.cpp), which is the only thing that leaves the lowering.
#pragma once

#include <cstdint>
#include <vector>

namespace bpfc::lower {

// Classic BPF instruction encoding (the public BPF ABI): class | size |
// mode for loads, class | op | source for ALU and jumps.
namespace bpf {
inline constexpr int kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04, kJmp = 0x05, kRet = 0x06,
                     kMisc = 0x07;
inline constexpr int kW = 0x00, kH = 0x08, kB = 0x10;
inline constexpr int kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kLen = 0x80, kMsh = 0xa0;
inline constexpr int kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40, kAnd = 0x50, kLsh = 0x60,
                     kRsh = 0x70, kNeg = 0x80, kMod = 0x90, kXor = 0xa0;
inline constexpr int kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40;
inline constexpr int kK = 0x00, kX = 0x08;
inline constexpr int kTax = 0x00, kTxa = 0x80;
inline constexpr int kRetA = 0x10;

constexpr int op_class(int code) { return code & 0x07; }
constexpr int op_size(int code) { return code & 0x18; }
constexpr int op_mode(int code) { return code & 0xe0; }
constexpr int alu_op(int code) { return code & 0xf0; }
constexpr int op_src(int code) { return code & 0x08; }
constexpr int misc_op(int code) { return code & 0xf8; }
constexpr int ret_val(int code) { return code & 0x18; }

// Size field for a 1, 2 or 4 byte access.
constexpr int size_field(uint32_t bytes) { return bytes == 1 ? kB : bytes == 2 ? kH : kW; }
constexpr uint8_t size_bytes(int code) { return op_size(code) == kB ? 1 : op_size(code) == kH ? 2 : 4; }

inline constexpr int kMemWords = 16;
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
