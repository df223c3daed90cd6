// Every message the two validators (runtime/src/cbpf_vm/validate*.cpp) can
// produce, each with a program that gets it: for the validator's own test and
// for `bpfc verify`'s. A new message needs a case here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::runtime::testing {

using namespace cbpf;

struct MessageCase {
  ValidationRules rules;
  Program program;
  std::optional<uint32_t> index;
  std::string message;
};

inline const ValidationRules kLibpcap = ValidationRules::Libpcap;
inline const ValidationRules kKernel = ValidationRules::LinuxKernel;

inline std::vector<MessageCase> every_message() {
  const Insn ret = stmt(RET | K, 0);
  return {
      // validate_libpcap.cpp and the messages both rule sets share.
      {kLibpcap, {}, std::nullopt, "the program is empty (it needs at least a ret instruction)"},
      {kLibpcap, {stmt(LD | IMM, 1), stmt(ST, 16), ret}, 1,
       "scratch memory slot M[16] does not exist (the slots are M[0] to M[15])"},
      {kLibpcap, {stmt(LD | MEM, 17), ret}, 0, "scratch memory slot M[17] does not exist (the slots are M[0] to M[15])"},
      {kLibpcap, {stmt(ALU | DIV | K, 0), ret}, 0, "division by the constant 0"},
      {kLibpcap, {stmt(ALU | MOD | K, 0), ret}, 0, "modulus by the constant 0"},
      {kLibpcap, {stmt(JMP | JA, 5), ret}, 0, "jump target 6 is beyond the end of the program (length 2)"},
      {kLibpcap, {jump(JMP | JEQ | K, 1, 3, 0), ret}, 0, "jump target 4 is beyond the end of the program (length 2)"},
      {kLibpcap, {jump(JMP | JGT | K, 1, 0, 7), ret}, 0, "jump target 8 is beyond the end of the program (length 2)"},
      {kLibpcap, {ret, stmt(LD | IMM, 0)}, 1,
       "the program must end with a ret instruction (the last one has opcode 0x0)"},
      {kLibpcap, {stmt(LD | 0xe0, 0), ret}, 0, "unknown load mode 0xe0 (opcode 0xe0)"},
      {kLibpcap, {stmt(ALU | 0xc0, 0), ret}, 0, "unknown ALU operation 0xc0 (opcode 0xc4)"},
      {kLibpcap, {stmt(JMP | 0x60, 0), ret}, 0, "unknown jump operation 0x60 (opcode 0x65)"},
      // validate_kernel.cpp.
      {kKernel, {}, std::nullopt, "the program is empty (it needs at least a ret instruction)"},
      {kKernel, Program(5000, ret), std::nullopt, "the program has 5000 instructions; the kernel accepts at most 4096"},
      {kKernel, {stmt(LD | IMM, 0), stmt(RET | X, 0)}, 1, "opcode 0xe is not a classic BPF instruction"},
      {kKernel, {stmt(ALU | DIV | K, 0), ret}, 0, "division by the constant 0"},
      {kKernel, {stmt(ALU | MOD | K, 0), ret}, 0, "modulus by the constant 0"},
      {kKernel, {stmt(ALU | RSH | K, 40), ret}, 0, "shift by the constant 40 (the kernel rejects shifts by 32 or more)"},
      {kKernel, {stmt(STX, 16), ret}, 0, "scratch memory slot M[16] does not exist (the slots are M[0] to M[15])"},
      {kKernel, {stmt(LD | IMM, 0), stmt(JMP | JA, 3), ret}, 1,
       "jump target 5 is beyond the end of the program (length 3)"},
      {kKernel, {stmt(LD | IMM, 0), stmt(JMP | JA, 0xfffffffe), ret}, 1,
       "backward jump to instruction 0 (the kernel allows forward jumps only)"},
      {kKernel, {stmt(LD | IMM, 0), stmt(JMP | JA, 0xfffffff0), ret}, 1, "jump target -14 is before the start of the program"},
      {kKernel, {jump(JMP | JSET | X, 0, 0, 9), ret}, 0, "jump target 10 is beyond the end of the program (length 2)"},
      {kKernel, {stmt(LD | H | ABS, 0xfffff000 + 6), ret}, 0, "unknown Linux ancillary data offset SKF_AD_OFF + 6"},
      {kKernel, {ret, stmt(MISC | TAX, 0)}, 1,
       "the program must end with a ret instruction (the last one has opcode 0x7)"},
      {kKernel, {stmt(LDX | MEM, 4), ret}, 0, "M[4] may be read before anything is stored in it"},
  };
}

}  // namespace bpfc::runtime::testing
