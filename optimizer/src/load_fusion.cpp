// Load fusion: two equality tests of neighbouring packet bytes that must
// both hold become one test of a wider load.
//
//   A: a = load.2 [14]            A: w = load.4 [14]
//      br eq a, 0xfefe, B, R         m = and w, 0xffff00ff
//   B: b = load.1 [17]       =>      br eq m, 0xfefe0083, T, R
//      br eq b, 0x83, T, R
//   R: ret 0
//
// (`iso proto \isis`: 4 cBPF instructions become 3.) Each test may mask its
// load first (`and a, mask`), and a test that no masked bit is set counts
// as an equality test with 0 whichever way its branch is written:
//
//   A: p = load.1 [23]            A: w = load.4 [20]
//      br eq p, 6, B, R              m = and w, 0x1fff00ff
//   B: f = load.2 [20]       =>      br eq m, 6, T, R
//      br set f, 0x1fff, R, T
//
// (IPv4's protocol and fragment tests in `tcp port 80`: 4 cBPF instructions
// become 3.) The two loads use the same index (or none),
// do not overlap, and lie within 2 or 4 bytes from the first one's start to
// the last one's end, which the wider load reads (bytes between them are
// masked out).
//
// Why the verdict cannot change: the wider load fails (ends the filter with
// 0) exactly when the packet is too short for the range that ends last. On
// such a packet the original failed a load (0), or failed A's test and went
// to R, which returns 0; on a long enough packet both versions compute the
// same conjunction. So R must return
// 0 and have no phis; when both loads are in A, they both ran anyway and R
// may be anything.
//
// The tested values must have no other use: they go with the rewrite, and B
// becomes unreachable.
#include <algorithm>
#include <optional>
#include <vector>

#include "cfg_edit.h"
#include "entry_constants.h"
#include "inst_facts.h"
#include "passes.h"

namespace bpfc::opt {
namespace {

using ir::BlockId;
using ir::Function;
using ir::Inst;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::TermKind;
using ir::ValueId;

// One side: `br eq X, c` where X is `load` or `and load, mask`, or
// `br set load, mask` (the test that (load & mask) == 0).
struct ByteTest {
  ValueId load = kNoValue;
  ValueId masked = kNoValue;  // the `and`, if any
  uint32_t mask = 0;          // within the load's bytes
  uint32_t value = 0;
  BlockId holds = kNoBlock;   // where the branch goes when the test holds
  BlockId fails = kNoBlock;   // and when it does not
};

uint32_t bytes_mask(uint32_t size) { return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }

class LoadFusion {
 public:
  LoadFusion(Function& f, PassCounters& counters) : f_(f), counters_(counters) {}

  bool run() {
    count_uses();
    count_predecessors();
    bool changed = false;
    for (BlockId a = 0; a < f_.blocks.size(); ++a) {
      if (try_fuse(a)) changed = true;
    }
    if (!changed) return false;
    constants_->place();
    remove_unreachable_blocks(f_);
    return true;
  }

 private:
  void count_uses() {
    uses_.assign(f_.values.size(), 0);
    auto use = [&](ValueId v) {
      if (v != kNoValue && v < uses_.size()) ++uses_[v];
    };
    for (const ir::Block& block : f_.blocks) {
      for (ValueId v : block.insts) {
        const Inst& inst = f_.values[v];
        use(inst.a);
        use(inst.b);
        for (const ir::PhiIncoming& in : inst.incoming) use(in.value);
      }
      if (block.term.kind == TermKind::Ret || block.term.kind == TermKind::Branch) use(block.term.lhs);
      if (block.term.kind == TermKind::Branch) use(block.term.rhs);
    }
  }

  void count_predecessors() {
    preds_.assign(f_.blocks.size(), 0);
    for (const ir::Block& block : f_.blocks) {
      for (BlockId s : ir::successors(block)) ++preds_[s];
    }
  }

