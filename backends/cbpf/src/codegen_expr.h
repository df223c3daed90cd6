// Value numbering for the cBPF backend: every IR value gets the id of a
// canonical expression, so that two values computing the same thing (the
// same packet bytes, the same arithmetic on the same operands) share an id.
//
// The code generator tracks which expression each register and scratch slot
// holds; equal ids mean equal contents, whichever IR value produced them.
// That is sound because the packet never changes and, in an acyclic CFG,
// every phi is defined at most once per run: an expression evaluated earlier
// on the current path has the same value now, and if it did not end the
// filter then, it will not now.
//
// Canonicalization never drops a sub-expression that may end the filter (a
// load, a division by a non-constant), so evaluating an expression performs
// at least the run-time checks of the IR values it stands for.
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/ir/value_table.h"

namespace bpfc::cbpf::detail {

using ExprId = uint32_t;
inline constexpr ExprId kNoExpr = UINT32_MAX;

enum class ExprKind : uint8_t {
  Const,    // imm
  Len,      // wire length
  LoadAbs,  // size bytes at imm
  LoadInd,  // size bytes at a + imm, added without wrapping (as ld [x+k] checks)
  Msh,      // (P[imm] & 0xf) << 2, the IPv4 header length idiom (ldxb 4*([k]&0xf))
  Binary,   // op(a, b); commutative ops have a constant operand, if any, as b
  Neg,      // -a
  Phi,      // the phi value imm (a ValueId); unique
  Trap,     // always ends the filter (division by constant 0, impossible address)
  Walk,     // the protochain walk from (a, b): size = IP version, imm = base, stop
};

struct Expr {
  ExprKind kind = ExprKind::Const;
  ir::Op op = ir::Op::Const;  // Binary only
  uint8_t size = 0;           // loads only (Walk: the IP version)
  uint32_t imm = 0;
  ExprId a = kNoExpr;
  ExprId b = kNoExpr;
  uint32_t stop = 0;            // Walk only
  bool may_trap = false;        // evaluating it can end the filter
  uint32_t max_value = 0;       // an upper bound of its value

  auto identity() const { return std::tuple(kind, op, size, imm, a, b, stop); }
};

class ExprTable {
 public:
  const Expr& operator[](ExprId e) const { return exprs_[e]; }
  size_t size() const { return exprs_.size(); }

  ExprId constant(uint32_t k);
  ExprId len();
  ExprId trap();
  ExprId phi(ir::ValueId v);
  // `index_foldable`: the index value is used only by this load, so a
  // constant added to it may move into the offset (when that cannot wrap).
  ExprId load(uint8_t size, ExprId index, uint32_t offset, bool index_foldable);
  ExprId binary(ir::Op op, ExprId a, ExprId b);
  ExprId neg(ExprId a);
  ExprId walk(const ir::Inst& protochain, ExprId next_header, ExprId offset);

  bool is_const(ExprId e) const { return exprs_[e].kind == ExprKind::Const; }
  // Computable anywhere its IR value is available, in one or two
  // instructions from nothing but the packet (X at most as a scratch
  // register): such values are recomputed at each use instead of occupying
  // a scratch slot.
  bool is_free(ExprId e) const;

 private:
  ExprId intern(Expr e);
  ExprId fold_constant(ir::Op op, uint32_t a, uint32_t b);
  ExprId simplify_with_constant(ir::Op op, ExprId a, uint32_t k);
  std::optional<uint32_t> msh_offset(ir::Op op, ExprId a, ExprId b) const;

  std::vector<Expr> exprs_;
  ir::ValueInterner<decltype(Expr{}.identity())> index_;  // ids from 0, as exprs_
};

// The expression of every value placed in a block (kNoExpr for others).
// Blocks are visited in order, so operands are numbered before their users.
std::vector<ExprId> number_values(const ir::Function& f, ExprTable& table);

}  // namespace bpfc::cbpf::detail
