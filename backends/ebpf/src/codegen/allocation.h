// Where each IR value lives in the eBPF program: a register, an 8-byte stack
// slot, or nowhere (constants are immediates, unused values are not kept).
//
// Linear scan over the blocks in their (topological) order. A value's live
// interval runs from its definition to its last use, a phi's from the end of
// its first predecessor; because the CFG is acyclic and ordered, every path
// from a definition to a use stays inside that interval, so two values whose
// intervals do not overlap may share a register or a slot.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::ebpf::codegen {

enum class Where : uint8_t { Nowhere, Register, Slot };

struct Location {
  Where where = Where::Nowhere;
  uint8_t reg = 0;    // Where::Register
  uint16_t slot = 0;  // Where::Slot: the slot-th 8 bytes below the packet window (or r10)

  friend bool operator==(const Location&, const Location&) = default;
};

struct AllocationRequest {
  // Values that need a home (the others get Where::Nowhere).
  std::vector<bool> needs_home;
  // The registers values may live in, in order of preference.
  std::vector<uint8_t> registers;
  // Registers an instruction clobbers (the legacy packet loads clobber r0-r5)
  // and the IR values at which that happens: a value may use such a register
  // only if no clobbering value lies strictly inside its interval.
  std::vector<uint8_t> clobbered;
  std::vector<bool> clobbers;
  uint32_t max_slots = 64;
  // For each value, an operand whose register it may take where that
  // operand's interval ends at this value's definition (kNoValue: none):
  // the code generator computes `v = a op b` as `mov v, a; op v, b`, and
  // the mov disappears when v lives where a did.
  std::vector<ir::ValueId> reuse_operand;
};

struct Allocation {
  std::vector<Location> where;  // by ValueId
  uint32_t slots = 0;           // slots used
};

Result<Allocation> allocate(const ir::Function& f, const AllocationRequest& request);

}  // namespace bpfc::ebpf::codegen
