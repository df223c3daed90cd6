// Instruction selection: turns each block of the plan into straight-line
// cBPF code plus an exit, evaluating expression trees directly in A (with X
// for second operands and indexed loads) and tracking what A, X and every
// slot hold so that nothing already in a register is loaded again — also
// across blocks, from what all predecessors leave behind.
#pragma once

#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"
#include "codegen_machine.h"
#include "codegen_plan.h"
#include "codegen_walk.h"

namespace bpfc::cbpf::detail {

// The blocks, and the protochain walks their bodies hold as pseudo-instructions.
struct SelectedCode {
  std::vector<MBlock> blocks;
  std::vector<Walk> walks;
};

Result<SelectedCode> select_instructions(const ir::Function& f, const Plan& plan,
                                         const std::vector<uint8_t>& slots);

}  // namespace bpfc::cbpf::detail
