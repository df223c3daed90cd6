// Structural value numbers: two values with the same number compute the same
// 32-bit result wherever both are defined on one path. Unlike value
// numbering (value_numbering.cpp), nothing is replaced and no dominator walk
// is needed: a pass asks "do these two values compute the same thing?" about
// values in any blocks, e.g. set lowering, about the values a chain of tests
// compares. A phi with one incoming value is its incoming value; any other
// phi is only itself. Numbers are computed on demand and remembered.
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/ir/value_table.h"

namespace bpfc::opt {

class StructuralNumbers {
 public:
  explicit StructuralNumbers(const ir::Function& f);

  // The number of v (and of every value it is computed from).
  uint32_t of(ir::ValueId v);

 private:
  static constexpr uint32_t kUnset = UINT32_MAX;
  // op, size, imm, numbers of a and b, Protochain's protocol number.
  using Key = std::tuple<ir::Op, uint8_t, uint32_t, uint32_t, uint32_t, uint32_t>;

  uint32_t number_for(ir::ValueId v, const ir::Inst& inst);

  const ir::Function& f_;
  std::vector<uint32_t> number_;
  ir::ValueInterner<Key> interner_;
};

// v, or the value a chain of single-input phis starting at v passes on.
ir::ValueId strip_single_phis(const ir::Function& f, ir::ValueId v);

}  // namespace bpfc::opt
