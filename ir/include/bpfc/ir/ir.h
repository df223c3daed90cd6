// The bpfc intermediate representation: SSA values over an acyclic CFG.
//
// Semantics (normative: ir/README.md is the contract, this comment its
// summary): a Function is f(P: bytes[caplen], wirelen) -> u32, exactly
// libpcap's bpf_filter():
//  - values are 32-bit unsigned, arithmetic wraps modulo 2^32, comparisons are
//    unsigned;
//  - Load reads `size` big-endian bytes at (index + offset) computed without
//    wrapping (index is an SSA value, or absent for 0; offset is an immediate).
//    If index + offset + size > caplen the whole filter returns 0 at once;
//  - Div/Mod by zero make the whole filter return 0 at once; Shl/Shr by 32 or
//    more yield 0;
//  - Len is the wire length; Caplen the captured length (the bytes P holds),
//    which classic BPF cannot read (targets that have it only);
//  - a Load marked `checked` is in bounds on every run that reaches it,
//    proven by a dominating guard (opt::legalize_bounds_checks): targets
//    whose loads do not trap read it unguarded;
//  - Meta is a field of the packet's kernel metadata (MetaKind; see
//    ir/README.md "Kernel packet metadata"): legal only where the compile
//    context provides it (a live Linux socket). Where the metadata is absent
//    the whole filter returns 0 at once, as for a load past the captured bytes;
//    passes treat it as a load (never hoisted, kept while it may run);
//  - Protochain is libpcap's `protochain` header walk, the IR's one bounded
//    loop, kept whole as one operation (see "The protochain walk" below).
// Loads are not freely movable: a load may only be reused where an identical
// load dominates it, and may not be hoisted onto a path that did not perform it.
// The same holds for Protochain, which reads packet bytes.
//
// The protochain walk. `v = protochain.ipV nh, off [base] stop S` starts with
// the next-header value nh (a) and the offset off (b) of the header nh
// announces, counted from `base` (imm, the offset of the IP header); V
// (size) is the IP version, 4 or 6; S (stop) is the protocol looked for.
// It repeats:
//    if nh == S or nh == 59 (no next header):      the result is nh;
//    if V == 6 and nh is 0, 60, 43 or 44 (hop-by-hop, destination options,
//    routing, fragment):  nh, off = P[base+off], off + (P[base+off+1] + 1) * 8;
//    else if nh == 51 (AH):  nh, off = P[base+off], (P[base+off+1] + 2) * 4;
//    else:                                         the result is nh.
// The byte reads follow Load's rule (base + off computed without wrapping, out
// of the captured bytes: the whole filter returns 0); off wraps modulo 2^32.
// The AH step sets off rather than adding to it, as libpcap's code does, so a
// chain of AH headers can lead back to itself: a walk that never ends makes the
// whole filter return 0 (libpcap 1.10.3's bpf_filter() would spin forever;
// later libpcap versions also stop with 0). A walk that ends takes at most
// 2 * caplen steps (a step's outcome depends only on off and on whether nh is
// AH), so more steps than that mean it never will.
// Targets with loops emit the walk as a loop (the cBPF backend emits
// libpcap's); targets without loops unroll it a bounded number of times
// (optimizer/legalize.h) or refuse it with a message that says so.
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
#include <span>
#include <vector>

