// Block program -> SSA IR.
#include "bpfc/ir/kernel_metadata.h"
#include "lower_to_ir.h"

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

std::vector<int> successors_of(const MachineBlock& b) {
  const int cls = op_class(b.jump.code);
  if (cls == kRet) return {};
  if (b.jump.code == (kJmp | kJa) || b.jt == b.jf) return {b.jt};
  return {b.jt, b.jf};
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

// Reverse post-order of the blocks reachable from the root.
std::vector<int> topological_order(const MachineProgram& p) {
  std::vector<int> post;
  std::vector<uint8_t> seen(p.blocks.size(), 0);
  std::vector<std::pair<int, size_t>> stack{{p.root, 0}};
  seen[static_cast<size_t>(p.root)] = 1;
  while (!stack.empty()) {
    auto& [b, next] = stack.back();
    std::vector<int> succ = successors_of(p.blocks[static_cast<size_t>(b)]);
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

void emit_stmt(ir::Builder& bld, const Stmt& s, const MachineProgram& p, Regs& r) {
  const int c = s.code;
  if (c == kProtochainWalk) {
    const ProtochainWalk& w = p.walks[s.k];
    r[kRegA] = bld.protochain(w.ip_version, r[kRegA], r[kRegX], w.base, w.stop);
    // What libpcap's loop leaves in X and in its register is never read:
    // the code after it loads both before use.
    r[kRegX] = ir::kNoValue;
    r[static_cast<size_t>(w.scratch)] = ir::kNoValue;
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
        case kImm: r[kRegA] = bld.constant(s.k); break;
        case kMem: r[kRegA] = r[s.k]; break;
        default: BPFC_UNREACHABLE("an ld mode the lowering never builds");
      }
      break;
    case kLdx:
      switch (op_mode(c)) {
        case kImm: r[kRegX] = bld.constant(s.k); break;
        case kMem: r[kRegX] = r[s.k]; break;
        case kMsh: {
          // X = 4 * (P[k] & 0xf): an IPv4 header length.
          ir::ValueId byte = bld.load(1, ir::kNoValue, s.k);
          ir::ValueId nibble = bld.binary(ir::Op::And, byte, bld.constant(0xf));
          r[kRegX] = bld.binary(ir::Op::Shl, nibble, bld.constant(2));
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
        r[kRegA] = bld.binary(ir_alu(c), r[kRegA], bld.constant(s.k));
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
    Access j = access_of(b.jump, p);
    live = (live & ~j.writes) | j.reads;
    for (auto st = b.stmts.rbegin(); st != b.stmts.rend(); ++st) {
      Access a = access_of(*st, p);
      live = (live & ~a.writes) | a.reads;
    }
    live_in[static_cast<size_t>(*it)] = live;
  }

  std::vector<ir::BlockId> ir_block(n, ir::kNoBlock);
  for (int b : order) ir_block[static_cast<size_t>(b)] = bld.new_block();
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
      r.fill(bld.constant(0));
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
    for (const Stmt& s : mb.stmts) emit_stmt(bld, s, p, r);
    exit_regs[static_cast<size_t>(b)] = r;

    const int c = mb.jump.code;
    if (op_class(c) == kRet) {
      if (ret_val(c) == kRetA) {
        bld.ret(r[kRegA]);
      } else if (ret_val(c) == bpf::kX) {
        bld.ret(r[kRegX]);
      } else {
        bld.ret_const(mb.jump.k);
      }
    } else if (c == (kJmp | kJa) || mb.jt == mb.jf) {
      bld.jump(ir_block[static_cast<size_t>(mb.jt)]);
    } else {
      ir::ValueId rhs = op_src(c) == bpf::kX ? r[kRegX] : bld.constant(mb.jump.k);
      bld.branch(ir_cond(c), r[kRegA], rhs, ir_block[static_cast<size_t>(mb.jt)],
                 ir_block[static_cast<size_t>(mb.jf)]);
    }
  }
  return f;
}

}  // namespace bpfc::lower
