// The conditions under which sentinels stand for a run's constants.
//
// libpcap's optimizer treats the constants of `jeq #k` tests only through
// equality: a test of value v against k is decided on an edge where v was
// found equal (or, for `jeq`, equal to another constant) — see fold_edge in
// optimizer/jumps.cpp — and identical blocks are merged. So fresh
// sentinels, distinct from every other constant, make it take the same
// decisions as the real constants, as long as no other test compares the
// same value with one of the run's real constants (which the sentinels would
// hide). The check below finds the value each `jeq` compares, as libpcap's
// value numbering would see it, conservatively: an unknown value may be
// anything.
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "bpfc/ir/value_table.h"

#include "lists/detail.h"
#include "lists/representatives.h"

namespace bpfc::lower::sets {

namespace {

using namespace bpf;

// The constant a statement or jump carries as a value (not an offset, a
// scratch slot or a return value), if any.
std::optional<uint32_t> value_constant(const Stmt& s) {
  const int code = s.code;
  switch (op_class(code)) {
    case kLd:
    case kLdx:
      if (op_mode(code) == kImm) return s.k;
      return std::nullopt;
    case kAlu:
      if (alu_op(code) != kNeg && op_src(code) == kK) return s.k;
      return std::nullopt;
    case kJmp:
      if (code != (kJmp | kJa) && op_src(code) == kK) return s.k;
      return std::nullopt;
    default: return std::nullopt;
  }
}

bool is_jeq_k(const Stmt& s) { return s.code == (kJmp | kJeq | kK); }

std::unordered_set<uint32_t> sentinel_set(const ListRuns& runs, int choice) {
  std::unordered_set<uint32_t> all;
  for (const ListRun& r : runs.runs) all.insert(r.sentinels[choice].begin(), r.sentinels[choice].end());
  return all;
}

// The constants of `p` other than `sentinels`; nullopt when a sentinel is
// missing or appears other than as the constant of a `jeq`.
std::optional<std::unordered_set<uint32_t>> other_constants(const MachineProgram& p,
                                                            const std::unordered_set<uint32_t>& sentinels) {
  std::unordered_set<uint32_t> others;
  std::unordered_set<uint32_t> seen;
  auto visit = [&](const Stmt& s, bool is_jump) {
    std::optional<uint32_t> k = value_constant(s);
    if (!k) return true;
    if (!sentinels.count(*k)) {
      others.insert(*k);
      return true;
    }
    seen.insert(*k);
    return is_jump && is_jeq_k(s);
  };
  for (const MachineBlock& b : p.blocks) {
    for (const Stmt& s : b.stmts) {
      if (!visit(s, false)) return std::nullopt;
    }
    if (!visit(b.jump, true)) return std::nullopt;
  }
  if (seen.size() != sentinels.size()) return std::nullopt;
  return others;
}

// Symbolic values of the accumulator, hash-consed so that equal ids mean the
// same computation (libpcap's value numbers, up to the simplifications its
// optimizer makes with zero constants). kUnknown is any value.
class Values {
 public:
  static constexpr uint32_t kUnknown = 0;
  enum Kind : uint8_t { Unknown, Const, Len, Load, Alu, Neg };

  Values() { nodes_.push_back(Node{Unknown, 0, 0, 0, 0}); }

  uint32_t constant(uint32_t k) { return intern(Node{Const, 0, k, 0, 0}); }
  uint32_t len() { return intern(Node{Len, 0, 0, 0, 0}); }
  uint32_t load(int code, uint32_t k, uint32_t index) {
    if (index == kUnknown && op_mode(code) == kInd) return kUnknown;
    if (op_mode(code) == kInd && is_const(index)) {
      // libpcap turns an indexed load with a known index into an absolute one.
      return intern(Node{Load, kLd | kAbs | op_size(code), k + nodes_[index].k, 0, 0});
    }
    return intern(Node{Load, code, k, index, 0});
  }
  uint32_t alu(int op, uint32_t a, uint32_t b) {
    if (a == kUnknown || b == kUnknown) return kUnknown;
    if (is_const(b) && nodes_[b].k == 0) {
      if (op == kAdd || op == kSub || op == kOr || op == kXor || op == kLsh || op == kRsh) return a;
      if (op == kMul || op == kAnd) return constant(0);
    }
    return intern(Node{Alu, op, 0, a, b});
  }
  uint32_t neg(uint32_t a) { return a == kUnknown ? kUnknown : intern(Node{Neg, 0, 0, a, 0}); }

  bool is_const(uint32_t v) const { return nodes_[v].kind == Const; }
  uint32_t const_of(uint32_t v) const { return nodes_[v].k; }
  // `base - k` as (base, k), for libpcap's folding of `sub #k; jeq #c` into `jeq #c+k`.
  std::optional<std::pair<uint32_t, uint32_t>> as_subtraction(uint32_t v) const {
    const Node& n = nodes_[v];
    if (n.kind != Alu || n.code != kSub || !is_const(n.b)) return std::nullopt;
    return std::pair{n.a, nodes_[n.b].k};
  }

