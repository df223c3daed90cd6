#include "allocation.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

namespace bpfc::ebpf::codegen {
namespace {

constexpr uint32_t kNever = std::numeric_limits<uint32_t>::max();

struct Interval {
  ir::ValueId value;
  uint32_t start;
  uint32_t end;
};

// Positions in block order: each block's start, each instruction, each
// terminator. A use by a phi counts at its predecessor's terminator.
struct Positions {
  std::vector<uint32_t> def;       // by value
  std::vector<uint32_t> last_use;  // by value
  std::vector<uint32_t> clobbers;  // sorted positions of clobbering values
};

void note_use(Positions& p, ir::ValueId v, uint32_t at) {
  if (v == ir::kNoValue) return;
  if (p.last_use[v] == kNever || p.last_use[v] < at) p.last_use[v] = at;
}

Positions number(const ir::Function& f, const std::vector<bool>& clobbers) {
  Positions p;
  p.def.assign(f.values.size(), kNever);
  p.last_use.assign(f.values.size(), kNever);
  std::vector<uint32_t> term_position(f.blocks.size(), 0);
  uint32_t pos = 0;
  for (ir::BlockId b = 0; b < f.blocks.size(); ++b) {
    const ir::Block& block = f.blocks[b];
    const uint32_t start = pos++;
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f.value(v);
      if (inst.op == ir::Op::Phi) {
        p.def[v] = start;  // lowered below to the earliest predecessor's end
        continue;
      }
      p.def[v] = pos;
      note_use(p, inst.a, pos);
      note_use(p, inst.b, pos);
      if (v < clobbers.size() && clobbers[v]) p.clobbers.push_back(pos);
      ++pos;
    }
    term_position[b] = pos;
    const ir::Terminator& term = block.term;
    if (term.kind == ir::TermKind::Ret) note_use(p, term.lhs, pos);
    if (term.kind == ir::TermKind::Branch) {
      note_use(p, term.lhs, pos);
      note_use(p, term.rhs, pos);
    }
    ++pos;
  }
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) {
      const ir::Inst& inst = f.value(v);
      if (inst.op != ir::Op::Phi) continue;
      for (const ir::PhiIncoming& in : inst.incoming) {
        note_use(p, in.value, term_position[in.block]);
        p.def[v] = std::min(p.def[v], term_position[in.block]);
      }
    }
  }
  return p;
}

class SlotPool {
 public:
  explicit SlotPool(uint32_t max) : max_(max) {}
  // A slot free over [start, end], or nullopt when all max slots are taken.
  std::optional<uint16_t> take(uint32_t start, uint32_t end) {
    for (size_t s = 0; s < occupied_.size(); ++s) {
      const bool overlaps = std::any_of(occupied_[s].begin(), occupied_[s].end(), [&](const Interval& i) {
        return !(i.end < start || end < i.start);
      });
      if (!overlaps) {
        occupied_[s].push_back({0, start, end});
        return static_cast<uint16_t>(s);
      }
    }
    if (occupied_.size() >= max_) return std::nullopt;
    occupied_.push_back({{0, start, end}});
    return static_cast<uint16_t>(occupied_.size() - 1);
  }
  uint32_t used() const { return static_cast<uint32_t>(occupied_.size()); }

 private:
  uint32_t max_;
  std::vector<std::vector<Interval>> occupied_;
};

}  // namespace

Result<Allocation> allocate(const ir::Function& f, const AllocationRequest& request) {
  const Positions p = number(f, request.clobbers);
  Allocation out;
  out.where.assign(f.values.size(), Location{});

  std::vector<Interval> intervals;
  for (ir::ValueId v = 0; v < f.values.size(); ++v) {
    if (v >= request.needs_home.size() || !request.needs_home[v] || p.def[v] == kNever) continue;
    const uint32_t end = p.last_use[v] == kNever ? p.def[v] : p.last_use[v];
    intervals.push_back({v, p.def[v], end});
  }
  std::sort(intervals.begin(), intervals.end(), [](const Interval& x, const Interval& y) {
    return x.start != y.start ? x.start < y.start : x.value < y.value;
  });

  const auto clobbered_inside = [&](uint8_t reg, const Interval& i) {
    if (std::find(request.clobbered.begin(), request.clobbered.end(), reg) == request.clobbered.end()) return false;
    auto c = std::upper_bound(p.clobbers.begin(), p.clobbers.end(), i.start);
    return c != p.clobbers.end() && *c < i.end;
  };

  std::vector<Interval> active;  // intervals in registers
  std::vector<bool> busy(16, false);
  SlotPool slots(request.max_slots);
  const auto spill = [&](const Interval& i) -> bool {
    auto slot = slots.take(i.start, i.end);
    if (!slot) return false;
    out.where[i.value] = Location{Where::Slot, 0, *slot};
    return true;
  };
  for (const Interval& current : intervals) {
    for (auto it = active.begin(); it != active.end();) {
      if (it->end < current.start) {
        busy[out.where[it->value].reg] = false;
        it = active.erase(it);
      } else {
        ++it;
      }
    }
    bool placed = false;
    const ir::ValueId hint =
        current.value < request.reuse_operand.size() ? request.reuse_operand[current.value] : ir::kNoValue;
    if (hint != ir::kNoValue && out.where[hint].where == Where::Register) {
      auto dying = std::find_if(active.begin(), active.end(), [&](const Interval& i) {
        return i.value == hint && i.end == current.start;
      });
      const uint8_t reg = out.where[hint].reg;
      if (dying != active.end() && !clobbered_inside(reg, current)) {
        active.erase(dying);
        out.where[current.value] = Location{Where::Register, reg, 0};
        active.push_back(current);
        placed = true;
      }
    }
    for (uint8_t reg : request.registers) {
      if (placed) break;
      if (busy[reg] || clobbered_inside(reg, current)) continue;
      out.where[current.value] = Location{Where::Register, reg, 0};
      busy[reg] = true;
      active.push_back(current);
      placed = true;
      break;
    }
    if (placed) continue;
    // No register: the interval that ends last, among this one and those in
    // registers it could take, goes to the stack.
    auto victim = active.end();
    for (auto it = active.begin(); it != active.end(); ++it) {
      if (clobbered_inside(out.where[it->value].reg, current)) continue;
      if (victim == active.end() || it->end > victim->end) victim = it;
    }
    if (victim != active.end() && victim->end > current.end) {
      const uint8_t reg = out.where[victim->value].reg;
      if (!spill(*victim)) break;
      active.erase(victim);
      out.where[current.value] = Location{Where::Register, reg, 0};
      active.push_back(current);
      continue;
    }
    if (!spill(current)) {
      return error("the filter keeps more values at once than the eBPF stack holds (" +
                   std::to_string(request.max_slots) + " slots of 8 bytes)");
    }
  }
  for (const Interval& i : intervals) {
    if (out.where[i.value].where == Where::Nowhere) {
      return error("the filter keeps more values at once than the eBPF stack holds (" +
                   std::to_string(request.max_slots) + " slots of 8 bytes)");
    }
  }
  out.slots = slots.used();
  return out;
}

}  // namespace bpfc::ebpf::codegen