  // The test ending `b`, if it is `br eq X, const` with X a load (masked or
  // not), or `br set load, const`, the load used only there and computed in
  // `b` or in `alt`.
  std::optional<ByteTest> test_of(BlockId b, BlockId alt) const {
    const ir::Terminator& t = f_.blocks[b].term;
    if (t.kind != TermKind::Branch || t.on_true == t.on_false) return std::nullopt;
    if (t.cond == ir::Cond::Set) return no_bit_set_test_of(b, alt);
    if (t.cond != ir::Cond::Eq) return std::nullopt;
    ValueId x = t.lhs;
    auto c = constant_of(f_, t.rhs);
    if (!c) {
      x = t.rhs;
      c = constant_of(f_, t.lhs);
    }
    if (!c || uses_[x] != 1) return std::nullopt;
    auto here = [&](ValueId v) { return f_.values[v].block == b || f_.values[v].block == alt; };
    ByteTest test;
    test.value = *c;
    test.holds = t.on_true;
    test.fails = t.on_false;
    const Inst& xi = f_.values[x];
    if (xi.op == Op::And) {
      ValueId load = xi.a;
      auto mask = constant_of(f_, xi.b);
      if (!mask) {
        load = xi.b;
        mask = constant_of(f_, xi.a);
      }
      if (!mask || f_.values[load].op != Op::Load || uses_[load] != 1 || !here(x) || !here(load)) return std::nullopt;
      test.load = load;
      test.masked = x;
      test.mask = *mask & bytes_mask(f_.values[load].size);
    } else if (xi.op == Op::Load) {
      if (!here(x)) return std::nullopt;
      test.load = x;
      test.mask = bytes_mask(xi.size);
    } else {
      return std::nullopt;
    }
    if ((test.value & ~test.mask) != 0) return std::nullopt;  // never holds: other passes fold it
    return test;
  }

  // `br set X, mask, F, H` with X a load used only there: the test that
  // (X & mask) == 0 holds on the way to H.
  std::optional<ByteTest> no_bit_set_test_of(BlockId b, BlockId alt) const {
    const ir::Terminator& t = f_.blocks[b].term;
    ValueId x = t.lhs;
    auto mask = constant_of(f_, t.rhs);
    if (!mask) {
      x = t.rhs;
      mask = constant_of(f_, t.lhs);
    }
    if (!mask || uses_[x] != 1 || f_.values[x].op != Op::Load) return std::nullopt;
    if (f_.values[x].block != b && f_.values[x].block != alt) return std::nullopt;
    ByteTest test;
    test.load = x;
    test.mask = *mask & bytes_mask(f_.values[x].size);
    if (test.mask == 0) return std::nullopt;  // always holds: other passes fold it
    test.value = 0;
    test.holds = t.on_false;
    test.fails = t.on_true;
    return test;
  }

  bool returns_zero_without_phis(BlockId r) const {
    const ir::Block& block = f_.blocks[r];
    if (block.term.kind != TermKind::Ret || constant_of(f_, block.term.lhs) != 0u) return false;
    return std::none_of(block.insts.begin(), block.insts.end(),
                        [&](ValueId v) { return f_.values[v].op == Op::Phi; });
  }

  // B may hold only its load, its mask, and constants.
  bool only_the_test(BlockId b, const ByteTest& test) const {
    for (ValueId v : f_.blocks[b].insts) {
      const Inst& inst = f_.values[v];
      if (v == test.load || v == test.masked || inst.op == Op::Const) continue;
      return false;
    }
    return true;
  }

