// JSON form of a program, for tools and scripts:
//
//   {
//     "length": 4,
//     "instructions": [
//       {"code": 40, "jt": 0, "jf": 0, "k": 12, "text": "(000) ldh      [12]"},
//       {"code": 21, "jt": 0, "jf": 1, "k": 2048,
//        "text": "(001) jeq      #0x800           jt 2\tjf 3"},   <- one line in the output
//       ...
//     ]
//   }
//
// code/jt/jf/k are the struct bpf_insn fields as unsigned numbers (what -ddd
// prints); "text" is the instruction's tcpdump -d line (libpcap 1.10 style).
// One instruction per line keeps the output diffable.
#include <nlohmann/json.hpp>

#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {

std::string format_json(const Program& p) {
  std::string out = "{\n  \"length\": " + std::to_string(p.size()) + ",\n  \"instructions\": [";
  for (uint32_t pc = 0; pc < p.size(); ++pc) {
    const Insn& insn = p[pc];
    out += pc == 0 ? "\n    " : ",\n    ";
    out += "{\"code\": " + std::to_string(insn.code) + ", \"jt\": " + std::to_string(insn.jt) +
           ", \"jf\": " + std::to_string(insn.jf) + ", \"k\": " + std::to_string(insn.k) +
           ", \"text\": " + nlohmann::json(format_insn(insn, pc)).dump() + "}";
  }
  out += p.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace bpfc::cbpf
