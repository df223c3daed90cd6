// The listing (bpftool's "%4u: " index and the instruction) and -dd, the C
// array of struct bpf_insn.
#include <fmt/format.h>

#include "bpfc/ebpf/format.h"

namespace bpfc::ebpf {

std::string format_listing(const Program& program) {
  std::string out;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    out += fmt::format("{:4}: {}\n", pc, format_insn(program, pc));
    // The second slot of a 64-bit immediate load is part of this line.
    if (is_ld_imm64(program[pc]) && pc + 1 < program.size()) ++pc;
  }
  return out;
}

std::string format_c_array(const Program& program) {
  std::string out;
  for (const Insn& insn : program) {
    // dst_reg and src_reg are 4-bit fields: print what the encoding keeps, so
    // that the array compiles to the bytes encode() writes. INT32_MIN is
    // written as an expression: "-2147483648" is a negated long in C.
    const std::string imm =
        insn.imm == INT32_MIN ? std::string("-2147483647 - 1") : std::to_string(insn.imm);
    out += fmt::format("{{ .code = {:#04x}, .dst_reg = {}, .src_reg = {}, .off = {}, .imm = {} }},\n", insn.code,
                       insn.dst & 0x0f, insn.src & 0x0f, insn.off, imm);
  }
  return out;
}

}  // namespace bpfc::ebpf
