// Working state of the libpcap-compatible optimizer (private to the
// lower_optimize_*.cpp files). Blocks are renumbered in depth-first order
// from the root (true successor first), edges are numbered as libpcap does
// (true edge of block i is edge i, false edge is n + i), and every
// traversal walks the same lists in the same order as libpcap, because the
// result of the passes depends on that order.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "bpfc/ir/value_table.h"
#include "gencode/machine.h"

namespace bpfc::lower::opt {

// Register "atoms": scratch memory M[0..15], then A, then X.
inline constexpr int kAtomA = bpf::kMemWords;
inline constexpr int kAtomX = bpf::kMemWords + 1;
inline constexpr int kNumAtoms = bpf::kMemWords + 2;
inline constexpr int kAtomAX = kNumAtoms;  // "uses both A and X"
using AtomSet = uint32_t;
inline constexpr AtomSet atom_mask(int atom) { return AtomSet{1} << atom; }

inline constexpr uint32_t kValUnknown = 0;
inline constexpr int kNone = -1;

// A set of block or edge numbers. Held inline up to 128 (a program of up
// to 63 blocks, edges included): every block has one, and so does every
// edge, and allocating each was most of this optimizer's allocations.
class BitSet {
 public:
  BitSet() = default;
  explicit BitSet(size_t bits) : count_(bits / 32 + 1) {
    if (count_ > kInlineWords) heap_.assign(count_, 0);
  }
  void fill_all() { std::fill(data(), data() + count_, 0xffffffffu); }
  void clear() { std::fill(data(), data() + count_, 0u); }
  void insert(size_t i) { data()[i / 32] |= uint32_t{1} << (i % 32); }
  bool contains(size_t i) const { return (data()[i / 32] >> (i % 32)) & 1; }
  void intersect(const BitSet& o) {
    uint32_t* w = data();
    const uint32_t* other = o.data();
    for (size_t i = 0; i < count_; ++i) w[i] &= other[i];
  }
  size_t word_count() const { return count_; }
  uint32_t word(size_t i) const { return data()[i]; }

 private:
  static constexpr size_t kInlineWords = 4;
  uint32_t* data() { return count_ > kInlineWords ? heap_.data() : inline_; }
  const uint32_t* data() const { return count_ > kInlineWords ? heap_.data() : inline_; }

  size_t count_ = 0;
  uint32_t inline_[kInlineWords] = {};
  std::vector<uint32_t> heap_;  // when count_ > kInlineWords
};

struct Block {
  std::vector<Stmt> stmts;
  Stmt s;          // the final jump or return
  int jt = kNone;  // successor on the true edge (edge id = block id)
  int jf = kNone;  // successor on the false edge (edge id = n + block id)

  int level = 0;
  int link = kNone;  // next block in the same level list / interned twin
  int mark = 0;
  BitSet dom;
  int in_edges = kNone;  // first incoming edge; edges chain through next_in
  AtomSet def = 0, kill = 0, in_use = 0, out_use = 0;
  uint32_t oval = 0;  // value number of the branch operand
  std::array<uint32_t, kNumAtoms> val{};
  int et_code = 0, ef_code = 0;  // branch code (negated for the false edge)
};

struct ValueInfo {
  bool is_const = false;
  uint32_t const_val = 0;
};

struct State {
  std::vector<Block> blocks;
  int root = 0;
  int n = 0;  // number of blocks (edges are 2n)

  // Per-edge data, indexed by edge id.
  std::vector<BitSet> edom;
  std::vector<int> next_in;

  std::vector<int> levels;  // head of each level's list
  int cur_mark = 0;

  bool done = false;
  bool non_branch_movement = false;

  // Value numbering (reset at each pass).
  ir::ValueInterner<std::tuple<int, uint32_t, uint32_t>> values{1};  // 0: unknown
  std::vector<ValueInfo> vmap;

  // ---- edges ----
  int edge_pred(int e) const { return e < n ? e : e - n; }
  bool edge_is_true(int e) const { return e < n; }
  int& edge_succ(int e) { return edge_is_true(e) ? blocks[edge_pred(e)].jt : blocks[edge_pred(e)].jf; }
  int edge_code(int e) const {
    const Block& b = blocks[edge_pred(e)];
    return edge_is_true(e) ? b.et_code : b.ef_code;
  }

  // ---- marks ----
  void unmark_all() { ++cur_mark; }
  bool marked(int b) const { return blocks[b].mark == cur_mark; }
  void mark(int b) { blocks[b].mark = cur_mark; }

  void progress() {
    done = false;
    non_branch_movement = true;
  }
  [[noreturn]] void fail(const std::string& message) const;

  // ---- value numbers ----
  uint32_t value(int code, uint32_t v0, uint32_t v1);
  uint32_t konst(uint32_t k) { return value(bpf::kLd | bpf::kImm | bpf::kW, k, 0); }
  bool is_const(uint32_t v) const { return v < vmap.size() && vmap[v].is_const; }
  uint32_t const_of(uint32_t v) const { return vmap[v].const_val; }
  void reset_values();
};

// Flow analyses (optimizer/flow.cpp).
void find_levels(State& st);
void find_dom(State& st);
void find_ud(State& st);
void find_edom(State& st);
void find_inedges(State& st);
int atom_use(const Stmt& s);
int atom_def(const Stmt& s);

// Block-local value optimization (optimizer/values.cpp).
void opt_blk(State& st, int b, bool do_stmts);

// Branch movement (optimizer/jumps.cpp).
void opt_j(State& st, int edge);
void or_pullup(State& st, int b);
void and_pullup(State& st, int b);

}  // namespace bpfc::lower::opt
