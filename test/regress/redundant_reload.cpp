#include "redundant_reload.h"

#include <utility>
#include <vector>

#include "bpfc/cbpf/format.h"

namespace bpfc::regress {
namespace {

using cbpf::Insn;

struct Walker {
  const cbpf::Program& program;
  std::vector<uint32_t> path;
  std::vector<std::pair<uint16_t, uint32_t>> loaded;  // (size, offset) of the loads on the path

  std::optional<std::string> walk(uint32_t pc) {
    if (pc >= program.size()) return std::nullopt;  // validate_cbpf rules this out
    const Insn& insn = program[pc];
    path.push_back(pc);
    std::optional<std::string> found;
    const bool absolute_load = cbpf::insn_class(insn.code) == cbpf::LD && cbpf::insn_mode(insn.code) == cbpf::ABS;
    if (absolute_load) {
      const std::pair<uint16_t, uint32_t> key{cbpf::insn_size(insn.code), insn.k};
      for (const auto& earlier : loaded) {
        if (earlier == key) found = describe();
      }
      loaded.push_back(key);
    }
    if (!found) found = follow(pc, insn);
    if (absolute_load) loaded.pop_back();
    path.pop_back();
    return found;
  }

  std::optional<std::string> follow(uint32_t pc, const Insn& insn) {
    const uint16_t cls = cbpf::insn_class(insn.code);
    if (cls == cbpf::RET) return std::nullopt;
    if (cls != cbpf::JMP) return walk(pc + 1);
    if (cbpf::insn_op(insn.code) == cbpf::JA) return walk(pc + 1 + insn.k);
    if (auto found = walk(pc + 1 + insn.jt)) return found;
    return walk(pc + 1 + insn.jf);
  }

  std::string describe() const {
    std::string text = "the last load on this path repeats an earlier one:\n";
    for (uint32_t pc : path) text += cbpf::format_insn(program[pc], pc) + "\n";
    return text;
  }
};

}  // namespace

std::optional<std::string> find_redundant_reload(const cbpf::Program& program) {
  Walker walker{program, {}, {}};
  return walker.walk(0);
}

}  // namespace bpfc::regress
