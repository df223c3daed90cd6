#include "entry_constants.h"

namespace bpfc::opt {

EntryConstants::EntryConstants(ir::Function& f) : f_(f) {
  if (f_.blocks.empty()) return;
  for (ir::ValueId v : f_.blocks[0].insts) {
    if (f_.values[v].op == ir::Op::Const) by_value_.emplace(f_.values[v].imm, v);
  }
}

ir::ValueId EntryConstants::get(uint32_t k) {
  auto [it, inserted] = by_value_.try_emplace(k, ir::kNoValue);
  if (inserted) {
    ir::Inst c;
    c.op = ir::Op::Const;
    c.imm = k;
    c.block = 0;
    f_.values.push_back(std::move(c));
    it->second = static_cast<ir::ValueId>(f_.values.size() - 1);
    created_.push_back(it->second);
  }
  return it->second;
}

void EntryConstants::place() {
  auto& insts = f_.blocks[0].insts;
  insts.insert(insts.begin(), created_.begin(), created_.end());
  created_.clear();
}

}  // namespace bpfc::opt
