// Tests for 802.1Q/802.1ad tags: a 2-byte field compared with one of the tag
// protocol identifiers libpcap's VLAN code tests.
#pragma once

#include "bpfc/ir/ir.h"

namespace bpfc::ebpf::codegen {

inline bool tests_vlan_tpid(const ir::Function& function, const ir::Terminator& term) {
  if (term.kind != ir::TermKind::Branch || term.cond != ir::Cond::Eq) return false;
  const auto is_tpid = [&function](ir::ValueId v) {
    const ir::Inst& inst = function.value(v);
    return inst.op == ir::Op::Const && (inst.imm == 0x8100 || inst.imm == 0x88a8 || inst.imm == 0x9100);
  };
  const auto is_field = [&function](ir::ValueId v) {
    const ir::Inst& inst = function.value(v);
    return inst.op == ir::Op::Load && inst.size == 2;
  };
  return (is_tpid(term.lhs) && is_field(term.rhs)) || (is_tpid(term.rhs) && is_field(term.lhs));
}

}  // namespace bpfc::ebpf::codegen