  bool try_fuse(BlockId a) {
    if (a != 0 && preds_[a] == 0) return false;  // unreachable, or fused into its predecessor
    std::optional<ByteTest> first = test_of(a, kNoBlock);
    if (!first || f_.values[first->load].block != a) return false;
    const BlockId b = first->holds, r = first->fails;
    if (b == a || b == r || preds_[b] != 1) return false;
    std::optional<ByteTest> second = test_of(b, a);
    if (!second || second->fails != r) return false;
    const BlockId t = second->holds;
    if (!only_the_test(b, *second)) return false;
    const Inst& la = f_.values[first->load];
    const Inst& lb = f_.values[second->load];
    if (la.a != lb.a) return false;  // not the same index
    const uint64_t start = std::min(la.imm, lb.imm);
    const uint64_t end = std::max(uint64_t{la.imm} + la.size, uint64_t{lb.imm} + lb.size);
    const uint64_t width = end - start;
    if (width != 2 && width != 4) return false;
    if (std::max(la.imm, lb.imm) < std::min(uint64_t{la.imm} + la.size, uint64_t{lb.imm} + lb.size)) {
      return false;  // overlapping bytes
    }
    const bool both_loaded_in_a = f_.values[second->load].block == a;
    if (!both_loaded_in_a && !returns_zero_without_phis(r)) return false;
    // R is now entered from A where it was entered from B.
    for (ValueId v : f_.blocks[r].insts) {
      const Inst& phi = f_.values[v];
      if (phi.op != Op::Phi) break;
      if (phi_input_from(phi, a) != phi_input_from(phi, b)) return false;
    }
    // Phis of T receive from A what they received from B.
    for (ValueId v : f_.blocks[t].insts) {
      const Inst& phi = f_.values[v];
      if (phi.op != Op::Phi) break;
      const ValueId in = phi_input_from(phi, b);
      if (in != kNoValue && f_.values[in].block == b) return false;
    }

    uint32_t mask = 0, value = 0;
    for (const ByteTest* side : {&*first, &*second}) {
      const Inst& load = f_.values[side->load];
      const uint32_t shift = static_cast<uint32_t>(8 * (end - (uint64_t{load.imm} + load.size)));
      mask |= side->mask << shift;
      value |= side->value << shift;
    }
    rewrite(a, b, t, *first, *second, static_cast<uint32_t>(start), static_cast<uint8_t>(width), mask, value);
    counters_.add("byte tests fused");
    return true;
  }

  void rewrite(BlockId a, BlockId b, BlockId t, const ByteTest& first, const ByteTest& second, uint32_t start,
               uint8_t width, uint32_t mask, uint32_t value) {
    // The first load becomes the wide one, where it is.
    Inst& wide = f_.values[first.load];
    wide.size = width;
    wide.imm = start;
    auto& insts = f_.blocks[a].insts;
    for (ValueId gone : {first.masked, second.masked, second.load}) {
      if (gone == kNoValue) continue;
      std::erase(insts, gone);
      f_.values[gone].block = kNoBlock;
    }
    if (!constants_) constants_.emplace(f_);
    ValueId tested = first.load;
    if (mask != bytes_mask(width)) {
      ir::Inst masked;
      masked.op = Op::And;
      masked.a = first.load;
      masked.b = constants_->get(mask);
      masked.block = a;
      f_.values.push_back(std::move(masked));
      tested = static_cast<ValueId>(f_.values.size() - 1);
      insts.insert(std::find(insts.begin(), insts.end(), first.load) + 1, tested);
    }
    const ValueId expected = constants_->get(value);
    uses_.resize(f_.values.size(), 1);  // the new values are used once
    // B's constants may be used where B led: A now leads there.
    for (ValueId v : f_.blocks[b].insts) {
      if (f_.values[v].op != Op::Const) continue;
      f_.values[v].block = a;
      insts.insert(insts.begin(), v);
    }
    std::erase_if(f_.blocks[b].insts, [&](ValueId v) { return f_.values[v].block == a; });
    ir::Terminator& ta = f_.blocks[a].term;
    const BlockId r = first.fails;
    ta.cond = ir::Cond::Eq;
    ta.lhs = tested;
    ta.rhs = expected;
    ta.on_true = t;
    ta.on_false = r;
    rename_phi_inputs_from(f_, t, b, a);
    preds_[b] = 0;  // unreachable: removed at the end of the pass
  }

  Function& f_;
  PassCounters& counters_;
  std::vector<uint32_t> uses_;
  std::vector<uint32_t> preds_;
  std::optional<EntryConstants> constants_;  // once something is fused
};

}  // namespace

bool fuse_loads(Function& f, PassCounters& counters) {
  if (f.blocks.empty()) return false;
  return LoadFusion(f, counters).run();
}

}  // namespace bpfc::opt
