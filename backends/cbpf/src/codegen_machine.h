// The code generator's intermediate form: one machine block per IR block,
// straight-line cBPF instructions and an exit whose targets are still block
// numbers. Layout later turns exits into jump offsets.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::cbpf::detail {

struct MExit {
  enum class Kind : uint8_t { Ret, Jump, Cond };
  Kind kind = Kind::Ret;
  uint16_t code = RET | K;  // Ret: RET|K or RET|RET_A; Cond: JMP|op|src
  uint32_t k = 0;
  uint32_t on_true = 0;     // Jump: the target
  uint32_t on_false = 0;
  friend bool operator==(const MExit&, const MExit&) = default;
};

struct MBlock {
  bool present = false;  // false: never runs, not laid out
  std::vector<Insn> body;
  MExit exit;
};

// Registers and slots an instruction reads and writes, as bit masks:
// bits 0..15 are M[0..15], then A and X.
inline constexpr uint32_t kRegA = 1u << 16;
inline constexpr uint32_t kRegX = 1u << 17;

struct InsnEffect {
  uint32_t reads = 0;
  uint32_t writes = 0;
  bool may_end = false;  // can end the filter (packet loads, division by X)
};

InsnEffect effect_of(const Insn& insn);

}  // namespace bpfc::cbpf::detail
