// The optimizer driver: numbering, the two fixed-point loops (first without
// and then with statement rewriting), block interning and root cleanup.
#include "optimizer/optimize.h"

#include <vector>

#include "gencode/codegen.h"
#include "optimizer/state.h"

namespace bpfc::lower {

using namespace bpf;

namespace opt {
namespace {

// Depth-first numbering from the root, true successor first (pre-order).
// Iterative, because a long and/or list is a chain of thousands of blocks.
State number_blocks(const MachineProgram& p) {
  State st;
  std::vector<int> id_of(p.blocks.size(), kNone);
  std::vector<int> order;
  std::vector<int> pending{p.root};  // jf is pushed first so that jt is numbered first
  while (!pending.empty()) {
    const int b = pending.back();
    pending.pop_back();
    if (b == kNoBlock || id_of[static_cast<size_t>(b)] != kNone) continue;
    id_of[static_cast<size_t>(b)] = static_cast<int>(order.size());
    order.push_back(b);
    pending.push_back(p.blocks[static_cast<size_t>(b)].jf);
    pending.push_back(p.blocks[static_cast<size_t>(b)].jt);
  }
  st.n = static_cast<int>(order.size());
  st.blocks.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const MachineBlock& mb = p.blocks[static_cast<size_t>(order[i])];
    Block& b = st.blocks[i];
    b.stmts = mb.stmts;
    b.s = mb.jump;
    b.jt = mb.jt == kNoBlock ? kNone : id_of[static_cast<size_t>(mb.jt)];
    b.jf = mb.jf == kNoBlock ? kNone : id_of[static_cast<size_t>(mb.jf)];
    b.dom = BitSet(order.size());
  }
  st.root = 0;
  st.edom.assign(2 * order.size(), BitSet(2 * order.size()));
  st.next_in.assign(2 * order.size(), kNone);
  st.levels.assign(order.size(), kNone);
  return st;
}

void opt_blks(State& st, bool do_stmts) {
  st.reset_values();
  const int maxlevel = st.blocks[st.root].level;
  find_inedges(st);
  for (int i = maxlevel; i >= 0; --i) {
    for (int p = st.levels[static_cast<size_t>(i)]; p != kNone; p = st.blocks[p].link) {
      opt_blk(st, p, do_stmts);
    }
  }
  // Moving branches cannot help once statements are being rewritten.
  if (do_stmts) return;
  for (int i = 1; i <= maxlevel; ++i) {
    for (int p = st.levels[static_cast<size_t>(i)]; p != kNone; p = st.blocks[p].link) {
      opt_j(st, p);
      opt_j(st, st.n + p);
    }
  }
  find_inedges(st);
  for (int i = 1; i <= maxlevel; ++i) {
    for (int p = st.levels[static_cast<size_t>(i)]; p != kNone; p = st.blocks[p].link) {
      or_pullup(st, p);
      and_pullup(st, p);
    }
  }
}

void opt_loop(State& st, bool do_stmts) {
  int loop_count = 0;
  for (;;) {
    st.done = true;
    st.non_branch_movement = false;
    find_levels(st);
    find_dom(st);
    find_ud(st);
    find_edom(st);
    opt_blks(st, do_stmts);
    if (st.done) break;
    if (st.non_branch_movement) {
      loop_count = 0;
    } else if (++loop_count >= 100) {
      // Only branches moved for 100 passes: libpcap assumes a cycle.
      break;
    }
  }
}

bool same_stmts(const std::vector<Stmt>& x, const std::vector<Stmt>& y) {
  size_t i = 0, j = 0;
  for (;;) {
    while (i < x.size() && x[i].code == kNop) ++i;
    while (j < y.size() && y[j].code == kNop) ++j;
    if (i == x.size()) return j == y.size();
    if (j == y.size()) return false;
    if (x[i].code != y[j].code || x[i].k != y[j].k) return false;
    ++i;
    ++j;
  }
}

bool same_block(const Block& a, const Block& b) {
  return a.s.code == b.s.code && a.s.k == b.s.k && a.jt == b.jt && a.jf == b.jf &&
         same_stmts(a.stmts, b.stmts);
}

void mark_reachable(State& st, int root) {
  std::vector<int> pending{root};
  while (!pending.empty()) {
    const int b = pending.back();
    pending.pop_back();
    if (st.marked(b)) continue;
    st.mark(b);
    if (op_class(st.blocks[b].s.code) != kRet) {
      pending.push_back(st.blocks[b].jf);
      pending.push_back(st.blocks[b].jt);
    }
  }
}

// Merges identical blocks (same statements, same test, same successors).
void intern_blocks(State& st) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (Block& b : st.blocks) b.link = kNone;
    st.unmark_all();
    mark_reachable(st, st.root);
    for (int i = st.n - 1; i != 0;) {
      --i;
      if (!st.marked(i)) continue;
      for (int j = i + 1; j < st.n; ++j) {
        if (!st.marked(j)) continue;
        if (same_block(st.blocks[i], st.blocks[j])) {
          st.blocks[i].link = st.blocks[j].link != kNone ? st.blocks[j].link : j;
          break;
        }
      }
    }
    for (Block& b : st.blocks) {
      if (b.jt == kNone) continue;
      if (st.blocks[b.jt].link != kNone) {
        changed = true;
        b.jt = st.blocks[b.jt].link;
      }
      if (st.blocks[b.jf].link != kNone) {
        changed = true;
        b.jf = st.blocks[b.jf].link;
      }
    }
  }
}

// Skips leading tests that go the same way either way. The tests go, but
// every skipped block's statements still run, in order, before the new
// root's: a later block may read what they leave in A, X or M[]. libpcap
// (1.10.3 and master alike) keeps only the first block's statements and
// drops those of the blocks in between, so `1/2=1/3&&1>4/5&&1>6/7` lost its
// `ld #1` and compared X with itself (libpcap issue #1699; the closed,
// unmerged PR #1706 proposed the same repair).
void opt_root(State& st) {
  std::vector<Stmt> s;
  for (;;) {
    Block& b = st.blocks[st.root];
    s.insert(s.end(), b.stmts.begin(), b.stmts.end());
    b.stmts.clear();
    if (op_class(b.s.code) != kJmp || b.jt != b.jf) break;
    st.root = b.jt;
  }
  Block& r = st.blocks[st.root];
  r.stmts = std::move(s);
  // A return needs no statements: the filter has no side effects.
  if (op_class(r.s.code) == kRet) r.stmts.clear();
}

MachineProgram write_back(const State& st) {
  MachineProgram p;
  p.blocks.reserve(st.blocks.size());
  for (const Block& b : st.blocks) {
    MachineBlock mb;
    for (const Stmt& s : b.stmts) {
      if (s.code != kNop) mb.stmts.push_back(s);
    }
    mb.jump = b.s;
    mb.jt = b.jt;
    mb.jf = b.jf;
    p.blocks.push_back(std::move(mb));
  }
  p.root = st.root;
  return p;
}

}  // namespace
}  // namespace opt

void optimize_like_libpcap(MachineProgram& program) {
  opt::State st = opt::number_blocks(program);
  opt::opt_loop(st, false);
  opt::opt_loop(st, true);
  opt::intern_blocks(st);
  opt::opt_root(st);
  const opt::Block& root = st.blocks[st.root];
  if (root.s.code == (kRet | kK) && root.s.k == 0) {
    throw LowerError(Diagnostic{"expression rejects all packets", std::nullopt});
  }
  program = opt::write_back(st);
}

}  // namespace bpfc::lower
