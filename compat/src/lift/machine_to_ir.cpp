// Block program -> SSA IR.
#include "bpfc/ir/kernel_metadata.h"
#include "lift/machine_to_ir.h"

#include <array>
#include <utility>

#include "bpfc/support/unreachable.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

constexpr int kRegA = kMemWords;
constexpr int kRegX = kMemWords + 1;
constexpr int kRegs = kMemWords + 2;
using RegSet = uint32_t;
constexpr RegSet bit(int r) { return RegSet{1} << r; }
using Regs = std::array<ir::ValueId, kRegs>;

// One Const per distinct value, in the entry block, which dominates every
// use: the form value numbering gives constants, so that the optimizer's
// first round does not spend itself on moving them there.
class EntryConstants {
 public:
  EntryConstants(ir::Builder& bld, ir::BlockId entry) : bld_(bld), entry_(entry) {}

  ir::ValueId operator()(uint32_t k) {
    for (const auto& [value, id] : made_) {
      if (value == k) return id;
    }
    const ir::BlockId here = bld_.current_block();
    bld_.set_block(entry_);
    const ir::ValueId id = bld_.constant(k);
    bld_.set_block(here);
    made_.emplace_back(k, id);
    return id;
  }

 private:
  ir::Builder& bld_;
  ir::BlockId entry_;
  std::vector<std::pair<uint32_t, ir::ValueId>> made_;  // few: a linear search is the fastest
};

// A block's successors, at most two, held inline: asked of every block by
// each of the analyses below.
class BlockSuccessors {
 public:
  BlockSuccessors() = default;
  explicit BlockSuccessors(int only) : ids_{only, 0}, size_(1) {}
  BlockSuccessors(int first, int second) : ids_{first, second}, size_(2) {}
  const int* begin() const { return ids_; }
  const int* end() const { return ids_ + size_; }
  size_t size() const { return size_; }
  int operator[](size_t i) const { return ids_[i]; }

 private:
  int ids_[2] = {0, 0};
  size_t size_ = 0;
};

BlockSuccessors successors_of(const MachineBlock& b) {
  const int cls = op_class(b.jump.code);
  if (cls == kRet) return {};
  if (b.jump.code == (kJmp | kJa) || b.jt == b.jf) return BlockSuccessors(b.jt);
  return BlockSuccessors(b.jt, b.jf);
}

// Registers a statement reads and writes.
struct Access {
  RegSet reads = 0;
  RegSet writes = 0;
};

Access access_of(const Stmt& s, const MachineProgram& p) {
  const int c = s.code;
  Access a;
  if (c == kProtochainWalk) {
    // Starts from A and X; leaves its result in A and leftovers in X and in
    // its scratch register.
    a.reads = bit(kRegA) | bit(kRegX);
    a.writes = bit(kRegA) | bit(kRegX) | bit(p.walks[s.k].scratch);
    return a;
  }
  switch (op_class(c)) {
    case kLd:
      a.writes = bit(kRegA);
      if (op_mode(c) == kInd) a.reads = bit(kRegX);
      if (op_mode(c) == kMem) a.reads = bit(static_cast<int>(s.k));
      break;
    case kLdx:
      a.writes = bit(kRegX);
      if (op_mode(c) == kMem) a.reads = bit(static_cast<int>(s.k));
      break;
    case kSt:
      a.reads = bit(kRegA);
      a.writes = bit(static_cast<int>(s.k));
      break;
    case kStx:
      a.reads = bit(kRegX);
      a.writes = bit(static_cast<int>(s.k));
      break;
    case kAlu:
      a.reads = bit(kRegA) | (op_src(c) == bpf::kX && alu_op(c) != kNeg ? bit(kRegX) : 0);
      a.writes = bit(kRegA);
      break;
    case kMisc:
      if (misc_op(c) == kTax) {
        a.reads = bit(kRegA);
        a.writes = bit(kRegX);
      } else {
        a.reads = bit(kRegX);
        a.writes = bit(kRegA);
      }
      break;
    case kJmp:
      if (c != (kJmp | kJa)) a.reads = bit(kRegA) | (op_src(c) == bpf::kX ? bit(kRegX) : 0);
      break;
    case kRet:
      if (ret_val(c) == kRetA) a.reads = bit(kRegA);
      if (ret_val(c) == bpf::kX) a.reads = bit(kRegX);
      break;
    default: break;
  }
  return a;
}

// The registers live before `s`, given those live after it. The walk reads
// its scratch register only where what it leaves there is read: a walk that
// takes no step leaves the register's earlier value (see walk_leftover).
RegSet live_before(const Stmt& s, const MachineProgram& p, RegSet live) {
  const Access a = access_of(s, p);
  RegSet before = (live & ~a.writes) | a.reads;
  if (s.code == kProtochainWalk) before |= live & bit(p.walks[s.k].scratch);
  return before;
}

