// Builder and CFG utilities for ir::Function.
#include <algorithm>

#include "bpfc/ir/ir.h"
#include "bpfc/support/unreachable.h"

namespace bpfc::ir {

PredecessorTable::PredecessorTable(const Function& f) : first_(f.blocks.size() + 1, 0) {
  // As predecessors(f): each list ascending, a repeated edge once.
  for (const Block& block : f.blocks) {
    const Successors succ = successors(block);
    for (size_t i = 0; i < succ.size(); ++i) {
      if (i == 0 || succ[i] != succ[0]) ++first_[succ[i] + 1];
    }
  }
  for (size_t b = 0; b < f.blocks.size(); ++b) first_[b + 1] += first_[b];
  list_.resize(first_.back());
  std::vector<uint32_t> next(first_.begin(), first_.end() - 1);
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    const Successors succ = successors(f.blocks[b]);
    for (size_t i = 0; i < succ.size(); ++i) {
      if (i == 0 || succ[i] != succ[0]) list_[next[succ[i]]++] = b;
    }
  }
}

std::vector<std::vector<BlockId>> predecessors(const Function& f) {
  // Count first so that every list is allocated once.
  std::vector<uint32_t> count(f.blocks.size(), 0);
  for (const Block& block : f.blocks) {
    const Successors succ = successors(block);
    for (size_t i = 0; i < succ.size(); ++i) {
      if (i == 0 || succ[i] != succ[0]) ++count[succ[i]];
    }
  }
  std::vector<std::vector<BlockId>> preds(f.blocks.size());
  for (BlockId b = 0; b < f.blocks.size(); ++b) preds[b].reserve(count[b]);
  // Blocks are visited in increasing order, so each list comes out sorted
  // and a repeated edge (both branch targets the same) is the last one
  // pushed.
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    for (BlockId s : successors(f.blocks[b])) {
      auto& p = preds[s];
      if (p.empty() || p.back() != b) p.push_back(b);
    }
  }
  return preds;
}

BlockId Builder::new_block() {
  f_.blocks.emplace_back();
  return static_cast<BlockId>(f_.blocks.size() - 1);
}

ValueId Builder::append(Inst inst) {
  inst.block = cur_;
  f_.values.push_back(std::move(inst));
  auto id = static_cast<ValueId>(f_.values.size() - 1);
  f_.blocks[cur_].insts.push_back(id);
  return id;
}

ValueId Builder::constant(uint32_t k) {
  Inst i;
  i.op = Op::Const;
  i.imm = k;
  return append(std::move(i));
}

ValueId Builder::len() {
  Inst i;
  i.op = Op::Len;
  return append(std::move(i));
}

ValueId Builder::caplen() {
  Inst i;
  i.op = Op::Caplen;
  return append(std::move(i));
}

ValueId Builder::meta(MetaKind kind) {
  Inst i;
  i.op = Op::Meta;
  i.imm = static_cast<uint32_t>(kind);
  return append(std::move(i));
}

ValueId Builder::load(uint8_t size, ValueId index, uint32_t offset) {
  Inst i;
  i.op = Op::Load;
  i.size = size;
  i.a = index;
  i.imm = offset;
  return append(std::move(i));
}

ValueId Builder::binary(Op op, ValueId a, ValueId b) {
  Inst i;
  i.op = op;
  i.a = a;
  i.b = b;
  return append(std::move(i));
}

ValueId Builder::neg(ValueId a) {
  Inst i;
  i.op = Op::Neg;
  i.a = a;
  return append(std::move(i));
}

ValueId Builder::phi(std::vector<PhiIncoming> incoming) {
  Inst i;
  i.op = Op::Phi;
  i.incoming = std::move(incoming);
  i.block = cur_;
  f_.values.push_back(std::move(i));
  auto id = static_cast<ValueId>(f_.values.size() - 1);
  // Phis go before every non-phi instruction of the block.
  auto& insts = f_.blocks[cur_].insts;
  auto pos = std::find_if(insts.begin(), insts.end(), [&](ValueId v) { return f_.values[v].op != Op::Phi; });
  insts.insert(pos, id);
  return id;
}

ValueId Builder::protochain(uint8_t ip_version, ValueId next_header, ValueId offset, uint32_t base,
                            uint32_t stop) {
  Inst i;
  i.op = Op::Protochain;
  i.size = ip_version;
  i.a = next_header;
  i.b = offset;
  i.imm = base;
  i.stop = stop;
  return append(std::move(i));
}

void Builder::ret(ValueId v) {
  Terminator& t = f_.blocks[cur_].term;
  t = Terminator{};
  t.kind = TermKind::Ret;
  t.lhs = v;
}

void Builder::jump(BlockId target) {
  Terminator& t = f_.blocks[cur_].term;
  t = Terminator{};
  t.kind = TermKind::Jump;
  t.on_true = target;
}

void Builder::branch(Cond c, ValueId lhs, ValueId rhs, BlockId on_true, BlockId on_false) {
  Terminator& t = f_.blocks[cur_].term;
  t = Terminator{};
  t.kind = TermKind::Branch;
  t.cond = c;
  t.lhs = lhs;
  t.rhs = rhs;
  t.on_true = on_true;
  t.on_false = on_false;
}

