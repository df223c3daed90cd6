// An upper bound of every IR value (a forward pass in block order, which is
// topological): what a byte load, a mask or a shift by a constant can give.
// The code generator leaves out checks the bound proves unneeded.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::ebpf::codegen {

// bound[v] >= every value v takes (UINT32_MAX when nothing better is known).
std::vector<uint32_t> value_upper_bounds(const ir::Function& f);

}  // namespace bpfc::ebpf::codegen