// Reverse post-order of the blocks reachable from the root.
std::vector<int> topological_order(const MachineProgram& p) {
  std::vector<int> post;
  std::vector<uint8_t> seen(p.blocks.size(), 0);
  std::vector<std::pair<int, size_t>> stack{{p.root, 0}};
  seen[static_cast<size_t>(p.root)] = 1;
  while (!stack.empty()) {
    auto& [b, next] = stack.back();
    const BlockSuccessors succ = successors_of(p.blocks[static_cast<size_t>(b)]);
    if (next < succ.size()) {
      int s = succ[next++];
      if (!seen[static_cast<size_t>(s)]) {
        seen[static_cast<size_t>(s)] = 1;
        stack.emplace_back(s, 0);
      }
    } else {
      post.push_back(b);
      stack.pop_back();
    }
  }
  return {post.rbegin(), post.rend()};
}

ir::Op ir_alu(int code) {
  switch (alu_op(code)) {
    case kAdd: return ir::Op::Add;
    case kSub: return ir::Op::Sub;
    case kMul: return ir::Op::Mul;
    case kDiv: return ir::Op::Div;
    case kMod: return ir::Op::Mod;
    case kAnd: return ir::Op::And;
    case kOr: return ir::Op::Or;
    case kXor: return ir::Op::Xor;
    case kLsh: return ir::Op::Shl;
    case kRsh: return ir::Op::Shr;
    default: BPFC_UNREACHABLE("an ALU opcode the lowering never builds");
  }
}

ir::Cond ir_cond(int code) {
  switch (alu_op(code)) {
    case kJeq: return ir::Cond::Eq;
    case kJgt: return ir::Cond::Gt;
    case kJge: return ir::Cond::Ge;
    case kJset: return ir::Cond::Set;
    default: BPFC_UNREACHABLE("a jump opcode the lowering never builds");
  }
}

// What libpcap's walk leaves in its scratch register. Each step stores the
// next-header value it reads there and reloads A from it, so once the walk has
// taken a step the register holds the value the walk stops at; a walk that
// takes no step leaves the register as it was. A walk takes a step exactly
// when it ends on a different value than it started from: a starting value
// that does not stop the walk is an extension or AH header, and the walk only
// stops on the stop value, 59 or a value it does not step over, none of which
// is that starting value. So the leftover is `result != start ? result :
// before`, written without branches (the lift keeps libpcap's blocks):
//   d = result ^ start;  moved = (d | -d) >> 31;  keep = moved - 1;
//   leftover = result ^ ((result ^ before) & keep)
ir::ValueId walk_leftover(ir::Builder& bld, EntryConstants& konst, ir::ValueId result, ir::ValueId start,
                          ir::ValueId before) {
  const ir::ValueId d = bld.binary(ir::Op::Xor, result, start);
  const ir::ValueId moved = bld.binary(ir::Op::Shr, bld.binary(ir::Op::Or, d, bld.neg(d)), konst(31));
  const ir::ValueId keep = bld.binary(ir::Op::Sub, moved, konst(1));
  const ir::ValueId differ = bld.binary(ir::Op::Xor, result, before);
  return bld.binary(ir::Op::Xor, result, bld.binary(ir::Op::And, differ, keep));
}

// `live_after`: the registers read after this statement before being written.
void emit_stmt(ir::Builder& bld, EntryConstants& konst, const Stmt& s, const MachineProgram& p, Regs& r,
               RegSet live_after) {
  const int c = s.code;
  if (c == kProtochainWalk) {
    const ProtochainWalk& w = p.walks[s.k];
    const auto scratch = static_cast<size_t>(w.scratch);
    const ir::ValueId start = r[kRegA];
    r[kRegA] = bld.protochain(w.ip_version, start, r[kRegX], w.base, w.stop);
    // libpcap's code reloads X before it reads it again. The scratch register
    // is read again where libpcap hands it out anew and reads it before
    // storing to it: a variable link-layer offset (geneve, vxlan) on a path
    // that skipped the code computing it.
    r[kRegX] = ir::kNoValue;
    r[scratch] = (live_after & bit(w.scratch)) ? walk_leftover(bld, konst, r[kRegA], start, r[scratch]) : ir::kNoValue;
    return;
  }
  switch (op_class(c)) {
    case kLd:
      switch (op_mode(c)) {
        case kAbs:
          // An ancillary load (a live Linux capture's SKF_AD_* field) reads
          // the kernel's packet metadata, not packet bytes.
          if (std::optional<ir::MetaKind> kind = ir::meta_kind_at(s.k)) {
            r[kRegA] = bld.meta(*kind);
          } else {
            r[kRegA] = bld.load(size_bytes(c), ir::kNoValue, s.k);
          }
          break;
        case kInd: r[kRegA] = bld.load(size_bytes(c), r[kRegX], s.k); break;
        case kLen: r[kRegA] = bld.len(); break;
        case kImm: r[kRegA] = konst(s.k); break;
        case kMem: r[kRegA] = r[s.k]; break;
        default: BPFC_UNREACHABLE("an ld mode the lowering never builds");
      }
      break;
    case kLdx:
      switch (op_mode(c)) {
        case kImm: r[kRegX] = konst(s.k); break;
        case kMem: r[kRegX] = r[s.k]; break;
        case kMsh: {
          // X = 4 * (P[k] & 0xf): an IPv4 header length.
          ir::ValueId byte = bld.load(1, ir::kNoValue, s.k);
          ir::ValueId nibble = bld.binary(ir::Op::And, byte, konst(0xf));
          r[kRegX] = bld.binary(ir::Op::Shl, nibble, konst(2));
          break;
        }
        default: BPFC_UNREACHABLE("an ldx mode the lowering never builds");
      }
      break;
    case kSt: r[s.k] = r[kRegA]; break;
    case kStx: r[s.k] = r[kRegX]; break;
    case kAlu:
      if (alu_op(c) == kNeg) {
        r[kRegA] = bld.neg(r[kRegA]);
      } else if (op_src(c) == bpf::kX) {
        r[kRegA] = bld.binary(ir_alu(c), r[kRegA], r[kRegX]);
      } else {
        r[kRegA] = bld.binary(ir_alu(c), r[kRegA], konst(s.k));
      }
      break;
    case kMisc:
      if (misc_op(c) == kTax) {
        r[kRegX] = r[kRegA];
      } else {
        r[kRegA] = r[kRegX];
      }
      break;
    default: break;
  }
}

}  // namespace