bool renumber_topologically(Function& f) {
  if (f.blocks.empty()) return true;
  // Iterative DFS post-order from the entry; reverse post-order is a
  // topological order of an acyclic graph. A back edge means a cycle.
  const size_t n = f.blocks.size();
  enum : uint8_t { White, Grey, Black };
  std::vector<uint8_t> color(n, White);
  std::vector<BlockId> post;
  std::vector<std::pair<BlockId, size_t>> stack{{0, 0}};
  color[0] = Grey;
  while (!stack.empty()) {
    auto& [b, next] = stack.back();
    auto succ = successors(f.blocks[b]);
    if (next < succ.size()) {
      BlockId s = succ[next++];
      if (color[s] == Grey) return false;
      if (color[s] == White) {
        color[s] = Grey;
        stack.emplace_back(s, 0);
      }
    } else {
      color[b] = Black;
      post.push_back(b);
      stack.pop_back();
    }
  }
  std::vector<BlockId> order(post.rbegin(), post.rend());
  std::vector<BlockId> new_id(n, kNoBlock);
  for (BlockId i = 0; i < order.size(); ++i) new_id[order[i]] = i;

  std::vector<Block> blocks;
  blocks.reserve(order.size());
  for (BlockId old : order) blocks.push_back(std::move(f.blocks[old]));
  for (Block& b : blocks) {
    Terminator& t = b.term;
    if (t.on_true != kNoBlock) t.on_true = new_id[t.on_true];
    if (t.on_false != kNoBlock) t.on_false = new_id[t.on_false];
  }
  for (Inst& v : f.values) {
    // A detached value's phi inputs are stale (they may name blocks that no
    // longer exist): they go.
    if (v.block == kNoBlock) {
      v.incoming.clear();
      continue;
    }
    v.block = new_id[v.block];
    for (PhiIncoming& in : v.incoming) in.block = new_id[in.block];
    // Edges from dropped (unreachable) blocks no longer exist.
    std::erase_if(v.incoming, [](const PhiIncoming& in) { return in.block == kNoBlock; });
  }
  f.blocks = std::move(blocks);
  return true;
}

size_t compact_values(Function& f) {
  const size_t n = f.values.size();
  std::vector<ValueId> new_id(n, kNoValue);
  for (const Block& b : f.blocks) {
    for (ValueId v : b.insts) new_id[v] = 0;
  }
  ValueId next = 0;
  for (ValueId v = 0; v < n; ++v) {
    if (new_id[v] == 0) new_id[v] = next++;
  }
  if (next == n) return 0;
  std::vector<Inst> values;
  values.reserve(next);
  for (ValueId v = 0; v < n; ++v) {
    if (new_id[v] != kNoValue) values.push_back(std::move(f.values[v]));
  }
  auto renumber = [&](ValueId& x) {
    if (x != kNoValue) x = new_id[x];
  };
  for (Inst& inst : values) {
    renumber(inst.a);
    renumber(inst.b);
    for (PhiIncoming& in : inst.incoming) renumber(in.value);
  }
  for (Block& b : f.blocks) {
    for (ValueId& v : b.insts) v = new_id[v];
    renumber(b.term.lhs);
    renumber(b.term.rhs);
  }
  f.values = std::move(values);
  return n - next;
}

const char* op_name(Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Len: return "len";
    case Op::Caplen: return "caplen";
    case Op::Load: return "load";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::Mul: return "mul";
    case Op::Div: return "div";
    case Op::Mod: return "mod";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Xor: return "xor";
    case Op::Shl: return "shl";
    case Op::Shr: return "shr";
    case Op::Neg: return "neg";
    case Op::Phi: return "phi";
    case Op::Protochain: return "protochain";
    case Op::Meta: return "meta";
  }
  return "?";
}

const char* meta_kind_name(MetaKind kind) {
  switch (kind) {
    case MetaKind::Protocol: return "protocol";
    case MetaKind::PacketType: return "pkttype";
    case MetaKind::Ifindex: return "ifindex";
    case MetaKind::VlanTci: return "vlan_tci";
    case MetaKind::VlanTagPresent: return "vlan_present";
  }
  BPFC_UNREACHABLE("an IR operation of no known kind");
}

bool same_operation(const Inst& x, const Inst& y) {
  if (x.op != y.op) return false;
  switch (x.op) {
    case Op::Const: return x.imm == y.imm;
    case Op::Load: return x.size == y.size && x.imm == y.imm && x.checked == y.checked;
    case Op::Meta: return x.imm == y.imm;
    case Op::Protochain: return x.size == y.size && x.imm == y.imm && x.stop == y.stop;
    default: return true;
  }
}

const char* cond_name(Cond c) {
  switch (c) {
    case Cond::Eq: return "eq";
    case Cond::Gt: return "gt";
    case Cond::Ge: return "ge";
    case Cond::Set: return "set";
  }
  BPFC_UNREACHABLE("a branch condition of no known kind");
}

}  // namespace bpfc::ir
