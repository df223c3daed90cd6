// JSON form of a program, for tools and scripts:
//
//   {
//     "hook": "socket", "section": "socket", "program_type": 1,   <- with a hook only
//     "length": 3,
//     "instructions": [
//       {"code": 40, "dst_reg": 0, "src_reg": 0, "off": 0, "imm": 12, "text": "(28) r0 = *(u16 *)skb[12]"},
//       {"code": 24, "dst_reg": 1, "src_reg": 0, "off": 0, "imm": 0, "text": "(18) r1 = 0x100000000"},
//       {"code": 0, "dst_reg": 0, "src_reg": 0, "off": 0, "imm": 1, "text": null},
//       ...
//     ]
//   }
//
// One entry per 8-byte slot, so "length" and the indices are those of the
// listing and of struct bpf_insn[]; the fields are struct bpf_insn's, code as
// an unsigned number, off and imm signed. "text" is the listing's text for
// the instruction (null for a 64-bit immediate load's second slot). One
// instruction per line keeps the output diffable, as the cBPF target's JSON.
#include <nlohmann/json.hpp>

#include "bpfc/ebpf/format.h"

namespace bpfc::ebpf {

std::string format_json(const Program& program, std::optional<Hook> hook) {
  std::string out = "{\n";
  if (hook) {
    out += "  \"hook\": " + nlohmann::json(std::string(name(*hook))).dump() + ",\n";
    out += "  \"section\": " + nlohmann::json(std::string(section_name(*hook))).dump() + ",\n";
    out += "  \"program_type\": " + std::to_string(program_type(*hook)) + ",\n";
  }
  out += "  \"length\": " + std::to_string(program.size()) + ",\n  \"instructions\": [";
  bool second_slot = false;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Insn& insn = program[pc];
    const nlohmann::json text = second_slot ? nlohmann::json(nullptr) : nlohmann::json(format_insn(program, pc));
    second_slot = !second_slot && is_ld_imm64(insn);
    out += pc == 0 ? "\n    " : ",\n    ";
    out += "{\"code\": " + std::to_string(insn.code) + ", \"dst_reg\": " + std::to_string(insn.dst & 0x0f) +
           ", \"src_reg\": " + std::to_string(insn.src & 0x0f) + ", \"off\": " + std::to_string(insn.off) +
           ", \"imm\": " + std::to_string(insn.imm) + ", \"text\": " + text.dump() + "}";
  }
  out += program.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace bpfc::ebpf
