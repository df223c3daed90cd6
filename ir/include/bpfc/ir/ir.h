// The bpfc intermediate representation: SSA values over an acyclic CFG.
//
// Semantics (normative, see ARCHITECTURE.md "The IR contract"): a Function is
// f(P: bytes[caplen], wirelen) -> u32, exactly libpcap's bpf_filter():
//  - values are 32-bit unsigned, arithmetic wraps modulo 2^32, comparisons are
//    unsigned;
//  - Load reads `size` big-endian bytes at (index + offset) computed without
//    wrapping (index is an SSA value, or absent for 0; offset is an immediate).
//    If index + offset + size > caplen the whole filter returns 0 at once;
//  - Div/Mod by zero make the whole filter return 0 at once; Shl/Shr by 32 or
//    more yield 0;
//  - Len is the wire length.
// Loads are not freely movable: a load may only be reused where an identical
// load dominates it, and may not be hoisted onto a path that did not perform it.
//
// Structure: values live in Function::values and are referenced by ValueId;
// each value belongs to one block and appears in that block's `insts` list in
// execution order. Blocks are kept in topological order: every CFG edge goes
// from a lower block index to a higher one, and block 0 is the entry. Phis
// appear first in their block and have exactly one incoming value per
// predecessor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfc::ir {

using ValueId = uint32_t;
using BlockId = uint32_t;
inline constexpr ValueId kNoValue = UINT32_MAX;
inline constexpr BlockId kNoBlock = UINT32_MAX;

enum class Op : uint8_t {
  Const,  // imm
  Len,    // wire length of the packet
  Load,   // size bytes at (a or 0) + imm; a == kNoValue means absolute
  Add, Sub, Mul, Div, Mod, And, Or, Xor, Shl, Shr,  // a OP b
  Neg,    // -a (two's complement)
  Phi,    // incoming[i] comes from block preds(incoming[i].block)
};

struct PhiIncoming {
  BlockId block;
  ValueId value;
};

struct Inst {
  Op op = Op::Const;
  uint8_t size = 0;        // Load only: 1, 2 or 4
  uint32_t imm = 0;        // Const: the value; Load: the constant offset
  ValueId a = kNoValue;    // first operand (Load: optional index)
  ValueId b = kNoValue;    // second operand of binary ops
  BlockId block = kNoBlock;
  std::vector<PhiIncoming> incoming;  // Phi only
};

// Conditions of a two-way branch; each is unsigned. The others are expressed
// by swapping the targets: ne = !eq, lt = !ge, le = !gt.
enum class Cond : uint8_t {
  Eq,   // lhs == rhs
  Gt,   // lhs > rhs
  Ge,   // lhs >= rhs
  Set,  // (lhs & rhs) != 0
};

enum class TermKind : uint8_t { None, Ret, Jump, Branch };

struct Terminator {
  TermKind kind = TermKind::None;
  Cond cond = Cond::Eq;
  ValueId lhs = kNoValue;   // Branch: left operand; Ret: the returned value
  ValueId rhs = kNoValue;   // Branch: right operand
  BlockId on_true = kNoBlock;   // Branch: taken when cond holds; Jump: target
  BlockId on_false = kNoBlock;  // Branch: taken otherwise
};

struct Block {
  std::vector<ValueId> insts;  // in execution order, phis first
  Terminator term;
};

struct Function {
  std::vector<Inst> values;
  std::vector<Block> blocks;  // blocks[0] is the entry

  const Inst& value(ValueId v) const { return values[v]; }
  Inst& value(ValueId v) { return values[v]; }
};

// A block's successors, at most two, held inline (no allocation).
class Successors {
 public:
  Successors() = default;
  explicit Successors(BlockId only) : ids_{only, kNoBlock}, size_(1) {}
  Successors(BlockId first, BlockId second) : ids_{first, second}, size_(2) {}

  const BlockId* begin() const { return ids_; }
  const BlockId* end() const { return ids_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  BlockId operator[](size_t i) const { return ids_[i]; }
  void pop_back() { --size_; }

 private:
  BlockId ids_[2] = {kNoBlock, kNoBlock};
  uint8_t size_ = 0;
};

// Successors of a block in (on_true, on_false) / (target) order.
Successors successors(const Block& b);
// Predecessor lists for every block, each sorted ascending.
std::vector<std::vector<BlockId>> predecessors(const Function& f);

// Appends values and blocks to a Function. Blocks may be created in any
// order; call renumber_topologically() when done if creation order is not
// already topological.
class Builder {
 public:
  explicit Builder(Function& f) : f_(f) {}

  BlockId new_block();
  void set_block(BlockId b) { cur_ = b; }
  BlockId current_block() const { return cur_; }

  ValueId constant(uint32_t k);
  ValueId len();
  ValueId load(uint8_t size, ValueId index, uint32_t offset);  // index may be kNoValue
  ValueId load_abs(uint8_t size, uint32_t offset) { return load(size, kNoValue, offset); }
  ValueId binary(Op op, ValueId a, ValueId b);
  ValueId neg(ValueId a);
  ValueId phi(std::vector<PhiIncoming> incoming);

  void ret(ValueId v);
  void ret_const(uint32_t k) { ret(constant(k)); }
  void jump(BlockId target);
  void branch(Cond c, ValueId lhs, ValueId rhs, BlockId on_true, BlockId on_false);

  Function& function() { return f_; }

 private:
  ValueId append(Inst inst);
  Function& f_;
  BlockId cur_ = kNoBlock;
};

// Reorders blocks so that every edge goes forward; drops blocks unreachable
// from the entry. Returns false (leaving f unchanged) if the CFG has a cycle.
bool renumber_topologically(Function& f);

// Drops the values no block holds (left behind by passes that detach
// values) and renumbers the rest, keeping their order. Returns how many
// went. Every value an instruction or terminator uses must be placed.
size_t compact_values(Function& f);

// Textual form, stable and parseable (see ir/README or printer.cpp).
std::string print(const Function& f);

const char* op_name(Op op);
const char* cond_name(Cond c);

}  // namespace bpfc::ir