 private:
  struct Node {
    Kind kind;
    int code;
    uint32_t k;
    uint32_t a;
    uint32_t b;
  };
  uint32_t intern(const Node& n) {
    const auto [id, is_new] = ids_.intern(std::tuple(n.kind, n.code, n.k, n.a, n.b));
    if (is_new) nodes_.push_back(n);
    return id;
  }
  std::vector<Node> nodes_;
  ir::ValueInterner<std::tuple<Kind, int, uint32_t, uint32_t, uint32_t>> ids_{1};  // 0 is Unknown
};

struct Comparison {
  uint32_t value;     // Values id of what A holds
  uint32_t constant;  // what it is compared with
};

// The `jeq` of a block as a comparison of a value with a constant, when it
// is one. Registers are unknown at block entry: gencode's blocks compute what
// they test.
std::optional<Comparison> block_comparison(const MachineBlock& b, Values& values) {
  if (op_class(b.jump.code) != kJmp || alu_op(b.jump.code) != kJeq) return std::nullopt;
  uint32_t a = Values::kUnknown, x = Values::kUnknown;
  uint32_t mem[kMemWords];
  for (uint32_t& m : mem) m = Values::kUnknown;
  for (const Stmt& s : b.stmts) {
    const int code = s.code;
    switch (op_class(code)) {
      case kLd:
        switch (op_mode(code)) {
          case kAbs: a = values.load(code, s.k, 0); break;
          case kInd: a = values.load(code, s.k, x); break;
          case kLen: a = values.len(); break;
          case kImm: a = values.constant(s.k); break;
          case kMem: a = mem[s.k % kMemWords]; break;
          default: a = Values::kUnknown; break;
        }
        break;
      case kLdx:
        switch (op_mode(code)) {
          case kImm: x = values.constant(s.k); break;
          case kMem: x = mem[s.k % kMemWords]; break;
          case kLen: x = values.len(); break;
          case kMsh: x = values.load(code, s.k, 0); break;
          default: x = Values::kUnknown; break;
        }
        break;
      case kSt: mem[s.k % kMemWords] = a; break;
      case kStx: mem[s.k % kMemWords] = x; break;
      case kAlu:
        if (alu_op(code) == kNeg) {
          a = values.neg(a);
        } else {
          a = values.alu(alu_op(code), a, op_src(code) == kK ? values.constant(s.k) : x);
        }
        break;
      case kMisc:
        if (misc_op(code) == kTax) {
          x = a;
        } else {
          a = x;
        }
        break;
      default: break;
    }
  }
  uint32_t k = b.jump.k;
  if (op_src(b.jump.code) == kX) {
    if (!values.is_const(x)) return std::nullopt;  // compares two values: no constant involved
    k = values.const_of(x);
  }
  while (auto sub = values.as_subtraction(a)) {
    a = sub->first;
    k += sub->second;
  }
  return Comparison{a, k};
}

}  // namespace

bool sentinels_explain_constants(const MachineProgram& with_first, const MachineProgram& with_second,
                                 const ListRuns& runs) {
  auto first = other_constants(with_first, sentinel_set(runs, 0));
  if (!first) return false;
  auto second = other_constants(with_second, sentinel_set(runs, 1));
  return second && *first == *second;
}

bool runs_may_interact(const MachineProgram& unoptimized, const ListRuns& runs) {
  std::unordered_map<uint32_t, size_t> run_of_sentinel;
  for (size_t r = 0; r < runs.runs.size(); ++r) {
    for (uint32_t s : runs.runs[r].sentinels[0]) run_of_sentinel.emplace(s, r);
  }
  Values values;
  // The values each run compares, and whether one of them is unknown.
  std::vector<std::unordered_set<uint32_t>> fields(runs.runs.size());
  std::vector<Comparison> others;
  for (const MachineBlock& b : unoptimized.blocks) {
    std::optional<Comparison> c = block_comparison(b, values);
    if (!c) continue;
    auto run = is_jeq_k(b.jump) ? run_of_sentinel.find(b.jump.k) : run_of_sentinel.end();
    if (run != run_of_sentinel.end()) {
      fields[run->second].insert(c->value);
    } else {
      others.push_back(*c);
    }
  }
  std::unordered_map<uint32_t, std::vector<size_t>> runs_of_constant;
  for (size_t r = 0; r < runs.runs.size(); ++r) {
    for (uint32_t c : runs.runs[r].constants) runs_of_constant[c].push_back(r);
  }
  auto compares = [&](size_t r, uint32_t value) {
    return value == Values::kUnknown || fields[r].count(Values::kUnknown) || fields[r].count(value);
  };
  for (const Comparison& c : others) {
    auto it = runs_of_constant.find(c.constant);
    if (it == runs_of_constant.end()) continue;
    for (size_t r : it->second) {
      if (compares(r, c.value)) return true;
    }
  }
  // Two runs sharing a constant must compare different values.
  for (const auto& [constant, rs] : runs_of_constant) {
    for (size_t i = 0; i < rs.size(); ++i) {
      for (size_t j = i + 1; j < rs.size(); ++j) {
        if (fields[rs[i]].count(Values::kUnknown)) return true;
        for (uint32_t v : fields[rs[j]]) {
          if (compares(rs[i], v)) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace bpfc::lower::sets
