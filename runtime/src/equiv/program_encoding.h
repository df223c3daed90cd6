// One classic-BPF program as a Z3 term: its return value on a SymbolicPacket,
// following run_cbpf instruction for instruction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <z3++.h>

#include "bpfc/cbpf/insn.h"
#include "symbolic_packet.h"

namespace bpfc::runtime::equiv {

// How many rounds of a loop the encoding unrolls for packets of up to
// `max_caplen` bytes: run_cbpf's bound on backward jumps there, (number of
// backward `ja`) * (2 * max_caplen + 2); 0 for a loop-free program.
uint64_t loop_rounds(const cbpf::Program& program, uint32_t max_caplen);

struct EncodedProgram {
  z3::expr value;               // BV32: what run_cbpf returns, where `open` is false
  z3::expr open;                // Bool: the run takes more backward jumps than were unrolled
  z3::expr_vector definitions;  // must hold: what the fresh constants of loop rounds stand for
};

// The program must pass validate_cbpf (libpcap's rules). Loops (backward
// `ja`) are unrolled min(loop_rounds(), round_limit) times: with no lower
// limit that covers every run run_cbpf makes on the packet (`open` is
// false). Some rounds start from constants that `definitions` define.
EncodedProgram encode_program(const cbpf::Program& program, const SymbolicPacket& packet,
                              uint64_t round_limit = UINT64_MAX);

}  // namespace bpfc::runtime::equiv
