// What the validator and the interpreter agree an opcode is: one check per
// instruction, so that the interpreter faults on exactly what the validator
// refuses instruction by instruction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bpfc/ebpf/insn.h"

namespace bpfc::runtime::ebpf_vm {

// Why `insn` is not an instruction the engine runs, looking at it alone (its
// opcode, register numbers and reserved fields); nullopt when it is one. Does
// not look at jump targets or an ld_imm64's second slot.
std::optional<std::string> instruction_problem(const ebpf::Insn& insn);

// Whether `helper` is one the interpreter implements.
bool known_helper(int32_t helper);

// "0x1f" for messages.
std::string hex(uint32_t value);

}  // namespace bpfc::runtime::ebpf_vm
