// Instructions with symbolic jump targets: labels are placed as code is
// emitted and jumps to them are resolved at the end.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/ebpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::ebpf::codegen {

using Label = uint32_t;

class Emitter {
 public:
  Label new_label();
  void place(Label label);
  void emit(const Insn& insn) { code_.push_back(insn); }
  // A conditional or unconditional jump whose offset is `target`'s.
  void jump_to(Insn jump, Label target);
  size_t size() const { return code_.size(); }
  // The program with every jump resolved; an error when a label was never
  // placed (a code generator bug) or an offset does not fit 16 bits.
  Result<Program> finish();

 private:
  struct Fixup {
    size_t at;
    Label target;
  };
  Program code_;
  std::vector<int64_t> labels_;  // instruction index, -1 until placed
  std::vector<Fixup> fixups_;
};

}  // namespace bpfc::ebpf::codegen
