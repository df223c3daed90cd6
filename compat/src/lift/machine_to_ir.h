// Translation of the block program to SSA IR: the machine registers
// (A, X, M[0..15]) become SSA values, with phis where paths that left
// different values in a register meet (e.g. header offsets after Geneve).
#pragma once

#include "bpfc/ir/ir.h"
#include "gencode/machine.h"

namespace bpfc::lower {

// `program` must be acyclic.
ir::Function machine_to_ir(const MachineProgram& program);

}  // namespace bpfc::lower