ir::Function machine_to_ir(const MachineProgram& p) {
  ir::Function f;
  ir::Builder bld(f);
  const std::vector<int> order = topological_order(p);
  const size_t n = p.blocks.size();

  // Liveness of registers, so that phis are made only where needed.
  std::vector<RegSet> live_in(n, 0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const MachineBlock& b = p.blocks[static_cast<size_t>(*it)];
    RegSet live = 0;
    for (int s : successors_of(b)) live |= live_in[static_cast<size_t>(s)];
    live = live_before(b.jump, p, live);
    for (auto st = b.stmts.rbegin(); st != b.stmts.rend(); ++st) live = live_before(*st, p, live);
    live_in[static_cast<size_t>(*it)] = live;
  }

  std::vector<ir::BlockId> ir_block(n, ir::kNoBlock);
  for (int b : order) ir_block[static_cast<size_t>(b)] = bld.new_block();
  EntryConstants konst(bld, ir_block[static_cast<size_t>(p.root)]);
  std::vector<std::vector<int>> preds(n);
  for (int b : order) {
    for (int s : successors_of(p.blocks[static_cast<size_t>(b)])) preds[static_cast<size_t>(s)].push_back(b);
  }

  std::vector<Regs> exit_regs(n);
  for (int b : order) {
    const MachineBlock& mb = p.blocks[static_cast<size_t>(b)];
    bld.set_block(ir_block[static_cast<size_t>(b)]);
    Regs r;
    r.fill(ir::kNoValue);
    if (b == p.root) {
      // BPF starts with A = X = 0 (and scratch memory treated as 0).
      r.fill(konst(0));
    } else {
      const auto& ps = preds[static_cast<size_t>(b)];
      for (int reg = 0; reg < kRegs; ++reg) {
        if (!(live_in[static_cast<size_t>(b)] & bit(reg))) continue;
        bool same = true;
        const ir::ValueId first = exit_regs[static_cast<size_t>(ps.front())][static_cast<size_t>(reg)];
        for (int q : ps) same = same && exit_regs[static_cast<size_t>(q)][static_cast<size_t>(reg)] == first;
        if (same) {
          r[static_cast<size_t>(reg)] = first;
        } else {
          std::vector<ir::PhiIncoming> in;
          for (int q : ps) {
            in.push_back({ir_block[static_cast<size_t>(q)],
                          exit_regs[static_cast<size_t>(q)][static_cast<size_t>(reg)]});
          }
          r[static_cast<size_t>(reg)] = bld.phi(std::move(in));
        }
      }
    }
    // Registers live after each statement.
    std::vector<RegSet> live_after(mb.stmts.size(), 0);
    {
      RegSet live = 0;
      for (int s : successors_of(mb)) live |= live_in[static_cast<size_t>(s)];
      live = live_before(mb.jump, p, live);
      for (size_t i = mb.stmts.size(); i-- > 0;) {
        live_after[i] = live;
        live = live_before(mb.stmts[i], p, live);
      }
    }
    for (size_t i = 0; i < mb.stmts.size(); ++i) emit_stmt(bld, konst, mb.stmts[i], p, r, live_after[i]);
    exit_regs[static_cast<size_t>(b)] = r;

    const int c = mb.jump.code;
    if (op_class(c) == kRet) {
      if (ret_val(c) == kRetA) {
        bld.ret(r[kRegA]);
      } else if (ret_val(c) == bpf::kX) {
        bld.ret(r[kRegX]);
      } else {
        bld.ret(konst(mb.jump.k));
      }
    } else if (c == (kJmp | kJa) || mb.jt == mb.jf) {
      bld.jump(ir_block[static_cast<size_t>(mb.jt)]);
    } else {
      ir::ValueId rhs = op_src(c) == bpf::kX ? r[kRegX] : konst(mb.jump.k);
      bld.branch(ir_cond(c), r[kRegA], rhs, ir_block[static_cast<size_t>(mb.jt)],
                 ir_block[static_cast<size_t>(mb.jf)]);
    }
  }
  return f;
}

}  // namespace bpfc::lower
