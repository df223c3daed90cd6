#include "value_ranges.h"

#include <algorithm>
#include <bit>

namespace bpfc::ebpf::codegen {
namespace {

constexpr uint64_t kUnknown = UINT32_MAX;

uint64_t clamp(uint64_t bound) { return std::min(bound, kUnknown); }

// The all-ones mask covering `bound`: or and xor stay below it.
uint64_t covering_mask(uint64_t bound) {
  return bound == 0 ? 0 : clamp((uint64_t{1} << std::bit_width(bound)) - 1);
}

}  // namespace

std::vector<uint32_t> value_upper_bounds(const ir::Function& f) {
  std::vector<uint64_t> bound(f.values.size(), kUnknown);
  const auto of = [&bound](ir::ValueId v) { return v == ir::kNoValue ? kUnknown : bound[v]; };
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f.value(v);
      const ir::Inst* rhs = inst.b == ir::kNoValue ? nullptr : &f.value(inst.b);
      const bool constant_rhs = rhs != nullptr && rhs->op == ir::Op::Const;
      uint64_t b = kUnknown;
      switch (inst.op) {
        case ir::Op::Const: b = inst.imm; break;
        case ir::Op::Load: b = inst.size >= 4 ? kUnknown : (uint64_t{1} << (8 * inst.size)) - 1; break;
        case ir::Op::And: b = std::min(of(inst.a), of(inst.b)); break;
        case ir::Op::Or:
        case ir::Op::Xor: b = covering_mask(std::max(of(inst.a), of(inst.b))); break;
        case ir::Op::Add: b = clamp(of(inst.a) + of(inst.b)); break;
        case ir::Op::Mul: b = of(inst.a) * of(inst.b) <= kUnknown ? of(inst.a) * of(inst.b) : kUnknown; break;
        case ir::Op::Div:
        case ir::Op::Mod: b = of(inst.a); break;  // a divisor of 0 ends the filter
        case ir::Op::Shl:
          if (constant_rhs && rhs->imm < 32) b = clamp(of(inst.a) << rhs->imm);  // a wrap: UINT32_MAX
          if (constant_rhs && rhs->imm >= 32) b = 0;
          break;
        case ir::Op::Shr:
          b = constant_rhs ? (rhs->imm >= 32 ? 0 : of(inst.a) >> rhs->imm) : of(inst.a);
          break;
        case ir::Op::Phi:
          b = 0;
          for (const ir::PhiIncoming& in : inst.incoming) b = std::max(b, of(in.value));
          break;
        case ir::Op::Protochain: b = std::max<uint64_t>(of(inst.a), 255); break;  // the start or a byte read
        default: b = kUnknown; break;  // len, caplen, meta, sub, neg
      }
      bound[v] = b;
    }
  }
  return std::vector<uint32_t>(bound.begin(), bound.end());
}

std::vector<uint8_t> known_low_zero_bits(const ir::Function& f) {
  std::vector<uint8_t> zeros(f.values.size(), 0);
  const auto of = [&zeros](ir::ValueId v) { return v == ir::kNoValue ? uint8_t{0} : zeros[v]; };
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f.value(v);
      const ir::Inst* rhs = inst.b == ir::kNoValue ? nullptr : &f.value(inst.b);
      const bool constant_rhs = rhs != nullptr && rhs->op == ir::Op::Const;
      unsigned z = 0;
      switch (inst.op) {
        case ir::Op::Const: z = static_cast<unsigned>(std::countr_zero(inst.imm)); break;  // 32 for 0
        case ir::Op::And: z = std::max(of(inst.a), of(inst.b)); break;
        case ir::Op::Or:
        case ir::Op::Xor:
        case ir::Op::Add:
        case ir::Op::Sub: z = std::min(of(inst.a), of(inst.b)); break;  // carries and borrows move up only
        case ir::Op::Neg: z = of(inst.a); break;
        case ir::Op::Mul: z = std::min(32u, unsigned{of(inst.a)} + of(inst.b)); break;
        case ir::Op::Shl:
          if (constant_rhs) z = rhs->imm >= 32 ? 32 : std::min(32u, of(inst.a) + rhs->imm);
          break;
        case ir::Op::Phi:
          z = 32;
          for (const ir::PhiIncoming& in : inst.incoming) z = std::min<unsigned>(z, of(in.value));
          break;
        default: z = 0; break;  // loads, shifts right, division, len, caplen, meta, protochain
      }
      zeros[v] = static_cast<uint8_t>(z);
    }
  }
  return zeros;
}

}  // namespace bpfc::ebpf::codegen
