#include "codegen_expr.h"

#include "bpfc/ir/kernel_metadata.h"

#include <algorithm>
#include <bit>
#include <cstdlib>

namespace bpfc::cbpf::detail {
namespace {

using ir::Op;

uint32_t saturating_add(uint32_t a, uint32_t b) { return a > UINT32_MAX - b ? UINT32_MAX : a + b; }

// All bits that a value bounded by `max` can have set.
uint32_t bits_below(uint32_t max) { return max == 0 ? 0 : UINT32_MAX >> std::countl_zero(max); }

uint32_t load_max(uint8_t size) { return size == 1 ? 0xff : size == 2 ? 0xffff : UINT32_MAX; }

}  // namespace

ExprId ExprTable::intern(Expr e) {
  const auto [id, is_new] = index_.intern(e.identity());
  if (is_new) exprs_.push_back(e);
  return id;
}

bool ExprTable::is_free(ExprId e) const {
  switch (exprs_[e].kind) {
    case ExprKind::Const:
    case ExprKind::Len:
    case ExprKind::LoadAbs:
    case ExprKind::Msh:
      return true;
    case ExprKind::LoadInd: {
      // A load indexed by the IPv4 header length, itself one ldxb into X:
      // reloading it (ldxb, ld [x+k]; one instruction when X still holds
      // the length) costs no more than a slot's st and ld, and keeps the
      // slot free. A recomputation repeats a load that already succeeded on
      // that path, so it cannot end the filter.
      return exprs_[exprs_[e].a].kind == ExprKind::Msh;
    }
    default:
      return false;
  }
}

ExprId ExprTable::constant(uint32_t k) {
  Expr e;
  e.kind = ExprKind::Const;
  e.imm = k;
  e.max_value = k;
  return intern(e);
}

ExprId ExprTable::len() {
  Expr e;
  e.kind = ExprKind::Len;
  e.max_value = UINT32_MAX;
  return intern(e);
}

ExprId ExprTable::trap() {
  Expr e;
  e.kind = ExprKind::Trap;
  e.may_trap = true;
  return intern(e);
}

ExprId ExprTable::phi(ir::ValueId v) {
  Expr e;
  e.kind = ExprKind::Phi;
  e.imm = v;
  e.max_value = UINT32_MAX;
  return intern(e);
}

ExprId ExprTable::load(uint8_t size, ExprId index, uint32_t offset, bool index_foldable) {
  Expr e;
  e.size = size;
  e.may_trap = true;
  e.max_value = load_max(size);
  if (index == kNoExpr) {
    e.kind = ExprKind::LoadAbs;
    e.imm = offset;
    return intern(e);
  }
  const Expr& ix = exprs_[index];
  if (ix.kind == ExprKind::Trap) return trap();
  if (ix.kind == ExprKind::Const) {
    // A constant index makes an absolute load, unless index + offset does
    // not fit in 32 bits: then the address is past any packet.
    if (ix.imm > UINT32_MAX - offset) return trap();
    e.kind = ExprKind::LoadAbs;
    e.imm = ix.imm + offset;
    return intern(e);
  }
  e.kind = ExprKind::LoadInd;
  e.a = index;
  e.imm = offset;
  // [ (y + c) + offset ] is [ y + (c + offset) ] when y + c cannot wrap
  // (the IR adds y + c modulo 2^32 but index + offset exactly). Only
  // done when y is available wherever the load is: the add is used by this
  // load alone (so y is live here), or y is free.
  if (ix.kind == ExprKind::Binary && ix.op == Op::Add && exprs_[ix.b].kind == ExprKind::Const &&
      (index_foldable || is_free(ix.a))) {
    uint32_t c = exprs_[ix.b].imm;
    if (exprs_[ix.a].max_value <= UINT32_MAX - c && offset <= UINT32_MAX - c) {
      e.a = ix.a;
      e.imm = offset + c;
    }
  }
  return intern(e);
}

ExprId ExprTable::walk(const ir::Inst& protochain, ExprId next_header, ExprId offset) {
  if (exprs_[next_header].kind == ExprKind::Trap || exprs_[offset].kind == ExprKind::Trap) return trap();
  Expr e;
  e.kind = ExprKind::Walk;
  e.size = protochain.size;
  e.imm = protochain.imm;
  e.stop = protochain.stop;
  e.a = next_header;
  e.b = offset;
  e.may_trap = true;
  // The first next-header value, or a byte read on the way.
  e.max_value = std::max<uint32_t>(exprs_[next_header].max_value, 0xff);
  return intern(e);
}

ExprId ExprTable::neg(ExprId a) {
  const Expr& x = exprs_[a];
  if (x.kind == ExprKind::Trap) return trap();
  if (x.kind == ExprKind::Const) return constant(0u - x.imm);
  Expr e;
  e.kind = ExprKind::Neg;
  e.a = a;
  e.may_trap = x.may_trap;
  e.max_value = UINT32_MAX;
  return intern(e);
}

ExprId ExprTable::fold_constant(Op op, uint32_t a, uint32_t b) {
  switch (op) {
    case Op::Add: return constant(a + b);
    case Op::Sub: return constant(a - b);
    case Op::Mul: return constant(a * b);
    case Op::Div: return b == 0 ? trap() : constant(a / b);
    case Op::Mod: return b == 0 ? trap() : constant(a % b);
    case Op::And: return constant(a & b);
    case Op::Or: return constant(a | b);
    case Op::Xor: return constant(a ^ b);
    case Op::Shl: return constant(b >= 32 ? 0 : a << b);
    case Op::Shr: return constant(b >= 32 ? 0 : a >> b);
    default: return trap();
  }
}

// Algebraic identities with a constant right operand; kNoExpr when none
// applies. Results that drop `a` are only used when `a` cannot trap.
ExprId ExprTable::simplify_with_constant(Op op, ExprId a, uint32_t k) {
  const Expr& x = exprs_[a];
  const bool pure = !x.may_trap;
  switch (op) {
    case Op::Div:
    case Op::Mod:
      if (k == 0) return trap();
      if (k == 1) return op == Op::Div ? a : (pure ? constant(0) : kNoExpr);
      return kNoExpr;
    case Op::Add:
    case Op::Sub:
    case Op::Or:
    case Op::Xor:
      if (k == 0) return a;
      if (op == Op::Or && k == UINT32_MAX && pure) return constant(UINT32_MAX);
      return kNoExpr;
    case Op::Shl:
    case Op::Shr:
      if (k == 0) return a;
      if ((k >= 32 || (op == Op::Shr && (x.max_value >> k) == 0)) && pure) return constant(0);
      return kNoExpr;
    case Op::Mul:
      if (k == 1) return a;
      if (k == 0) return pure ? constant(0) : kNoExpr;
      if (std::has_single_bit(k)) return binary(Op::Shl, a, constant(static_cast<uint32_t>(std::countr_zero(k))));
      return kNoExpr;
    case Op::And:
      if ((bits_below(x.max_value) & ~k) == 0) return a;  // the mask keeps every bit a can have
      if (k == 0 && pure) return constant(0);
      return kNoExpr;
    default:
      return kNoExpr;
  }
}

// (P[k] & 0xf) << 2 and (P[k] << 2) & 0x3c are what ldxb 4*([k]&0xf) loads.
std::optional<uint32_t> ExprTable::msh_offset(Op op, ExprId a, ExprId b) const {
  auto const_is = [&](ExprId e, uint32_t k) { return exprs_[e].kind == ExprKind::Const && exprs_[e].imm == k; };
  auto byte_load = [&](ExprId e) -> std::optional<uint32_t> {
    if (exprs_[e].kind == ExprKind::LoadAbs && exprs_[e].size == 1) return exprs_[e].imm;
    return std::nullopt;
  };
  const Expr& inner = exprs_[a];
  if (inner.kind != ExprKind::Binary) return std::nullopt;
  if (op == Op::Shl && const_is(b, 2) && inner.op == Op::And && const_is(inner.b, 0xf)) return byte_load(inner.a);
  if (op == Op::And && const_is(b, 0x3c) && inner.op == Op::Shl && const_is(inner.b, 2)) return byte_load(inner.a);
  return std::nullopt;
}

ExprId ExprTable::binary(Op op, ExprId a, ExprId b) {
  if (exprs_[a].kind == ExprKind::Trap || exprs_[b].kind == ExprKind::Trap) return trap();
  if (is_const(a) && is_const(b)) return fold_constant(op, exprs_[a].imm, exprs_[b].imm);
  if (ir::is_commutative(op) && (is_const(a) || (!is_const(b) && b < a))) std::swap(a, b);
  if (is_const(b)) {
    if (ExprId simpler = simplify_with_constant(op, a, exprs_[b].imm); simpler != kNoExpr) return simpler;
  }
  if (auto k = msh_offset(op, a, b)) {
    Expr e;
    e.kind = ExprKind::Msh;
    e.imm = *k;
    e.may_trap = true;
    e.max_value = 60;
    return intern(e);
  }
  const Expr& x = exprs_[a];
  const Expr& y = exprs_[b];
  Expr e;
  e.kind = ExprKind::Binary;
  e.op = op;
  e.a = a;
  e.b = b;
  e.may_trap = x.may_trap || y.may_trap || ((op == Op::Div || op == Op::Mod) && y.kind != ExprKind::Const);
  switch (op) {
    case Op::Add: e.max_value = saturating_add(x.max_value, y.max_value); break;
    case Op::Mul: {
      uint64_t product = uint64_t{x.max_value} * y.max_value;
      e.max_value = product > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(product);
      break;
    }
    case Op::Div: e.max_value = x.max_value; break;
    case Op::Mod: e.max_value = std::min(x.max_value, y.max_value == 0 ? 0 : y.max_value - 1); break;
    case Op::And: e.max_value = std::min(x.max_value, y.max_value); break;
    case Op::Or:
    case Op::Xor: e.max_value = bits_below(x.max_value) | bits_below(y.max_value); break;
    case Op::Shr: e.max_value = x.max_value; break;
    default: e.max_value = UINT32_MAX; break;
  }
  return intern(e);
}

std::vector<ExprId> number_values(const ir::Function& f, ExprTable& table) {
  // How many times each value is used anywhere: a load may fold a constant
  // added to its index only when the add has no other user.
  std::vector<uint32_t> uses(f.values.size(), 0);
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f.values[v];
      if (inst.a != ir::kNoValue) ++uses[inst.a];
      if (inst.b != ir::kNoValue) ++uses[inst.b];
      for (const ir::PhiIncoming& in : inst.incoming) ++uses[in.value];
    }
    if (block.term.lhs != ir::kNoValue) ++uses[block.term.lhs];
    if (block.term.rhs != ir::kNoValue) ++uses[block.term.rhs];
  }

  std::vector<ExprId> expr(f.values.size(), kNoExpr);
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f.values[v];
      switch (inst.op) {
        case Op::Const: expr[v] = table.constant(inst.imm); break;
        case Op::Len: expr[v] = table.len(); break;
        case Op::Caplen: std::abort();  // generate() refuses caplen before this stage
        case Op::Meta: {
          // Linux's ancillary load of the field, as libpcap emits it.
          const ir::AncillaryField field = ir::ancillary_field(static_cast<ir::MetaKind>(inst.imm));
          expr[v] = table.load(field.size, kNoExpr, ir::kSkfAdOff + field.offset, false);
          break;
        }
        case Op::Load: {
          bool foldable = inst.a != ir::kNoValue && uses[inst.a] == 1 && f.values[inst.a].block == inst.block &&
                          f.values[inst.a].op != Op::Phi;
          expr[v] = table.load(inst.size, inst.a == ir::kNoValue ? kNoExpr : expr[inst.a], inst.imm, foldable);
          break;
        }
        case Op::Neg: expr[v] = table.neg(expr[inst.a]); break;
        case Op::Protochain: expr[v] = table.walk(inst, expr[inst.a], expr[inst.b]); break;
        case Op::Phi: {
          // A phi whose incoming values all have the same free expression is
          // that expression (e.g. the same constant on every path).
          ExprId common = inst.incoming.empty() ? kNoExpr : expr[inst.incoming.front().value];
          for (const ir::PhiIncoming& in : inst.incoming) {
            if (expr[in.value] != common) common = kNoExpr;
          }
          expr[v] = common != kNoExpr && table.is_free(common) ? common : table.phi(v);
          break;
        }
        default: expr[v] = table.binary(inst.op, expr[inst.a], expr[inst.b]); break;
      }
    }
  }
  return expr;
}

}  // namespace bpfc::cbpf::detail