namespace bpfc::ir {

using ValueId = uint32_t;
using BlockId = uint32_t;
inline constexpr ValueId kNoValue = UINT32_MAX;
inline constexpr BlockId kNoBlock = UINT32_MAX;

enum class Op : uint8_t {
  Const,  // imm
  Len,    // wire length of the packet
  Caplen, // captured length of the packet (bytes P holds)
  Load,   // size bytes at (a or 0) + imm; a == kNoValue means absolute
  Add, Sub, Mul, Div, Mod, And, Or, Xor, Shl, Shr,  // a OP b
  Neg,    // -a (two's complement)
  Phi,    // incoming[i] comes from block preds(incoming[i].block)
  Protochain,  // the protochain walk from (a, b); see the header comment
  Meta,   // kernel packet metadata: the field MetaKind(imm)
};

// The operations written `a OP b` (Add .. Shr).
constexpr bool is_binary(Op op) {
  switch (op) {
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod:
    case Op::And: case Op::Or: case Op::Xor: case Op::Shl: case Op::Shr:
      return true;
    default:
      return false;
  }
}

// The binary operations where a OP b == b OP a for all a and b: value
// numberings and instruction selection may put their operands in either order.
constexpr bool is_commutative(Op op) {
  return op == Op::Add || op == Op::Mul || op == Op::And || op == Op::Or || op == Op::Xor;
}

// The kernel packet metadata a Meta value reads: what a Linux socket filter
// reads as SKF_AD_* ancillary data.
enum class MetaKind : uint8_t {
  Protocol,        // the link-layer protocol (EtherType) the kernel gave the packet
  PacketType,      // PACKET_HOST, _BROADCAST, _MULTICAST, _OTHERHOST, _OUTGOING (0..4)
  Ifindex,         // the index of the interface the packet came in or went out on
  VlanTci,         // the TCI of the VLAN tag the kernel took off the packet (0 if none)
  VlanTagPresent,  // 1 if the kernel took a VLAN tag off the packet, else 0
};
inline constexpr uint32_t kMetaKindCount = 5;
// The text form's names ("meta.ifindex"), indexed by MetaKind.
const char* meta_kind_name(MetaKind kind);

// Protocol numbers the protochain walk knows (IANA, as libpcap's code uses them).
namespace protochain {
inline constexpr uint32_t kHopByHop = 0;
inline constexpr uint32_t kRouting = 43;
inline constexpr uint32_t kFragment = 44;
inline constexpr uint32_t kAh = 51;
inline constexpr uint32_t kNoNextHeader = 59;
inline constexpr uint32_t kDestinationOptions = 60;

// Whether an IPv6 walk steps over a header with next-header value `nh` as an
// extension header (the AH step is separate).
constexpr bool is_ipv6_extension(uint32_t nh) {
  return nh == kHopByHop || nh == kDestinationOptions || nh == kRouting || nh == kFragment;
}
}  // namespace protochain

struct PhiIncoming {
  BlockId block;
  ValueId value;
};

struct Inst {
  Op op = Op::Const;
  uint8_t size = 0;        // Load: 1, 2 or 4; Protochain: the IP version, 4 or 6
  uint32_t imm = 0;        // Const: the value; Load: the constant offset;
                           // Protochain: the offset of the IP header;
                           // Meta: the MetaKind
  ValueId a = kNoValue;    // first operand (Load: optional index; Protochain: nh)
  ValueId b = kNoValue;    // second operand of binary ops (Protochain: off)
  BlockId block = kNoBlock;
  uint32_t stop = 0;       // Protochain only: the protocol number looked for
  bool checked = false;    // Load only: in bounds wherever it runs (a guard dominates it)
  std::vector<PhiIncoming> incoming;  // Phi only
};

// Whether two instructions compute the same function of their operands:
// same operation and the same immediates (what passes that compare
// instructions must check beside the operands).
bool same_operation(const Inst& x, const Inst& y);

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

// Successors of a block in (on_true, on_false) / (target) order. Inline:
// every pass and analysis asks it of every block, often several times.
inline Successors successors(const Block& b) {
  switch (b.term.kind) {
    case TermKind::Jump: return Successors(b.term.on_true);
    case TermKind::Branch: return Successors(b.term.on_true, b.term.on_false);
    case TermKind::Ret:
    case TermKind::None: return {};
  }
  return {};
}
// Predecessor lists for every block, each sorted ascending.
std::vector<std::vector<BlockId>> predecessors(const Function& f);

// The same lists in one array, for analyses that only read them (the
// dominator tree, the verifier, ...): two allocations rather than one per
// block.
class PredecessorTable {
 public:
  PredecessorTable() = default;  // no blocks
  explicit PredecessorTable(const Function& f);
  size_t size() const { return first_.size() - 1; }
  std::span<const BlockId> operator[](BlockId b) const {
    return {list_.data() + first_[b], list_.data() + first_[b + 1]};
  }

 private:
  std::vector<uint32_t> first_{0};  // b's list is list_[first_[b] .. first_[b + 1])
  std::vector<BlockId> list_;
};

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
  ValueId caplen();
  ValueId meta(MetaKind kind);
  ValueId load(uint8_t size, ValueId index, uint32_t offset);  // index may be kNoValue
  ValueId load_abs(uint8_t size, uint32_t offset) { return load(size, kNoValue, offset); }
  ValueId binary(Op op, ValueId a, ValueId b);
  ValueId neg(ValueId a);
  ValueId phi(std::vector<PhiIncoming> incoming);
  ValueId protochain(uint8_t ip_version, ValueId next_header, ValueId offset, uint32_t base, uint32_t stop);

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

// Textual form, stable and parseable (grammar in ir/README.md).
std::string print(const Function& f);

const char* op_name(Op op);
const char* cond_name(Cond c);

}  // namespace bpfc::ir
