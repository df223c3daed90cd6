// Branch movement: jump threading through tests whose outcome an edge
// dominator already decided, skipping tests with identical targets, and
// pulling a test of the incoming value up a chain of tests (libpcap's
// opt_j, or_pullup and and_pullup).
#include "optimizer/state.h"

namespace bpfc::lower::opt {

using namespace bpf;

namespace {

// True when moving an edge from `b` to `succ` would feed `succ`'s users a
// register value other than the one they were computed with.
bool use_conflict(const State& st, int b, int succ) {
  const AtomSet use = st.blocks[succ].out_use;
  if (use == 0) return false;
  for (int atom = 0; atom < kNumAtoms; ++atom) {
    if ((use & atom_mask(atom)) &&
        st.blocks[b].val[static_cast<size_t>(atom)] != st.blocks[succ].val[static_cast<size_t>(atom)]) {
      return true;
    }
  }
  return false;
}

// True when skipping `skipped` (a block whose test goes to `target` either
// way) on the way from `pred` would change a value `target` reads on entry:
// `skipped` may write an atom `target` uses before writing it, and value
// numbering does not show `pred` already leaving the same value there.
// use_conflict() looks only at the registers live on exit from `target`, so
// libpcap (1.10.3 and master) bypasses such a block anyway; for `vxlan and
// arp` that skipped the block storing the inner frame's offset in M[1], and
// the inner EtherType was read at offset 0 (libpcap issues #1670 and #1726;
// the open PR #1688 proposes checking `target`'s in_use here too).
bool skipped_block_feeds_target(const State& st, int pred, int skipped, int target) {
  const AtomSet at_risk = st.blocks[target].in_use & st.blocks[skipped].def;
  if (at_risk == 0) return false;
  for (int atom = 0; atom < kNumAtoms; ++atom) {
    if (!(at_risk & atom_mask(atom))) continue;
    const uint32_t passed = st.blocks[skipped].val[static_cast<size_t>(atom)];
    if (passed == kValUnknown || passed != st.blocks[pred].val[static_cast<size_t>(atom)]) return true;
  }
  return false;
}

// If edge `e` decides the test at the end of `child`, the child's successor
// on the decided side; kNone otherwise.
int fold_edge(const State& st, int child, int e) {
  int code = st.edge_code(e);
  bool sense = true;
  if (code < 0) {
    code = -code;
    sense = false;
  }
  const Block& c = st.blocks[child];
  if (c.s.code != code) return kNone;
  const Block& p = st.blocks[st.edge_pred(e)];
  if (c.val[kAtomA] != p.val[kAtomA]) return kNone;
  if (c.oval == p.oval) return sense ? c.jt : c.jf;
  // Equal to one constant means unequal to any other.
  if (sense && code == (kJmp | kJeq | kK)) return c.jf;
  return kNone;
}

// A jt/jf slot of a block, libpcap's `struct block **`.
struct Slot {
  int block;
  bool jt;
};
int get(const State& st, Slot s) { return s.jt ? st.blocks[s.block].jt : st.blocks[s.block].jf; }
void set(State& st, Slot s, int v) { (s.jt ? st.blocks[s.block].jt : st.blocks[s.block].jf) = v; }

// Shared shape of or_pullup (chains along false edges, same true target)
// and and_pullup (chains along true edges, same false target).
void pullup(State& st, int b, bool along_jf) {
  int ep = st.blocks[b].in_edges;
  if (ep == kNone) return;
  // Every predecessor must leave the same value in A.
  const uint32_t val = st.blocks[st.edge_pred(ep)].val[kAtomA];
  for (int e = st.next_in[static_cast<size_t>(ep)]; e != kNone; e = st.next_in[static_cast<size_t>(e)]) {
    if (val != st.blocks[st.edge_pred(e)].val[kAtomA]) return;
  }
  const int first_pred = st.edge_pred(ep);
  Slot diffp{first_pred, st.blocks[first_pred].jt == b};

  auto same_exit = [&](int x) {
    return along_jf ? st.blocks[x].jt == st.blocks[b].jt : st.blocks[x].jf == st.blocks[b].jf;
  };
  auto dominated = [&](int x) { return st.blocks[x].dom.contains(static_cast<size_t>(b)); };

  // Walk down the chain to the first test of a different value.
  bool at_top = true;
  for (;;) {
    const int d = get(st, diffp);
    if (d == kNone || !same_exit(d) || !dominated(d)) return;
    if (st.blocks[d].val[kAtomA] != val) break;
    diffp = Slot{d, !along_jf};
    at_top = false;
  }
  // Further down, the next test of the original value gets pulled up.
  Slot samep{get(st, diffp), !along_jf};
  for (;;) {
    const int sm = get(st, samep);
    if (sm == kNone || !same_exit(sm) || !dominated(sm)) return;
    if (st.blocks[sm].val[kAtomA] == val) break;
    samep = Slot{sm, !along_jf};
  }
  const int pull = get(st, samep);
  const Slot pull_next{pull, !along_jf};
  set(st, samep, get(st, pull_next));
  set(st, pull_next, get(st, diffp));
  if (at_top) {
    for (int e = st.blocks[b].in_edges; e != kNone; e = st.next_in[static_cast<size_t>(e)]) {
      Block& pred = st.blocks[st.edge_pred(e)];
      if (pred.jt == b) {
        pred.jt = pull;
      } else {
        pred.jf = pull;
      }
    }
  } else {
    set(st, diffp, pull);
  }
  st.done = false;
}

}  // namespace

void opt_j(State& st, int e) {
  {
    const int succ = st.edge_succ(e);
    if (st.blocks[succ].jt == kNone) return;
    // A test whose both sides go to the same place can be skipped, with its
    // block's statements, when the target does not need what they compute.
    const int target = st.blocks[succ].jt;
    if (target == st.blocks[succ].jf && !use_conflict(st, st.edge_pred(e), target) &&
        !skipped_block_feeds_target(st, st.edge_pred(e), succ, target)) {
      st.progress();
      st.edge_succ(e) = target;
    }
  }
  // Thread through tests an edge dominator already decided.
  const BitSet& dominators = st.edom[static_cast<size_t>(e)];
top:
  for (size_t i = 0; i < dominators.word_count(); ++i) {
    uint32_t x = dominators.word(i);
    while (x != 0) {
      const int bit = __builtin_ctz(x);
      x &= ~(uint32_t{1} << bit);
      const int k = static_cast<int>(i * 32) + bit;
      const int target = fold_edge(st, st.edge_succ(e), k);
      if (target != kNone && !use_conflict(st, st.edge_pred(e), target)) {
        st.done = false;
        st.edge_succ(e) = target;
        if (st.blocks[target].jt != kNone) goto top;
        return;
      }
    }
  }
}

void or_pullup(State& st, int b) { pullup(st, b, true); }
void and_pullup(State& st, int b) { pullup(st, b, false); }

}  // namespace bpfc::lower::opt
