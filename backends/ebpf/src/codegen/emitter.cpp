#include "emitter.h"

#include <limits>
#include <string>

namespace bpfc::ebpf::codegen {

Label Emitter::new_label() {
  labels_.push_back(-1);
  return static_cast<Label>(labels_.size() - 1);
}

void Emitter::place(Label label) { labels_[label] = static_cast<int64_t>(code_.size()); }

void Emitter::jump_to(Insn jump, Label target) {
  fixups_.push_back({code_.size(), target});
  code_.push_back(jump);
}

Result<Program> Emitter::finish() {
  for (const Fixup& fixup : fixups_) {
    const int64_t target = labels_[fixup.target];
    if (target < 0) return error("internal error: eBPF code generation left a jump without a target");
    const int64_t offset = target - static_cast<int64_t>(fixup.at) - 1;
    if (offset < std::numeric_limits<int16_t>::min() || offset > std::numeric_limits<int16_t>::max()) {
      return error("the eBPF program needs a jump over " + std::to_string(offset < 0 ? -offset : offset) +
                   " instructions; eBPF jumps reach 32,767: the filter is too large for the eBPF target");
    }
    code_[fixup.at].off = static_cast<int16_t>(offset);
  }
  return code_;
}

}  // namespace bpfc::ebpf::codegen
