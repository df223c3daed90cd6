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

// How many low bits of each value are known to be 0 (32 for the constant 0):
// what a mask or a shift by a constant leaves, so that an indexed load's
// alignment can be known before it runs (the kernel's verifier tracks the
// same known bits on every path).
std::vector<uint8_t> known_low_zero_bits(const ir::Function& f);

}  // namespace bpfc::ebpf::codegen
