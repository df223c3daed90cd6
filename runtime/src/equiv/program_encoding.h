// One classic-BPF program as a Z3 term: its return value on a SymbolicPacket,
// following run_cbpf instruction for instruction.
#pragma once

#include <cstdint>
#include <optional>

#include <z3++.h>

#include "bpfc/cbpf/insn.h"
#include "symbolic_packet.h"

namespace bpfc::runtime::equiv {

struct EncodedProgram {
  std::optional<z3::expr> value;           // BV32: what run_cbpf returns; unset if unsupported
  std::optional<uint32_t> backward_jump;   // the first backward `ja`, which makes it unsupported
};

// The program must pass validate_cbpf (libpcap's rules). Backward jumps (a
// loop, in general) are not encoded: the result then names the first one.
EncodedProgram encode_program(const cbpf::Program& program, const SymbolicPacket& packet);

}  // namespace bpfc::runtime::equiv
