// Final layout: machine blocks in order (topological, so every jump goes
// forward) with the blocks that return last, jumps to the next block left
// out, and conditional jumps whose targets are more than 255 instructions
// away routed through `ja` trampolines placed right after them.
#pragma once

#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"
#include "codegen_machine.h"

namespace bpfc::cbpf::detail {

Result<Program> lay_out(const std::vector<MBlock>& blocks);

}  // namespace bpfc::cbpf::detail
