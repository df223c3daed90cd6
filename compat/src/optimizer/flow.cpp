// Levels, dominators, edge dominators, register use/def and in-edge lists,
// computed the way libpcap's optimizer computes them.
#include <algorithm>
#include <vector>

#include "optimizer/state.h"

namespace bpfc::lower::opt {

using namespace bpf;

namespace {

// Post-order from `root`, true successor first: a block's level is one more
// than its deeper successor's, and each level lists its blocks in the order
// they finish. Iterative, because a long and/or list is a chain of thousands
// of blocks.
void find_levels_from(State& st, int root) {
  struct Frame {
    int block;
    int next_child;  // 0: visit jt next, 1: jf next, 2: done with both
  };
  if (st.marked(root)) return;
  st.mark(root);
  st.blocks[root].link = kNone;
  std::vector<Frame> stack{{root, 0}};
  while (!stack.empty()) {
    Frame& top = stack.back();
    Block& blk = st.blocks[top.block];
    if (blk.jt != kNone && top.next_child < 2) {
      const int child = top.next_child++ == 0 ? blk.jt : blk.jf;
      if (!st.marked(child)) {
        st.mark(child);
        st.blocks[child].link = kNone;
        stack.push_back({child, 0});
      }
      continue;
    }
    const int b = top.block;
    stack.pop_back();
    int level = 0;
    if (blk.jt != kNone) level = std::max(st.blocks[blk.jt].level, st.blocks[blk.jf].level) + 1;
    blk.level = level;
    blk.link = st.levels[static_cast<size_t>(level)];
    st.levels[static_cast<size_t>(level)] = b;
  }
}

void compute_local_ud(Block& b) {
  AtomSet def = 0, use = 0, killed = 0;
  auto note_use = [&](int atom) {
    if (atom == kAtomAX) {
      if (!(def & atom_mask(kAtomX))) use |= atom_mask(kAtomX);
      if (!(def & atom_mask(kAtomA))) use |= atom_mask(kAtomA);
    } else if (atom >= 0) {
      if (!(def & atom_mask(atom))) use |= atom_mask(atom);
    }
  };
  for (const Stmt& s : b.stmts) {
    if (s.code == kNop) continue;
    note_use(atom_use(s));
    int atom = atom_def(s);
    if (atom >= 0) {
      if (!(use & atom_mask(atom))) killed |= atom_mask(atom);
      def |= atom_mask(atom);
    }
  }
  if (op_class(b.s.code) == kJmp) note_use(atom_use(b.s));
  b.def = def;
  b.kill = killed;
  b.in_use = use;
}

void propedom(State& st, int e) {
  st.edom[static_cast<size_t>(e)].insert(static_cast<size_t>(e));
  int succ = st.edge_succ(e);
  if (succ != kNone) {
    st.edom[static_cast<size_t>(succ)].intersect(st.edom[static_cast<size_t>(e)]);
    st.edom[static_cast<size_t>(st.n + succ)].intersect(st.edom[static_cast<size_t>(e)]);
  }
}

void link_inedge(State& st, int e, int child) {
  st.next_in[static_cast<size_t>(e)] = st.blocks[child].in_edges;
  st.blocks[child].in_edges = e;
}

}  // namespace

int atom_use(const Stmt& s) {
  const int c = s.code;
  if (c == kNop) return -1;
  switch (op_class(c)) {
    case kRet: return ret_val(c) == kRetA ? kAtomA : ret_val(c) == kX ? kAtomX : -1;
    case kLd:
    case kLdx:
      if (op_mode(c) == kInd) return kAtomX;
      if (op_mode(c) == kMem) return static_cast<int>(s.k);
      return -1;
    case kSt: return kAtomA;
    case kStx: return kAtomX;
    case kJmp:
    case kAlu: return op_src(c) == kX ? kAtomAX : kAtomA;
    case kMisc: return misc_op(c) == kTxa ? kAtomX : kAtomA;
    default: return -1;
  }
}

int atom_def(const Stmt& s) {
  if (s.code == kNop) return -1;
  switch (op_class(s.code)) {
    case kLd:
    case kAlu: return kAtomA;
    case kLdx: return kAtomX;
    case kSt:
    case kStx: return static_cast<int>(s.k);
    case kMisc: return misc_op(s.code) == kTax ? kAtomX : kAtomA;
    default: return -1;
  }
}

void find_levels(State& st) {
  std::fill(st.levels.begin(), st.levels.end(), kNone);
  st.unmark_all();
  find_levels_from(st, st.root);
}

void find_dom(State& st) {
  for (Block& b : st.blocks) b.dom.fill_all();
  st.blocks[st.root].dom.clear();
  for (int level = st.blocks[st.root].level; level >= 0; --level) {
    for (int b = st.levels[static_cast<size_t>(level)]; b != kNone; b = st.blocks[b].link) {
      Block& blk = st.blocks[b];
      blk.dom.insert(static_cast<size_t>(b));
      if (blk.jt == kNone) continue;
      st.blocks[blk.jt].dom.intersect(blk.dom);
      st.blocks[blk.jf].dom.intersect(blk.dom);
    }
  }
}

void find_ud(State& st) {
  const int maxlevel = st.blocks[st.root].level;
  for (int i = maxlevel; i >= 0; --i) {
    for (int p = st.levels[static_cast<size_t>(i)]; p != kNone; p = st.blocks[p].link) {
      compute_local_ud(st.blocks[p]);
      st.blocks[p].out_use = 0;
    }
  }
  for (int i = 1; i <= maxlevel; ++i) {
    for (int p = st.levels[static_cast<size_t>(i)]; p != kNone; p = st.blocks[p].link) {
      Block& b = st.blocks[p];
      b.out_use |= st.blocks[b.jt].in_use | st.blocks[b.jf].in_use;
      b.in_use |= b.out_use & ~b.kill;
    }
  }
}

void find_edom(State& st) {
  for (BitSet& s : st.edom) s.fill_all();
  st.edom[static_cast<size_t>(st.root)].clear();
  st.edom[static_cast<size_t>(st.n + st.root)].clear();
  for (int level = st.blocks[st.root].level; level >= 0; --level) {
    for (int b = st.levels[static_cast<size_t>(level)]; b != kNone; b = st.blocks[b].link) {
      propedom(st, b);
      propedom(st, st.n + b);
    }
  }
}

void find_inedges(State& st) {
  for (Block& b : st.blocks) b.in_edges = kNone;
  for (int level = st.blocks[st.root].level; level > 0; --level) {
    for (int b = st.levels[static_cast<size_t>(level)]; b != kNone; b = st.blocks[b].link) {
      link_inedge(st, b, st.blocks[b].jt);
      link_inedge(st, st.n + b, st.blocks[b].jf);
    }
  }
}

}  // namespace bpfc::lower::opt
