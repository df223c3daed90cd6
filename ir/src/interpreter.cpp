// The reference interpreter: a direct reading of the IR contract
// (ir/README.md), written for obviousness rather than speed. Every backend is tested against
// it, so each rule below mirrors one sentence of the contract.
#include "bpfc/ir/interpreter.h"

#include <optional>
#include <vector>

namespace bpfc::ir {
namespace {

// What an out-of-bounds load does.
enum class LoadFailure {
  EndsFilter,  // the contract: the whole filter returns 0
  Faults,      // a target without traps: the run stops, the load is reported
};

class Evaluator {
 public:
  Evaluator(const Function& f, std::span<const uint8_t> packet, uint32_t wirelen, const PacketMetadata& metadata,
            LoadFailure load_failure)
      : f_(f),
        packet_(packet),
        wirelen_(wirelen),
        metadata_(metadata),
        load_failure_(load_failure),
        values_(f.values.size(), 0) {}

  ValueId faulting_load() const { return faulting_load_; }

  uint32_t run() {
    BlockId block = 0;
    BlockId came_from = kNoBlock;
    for (;;) {
      const Block& b = f_.blocks[block];
      for (ValueId v : b.insts) {
        const Inst& inst = f_.values[v];
        // Phis read values from the predecessor; none of them can be another
        // phi of this block (it would not dominate the predecessor), so
        // evaluating them one by one is the same as in parallel.
        std::optional<uint32_t> result = inst.op == Op::Phi ? phi(inst, came_from) : compute(inst);
        if (!result) {
          if (inst.op == Op::Load && load_failure_ == LoadFailure::Faults) faulting_load_ = v;
          return 0;
        }
        values_[v] = *result;
      }
      const Terminator& t = b.term;
      switch (t.kind) {
        case TermKind::Ret:
          return values_[t.lhs];
        case TermKind::Jump:
          came_from = block;
          block = t.on_true;
          break;
        case TermKind::Branch:
          came_from = block;
          block = holds(t.cond, values_[t.lhs], values_[t.rhs]) ? t.on_true : t.on_false;
          break;
        case TermKind::None:
          return 0;  // unreachable for verified functions
      }
    }
  }

 private:
  uint32_t phi(const Inst& inst, BlockId came_from) const {
    for (const PhiIncoming& in : inst.incoming) {
      if (in.block == came_from) return values_[in.value];
    }
    return 0;  // unreachable for verified functions
  }

  static bool holds(Cond c, uint32_t lhs, uint32_t rhs) {
    switch (c) {
      case Cond::Eq: return lhs == rhs;
      case Cond::Gt: return lhs > rhs;
      case Cond::Ge: return lhs >= rhs;
      case Cond::Set: return (lhs & rhs) != 0;
    }
    return false;
  }

  // nullopt means "the whole filter returns 0 now".
  std::optional<uint32_t> compute(const Inst& inst) const {
    auto a = [&] { return values_[inst.a]; };
    auto b = [&] { return values_[inst.b]; };
    switch (inst.op) {
      case Op::Const: return inst.imm;
      case Op::Len: return wirelen_;
      case Op::Caplen: return static_cast<uint32_t>(packet_.size());
      case Op::Load: return load(inst);
      case Op::Add: return a() + b();
      case Op::Sub: return a() - b();
      case Op::Mul: return a() * b();
      case Op::Div: if (b() == 0) return std::nullopt; return a() / b();
      case Op::Mod: if (b() == 0) return std::nullopt; return a() % b();
      case Op::And: return a() & b();
      case Op::Or: return a() | b();
      case Op::Xor: return a() ^ b();
      case Op::Shl: return b() >= 32 ? 0u : a() << b();
      case Op::Shr: return b() >= 32 ? 0u : a() >> b();
      case Op::Neg: return 0u - a();
      case Op::Protochain: return protochain(inst, a(), b());
      // Absent metadata ends the filter, as a load past the captured bytes:
      // what libpcap's bpf_filter() and bpfc's cBPF VM do with the SKF_AD_*
      // loads the cBPF backend emits for it.
      case Op::Meta: return metadata_[static_cast<MetaKind>(inst.imm)];
      case Op::Phi: break;
    }
    return std::nullopt;
  }

  // The byte at `address` (computed without wrapping); nullopt out of the
  // captured bytes.
  std::optional<uint32_t> byte_at(uint64_t address) const {
    if (address >= packet_.size()) return std::nullopt;
    return packet_[address];
  }

  // The walk, step by step as the contract states it. A step's outcome
  // depends only on off and on whether nh is AH, and a step reads the byte
  // at base + off, so a walk that ends visits at most 2 * caplen distinct
  // states: one that goes on longer has repeated a state and never ends.
  std::optional<uint32_t> protochain(const Inst& inst, uint32_t nh, uint32_t off) const {
    const uint64_t step_limit = 2 * uint64_t{packet_.size()};
    for (uint64_t steps = 0;; ++steps) {
      if (nh == inst.stop || nh == protochain::kNoNextHeader) return nh;
      const bool extension = inst.size == 6 && protochain::is_ipv6_extension(nh);
      if (!extension && nh != protochain::kAh) return nh;
      if (steps == step_limit) return std::nullopt;  // it never ends
      const uint64_t header = uint64_t{inst.imm} + off;
      const std::optional<uint32_t> next = byte_at(header);
      const std::optional<uint32_t> length = byte_at(header + 1);
      if (!next || !length) return std::nullopt;
      off = extension ? off + (*length + 1) * 8 : (*length + 2) * 4;
      nh = *next;
    }
  }

  // Big-endian read of inst.size bytes at index + offset, both added without
  // wrapping; out of the captured bytes ends the filter.
  std::optional<uint32_t> load(const Inst& inst) const {
    uint64_t address = uint64_t{inst.imm} + (inst.a == kNoValue ? 0 : values_[inst.a]);
    if (address + inst.size > packet_.size()) return std::nullopt;
    uint32_t result = 0;
    for (uint8_t i = 0; i < inst.size; ++i) result = (result << 8) | packet_[address + i];
    return result;
  }

  const Function& f_;
  std::span<const uint8_t> packet_;
  uint32_t wirelen_;
  const PacketMetadata& metadata_;
  LoadFailure load_failure_;
  ValueId faulting_load_ = kNoValue;
  std::vector<uint32_t> values_;
};

}  // namespace

uint32_t interpret(const Function& f, std::span<const uint8_t> packet, uint32_t wirelen,
                   const PacketMetadata& metadata) {
  if (f.blocks.empty()) return 0;
  return Evaluator(f, packet, wirelen, metadata, LoadFailure::EndsFilter).run();
}

NonTrappingRun interpret_without_load_traps(const Function& f, std::span<const uint8_t> packet, uint32_t wirelen) {
  if (f.blocks.empty()) return {};
  const PacketMetadata no_metadata;
  Evaluator evaluator(f, packet, wirelen, no_metadata, LoadFailure::Faults);
  NonTrappingRun run;
  run.verdict = evaluator.run();
  run.faulting_load = evaluator.faulting_load();
  return run;
}

}  // namespace bpfc::ir
