// Value numbering, constant folding, peephole rules and dead-store removal
// inside one block, with libpcap's exact rules (including the ones that make
// its output differ from its input on short packets, like `x * 0` -> `0`
// deleting the load of x).
#include "gencode/codegen.h"
#include "optimizer/state.h"

namespace bpfc::lower::opt {

using namespace bpf;

void State::fail(const std::string& message) const { throw LowerError(Diagnostic{message, std::nullopt}); }

void State::reset_values() {
  values.clear();
  vmap.assign(1, ValueInfo{});
}

// libpcap's value numbers: 1, 2, ... in the order computations are first
// seen (0 is "unknown"), a constant remembered as such.
uint32_t State::value(int code, uint32_t v0, uint32_t v1) {
  const auto [val, is_new] = values.intern(std::tuple(code, v0, v1));
  if (!is_new) return val;
  if (vmap.size() <= val) vmap.resize(val + 1);
  if (op_mode(code) == kImm && (op_class(code) == kLd || op_class(code) == kLdx)) {
    vmap[val] = ValueInfo{true, v0};
  }
  return val;
}

namespace {

using Vals = std::array<uint32_t, kNumAtoms>;

// Stores a value number, or deletes the statement when the register
// already holds that value.
void vstore(Stmt& s, uint32_t& slot, uint32_t newval, bool alter) {
  if (alter && newval != kValUnknown && slot == newval) {
    s.code = kNop;
  } else {
    slot = newval;
  }
}

void fold_op(State& st, Stmt& s, uint32_t v0, uint32_t v1) {
  uint32_t a = st.const_of(v0);
  const uint32_t b = st.const_of(v1);
  switch (alu_op(s.code)) {
    case kAdd: a += b; break;
    case kSub: a -= b; break;
    case kMul: a *= b; break;
    case kDiv:
      if (b == 0) st.fail("division by zero");
      a /= b;
      break;
    case kMod:
      if (b == 0) st.fail("modulus by zero");
      a %= b;
      break;
    case kAnd: a &= b; break;
    case kOr: a |= b; break;
    case kXor: a ^= b; break;
    case kLsh: a = b < 32 ? a << b : 0; break;
    case kRsh: a = b < 32 ? a >> b : 0; break;
    default: st.fail("internal error: unexpected operation in constant folding");
  }
  s.k = a;
  s.code = kLd | kImm;
  st.progress();
}

void opt_stmt(State& st, Stmt& s, Vals& val, bool alter) {
  const int code = s.code;
  if (code == kNop) return;
  const int cls = op_class(code);
  if (cls == kLd && (op_mode(code) == kAbs)) {
    vstore(s, val[kAtomA], st.value(code, s.k, 0), alter);
  } else if (cls == kLd && op_mode(code) == kInd) {
    uint32_t v = val[kAtomX];
    if (alter && st.is_const(v)) {
      s.code = kLd | kAbs | op_size(code);
      s.k += st.const_of(v);
      v = st.value(s.code, s.k, 0);
      st.progress();
    } else {
      v = st.value(code, s.k, v);
    }
    vstore(s, val[kAtomA], v, alter);
  } else if (code == (kLd | kLen)) {
    vstore(s, val[kAtomA], st.value(code, 0, 0), alter);
  } else if (code == (kLd | kImm)) {
    vstore(s, val[kAtomA], st.konst(s.k), alter);
  } else if (code == (kLdx | kImm)) {
    vstore(s, val[kAtomX], st.konst(s.k), alter);
  } else if (code == (kLdx | kMsh | kB)) {
    vstore(s, val[kAtomX], st.value(code, s.k, 0), alter);
  } else if (code == (kAlu | kNeg)) {
    if (alter && st.is_const(val[kAtomA])) {
      s.code = kLd | kImm;
      s.k = 0u - st.const_of(val[kAtomA]);
      val[kAtomA] = st.konst(s.k);
    } else {
      val[kAtomA] = st.value(code, val[kAtomA], 0);
    }
  } else if (cls == kAlu && op_src(code) == kK) {
    const int op = alu_op(code);
    if (alter) {
      if (s.k == 0) {
        // Operations with a zero constant.
        if (op == kAdd || op == kLsh || op == kRsh || op == kOr || op == kXor) {
          s.code = kNop;
          return;
        }
        if (op == kMul || op == kAnd) {
          s.code = kLd | kImm;
          val[kAtomA] = st.konst(s.k);
          return;
        }
        if (op == kDiv) st.fail("division by zero");
        if (op == kMod) st.fail("modulus by zero");
      }
      if (st.is_const(val[kAtomA])) {
        fold_op(st, s, val[kAtomA], st.konst(s.k));
        val[kAtomA] = st.konst(s.k);
        return;
      }
    }
    val[kAtomA] = st.value(code, val[kAtomA], st.konst(s.k));
  } else if (cls == kAlu) {  // source X
    const int op = alu_op(code);
    if (alter && st.is_const(val[kAtomX])) {
      if (st.is_const(val[kAtomA])) {
        fold_op(st, s, val[kAtomA], val[kAtomX]);
        val[kAtomA] = st.konst(s.k);
      } else {
        s.code = kAlu | kK | op;
        s.k = st.const_of(val[kAtomX]);
        if ((op == kLsh || op == kRsh) && s.k > 31) st.fail("shift by more than 31 bits");
        st.progress();
        val[kAtomA] = st.value(s.code, val[kAtomA], st.konst(s.k));
      }
      return;
    }
    // An operation on a zero accumulator.
    if (alter && st.is_const(val[kAtomA]) && st.const_of(val[kAtomA]) == 0) {
      if (op == kAdd || op == kOr || op == kXor) {
        s.code = kMisc | kTxa;
        vstore(s, val[kAtomA], val[kAtomX], alter);
        return;
      }
      if (op == kMul || op == kDiv || op == kMod || op == kAnd || op == kLsh || op == kRsh) {
        s.code = kLd | kImm;
        s.k = 0;
        vstore(s, val[kAtomA], st.konst(s.k), alter);
        return;
      }
    }
    val[kAtomA] = st.value(code, val[kAtomA], val[kAtomX]);
  } else if (code == (kMisc | kTxa)) {
    vstore(s, val[kAtomA], val[kAtomX], alter);
  } else if (code == (kLd | kMem)) {
    const uint32_t v = val[s.k];
    if (alter && st.is_const(v)) {
      s.code = kLd | kImm;
      s.k = st.const_of(v);
      st.progress();
    }
    vstore(s, val[kAtomA], v, alter);
  } else if (code == (kMisc | kTax)) {
    vstore(s, val[kAtomX], val[kAtomA], alter);
  } else if (code == (kLdx | kMem)) {
    const uint32_t v = val[s.k];
    if (alter && st.is_const(v)) {
      s.code = kLdx | kImm;
      s.k = st.const_of(v);
      st.progress();
    }
    vstore(s, val[kAtomX], v, alter);
  } else if (code == kSt) {
    vstore(s, val[s.k], val[kAtomA], alter);
  } else if (code == kStx) {
    vstore(s, val[s.k], val[kAtomX], alter);
  }
}

// Index of the first real statement at or after i (size() when none).
size_t this_op(const std::vector<Stmt>& stmts, size_t i) {
  while (i < stmts.size() && stmts[i].code == kNop) ++i;
  return i;
}

void opt_not(Block& b) { std::swap(b.jt, b.jf); }

void opt_peep(State& st, Block& b) {
  std::vector<Stmt>& s = b.stmts;
  if (s.empty()) return;
  const size_t end = s.size();
  size_t last = 0;
  for (size_t i = 0;;) {
    i = this_op(s, i);
    if (i == end) break;
    const size_t next = this_op(s, i + 1);
    if (next == end) break;
    last = next;
    // st M[k]; ldx M[k]  ->  st M[k]; tax
    if (s[i].code == kSt && s[next].code == (kLdx | kMem) && s[i].k == s[next].k) {
      st.progress();
      s[next].code = kMisc | kTax;
    }
    // ld #k; tax  ->  ldx #k; txa
    if (s[i].code == (kLd | kImm) && s[next].code == (kMisc | kTax)) {
      s[i].code = kLdx | kImm;
      s[next].code = kMisc | kTxa;
      st.progress();
    }
    // ld #k; [ldxms]; add x; tax; ld [x+j]  ->  [ldxms]; ld [x+j+k]
    if (s[i].code == (kLd | kImm) && !(b.out_use & atom_mask(kAtomX))) {
      const size_t add = s[next].code != (kLdx | kMsh | kB) ? next : this_op(s, next + 1);
      if (add != end && s[add].code == (kAlu | kAdd | kX)) {
        const size_t tax = this_op(s, add + 1);
        if (tax != end && s[tax].code == (kMisc | kTax)) {
          const size_t ild = this_op(s, tax + 1);
          if (ild != end && op_class(s[ild].code) == kLd && op_mode(s[ild].code) == kInd) {
            s[ild].k += s[i].k;
            s[i].code = kNop;
            s[add].code = kNop;
            s[tax].code = kNop;
            st.progress();
          }
        }
      }
    }
    i = next;
  }
  // Fold the operation before an equality test into the test when nothing
  // needs the accumulator afterwards.
  if (b.s.code == (kJmp | kJeq | kK) && !(b.out_use & atom_mask(kAtomA))) {
    Stmt& l = s[last];
    if (l.code == (kAlu | kSub | kX)) {
      const uint32_t xv = b.val[kAtomX];
      if (st.is_const(xv)) {
        b.s.k += st.const_of(xv);
        l.code = kNop;
        st.progress();
      } else if (b.s.k == 0) {
        l.code = kNop;
        b.s.code = kJmp | kJeq | kX;
        st.progress();
      }
    } else if (l.code == (kAlu | kSub | kK)) {
      l.code = kNop;
      b.s.k += l.k;
      st.progress();
    } else if (l.code == (kAlu | kAnd | kK) && b.s.k == 0) {
      b.s.k = l.k;
      b.s.code = kJmp | kK | kJset;
      l.code = kNop;
      st.progress();
      opt_not(b);
    }
  }
  // jset #0 never holds. jset #0xffffffff holds exactly when A != 0, so it
  // becomes `jeq #0` with the branches swapped. libpcap 1.10.3 took it as
  // "always" and so accepted every packet for `link[0:1] & 0xffffffff != 0`
  // (and refused its negation as rejecting everything); this follows the fix
  // on libpcap master (PR #1698, backported to 1.10 by PR #1742), including
  // its bookkeeping, which counts the rewrite as progress for the loop check.
  if (b.s.code == (kJmp | kK | kJset)) {
    if (b.s.k == 0) {
      b.jt = b.jf;
    } else if (b.s.k == 0xffffffffu) {
      b.s.code = kJmp | kJeq | kK;
      b.s.k = 0;
      opt_not(b);
      st.progress();
    }
  }
  // Compare with a constant X as an immediate.
  if (st.is_const(b.val[kAtomX]) && op_src(b.s.code) == kX) {
    b.s.code &= ~kX;
    b.s.k = st.const_of(b.val[kAtomX]);
  }
  // A constant accumulator decides the branch.
  if (st.is_const(b.val[kAtomA]) && op_src(b.s.code) == kK) {
    uint32_t v = st.const_of(b.val[kAtomA]);
    switch (alu_op(b.s.code)) {
      case kJeq: v = v == b.s.k; break;
      case kJgt: v = v > b.s.k; break;
      case kJge: v = v >= b.s.k; break;
      case kJset: v &= b.s.k; break;
      default: st.fail("internal error: unexpected branch in constant folding");
    }
    if (b.jf != b.jt) st.progress();
    if (v) {
      b.jf = b.jt;
    } else {
      b.jt = b.jf;
    }
  }
}

void opt_deadstores(State& st, Block& b) {
  std::array<int, kNumAtoms> last;
  last.fill(-1);
  auto dead = [&](Stmt& s, int index) {
    int atom = atom_use(s);
    if (atom >= 0) {
      if (atom == kAtomAX) {
        last[kAtomX] = -1;
        last[kAtomA] = -1;
      } else {
        last[static_cast<size_t>(atom)] = -1;
      }
    }
    atom = atom_def(s);
    if (atom >= 0) {
      int& prev = last[static_cast<size_t>(atom)];
      if (prev >= 0) {
        st.progress();
        b.stmts[static_cast<size_t>(prev)].code = kNop;
      }
      prev = index;
    }
  };
  for (size_t i = 0; i < b.stmts.size(); ++i) dead(b.stmts[i], static_cast<int>(i));
  dead(b.s, -1);
  for (int atom = 0; atom < kNumAtoms; ++atom) {
    const int at = last[static_cast<size_t>(atom)];
    if (at >= 0 && !(b.out_use & atom_mask(atom))) {
      b.stmts[static_cast<size_t>(at)].code = kNop;
      // The block no longer leaves that value in the atom: say so, or a
      // successor's identical load would be deleted as redundant and read
      // whatever the atom really holds. libpcap 1.10.3 kept the stale value
      // number, which is libpcap issue #434 (`len >= 2147483648 & 2147483648
      // or len < 0 | 2147483648` compared with X = 0); libpcap master forgets
      // the value here (PR #972), and so does this.
      b.val[static_cast<size_t>(atom)] = kValUnknown;
      st.progress();
    }
  }
}

}  // namespace

void opt_blk(State& st, int bi, bool do_stmts) {
  Block& b = st.blocks[bi];
  // Values on entry: those all predecessors agree on.
  int e = b.in_edges;
  if (e == kNone) {
    b.val.fill(kValUnknown);
  } else {
    b.val = st.blocks[st.edge_pred(e)].val;
    for (e = st.next_in[static_cast<size_t>(e)]; e != kNone; e = st.next_in[static_cast<size_t>(e)]) {
      const Vals& pv = st.blocks[st.edge_pred(e)].val;
      for (int i = 0; i < kNumAtoms; ++i) {
        if (b.val[static_cast<size_t>(i)] != pv[static_cast<size_t>(i)]) b.val[static_cast<size_t>(i)] = 0;
      }
    }
  }
  const uint32_t aval = b.val[kAtomA];
  const uint32_t xval = b.val[kAtomX];
  for (Stmt& s : b.stmts) opt_stmt(st, s, b.val, do_stmts);

  // A block that changes nothing anyone uses, or a return, needs no statements.
  if (do_stmts && ((b.out_use == 0 && aval != kValUnknown && b.val[kAtomA] == aval && xval != kValUnknown &&
                    b.val[kAtomX] == xval) ||
                   op_class(b.s.code) == kRet)) {
    if (!b.stmts.empty()) {
      b.stmts.clear();
      st.progress();
    }
  } else {
    opt_peep(st, b);
    opt_deadstores(st, b);
  }
  b.oval = op_src(b.s.code) == kK ? st.konst(b.s.k) : b.val[kAtomX];
  b.et_code = b.s.code;
  b.ef_code = -b.s.code;
}

}  // namespace bpfc::lower::opt
