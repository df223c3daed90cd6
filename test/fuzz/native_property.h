// What the native-code fuzz target checks on every input (native_input.h):
//
//  1. a well-formed IR function that reads no kernel metadata (a random one,
//     or what compile_to_ir makes of an expression) becomes native code: the
//     `jit` engine's make_native never refuses it;
//  2. on every packet, the native filter's run() and its run_batch() (all
//     the input's packets in one batch) return the reference IR
//     interpreter's value (ir::interpret), and for an expression so does the
//     classic-BPF interpreter (runtime::run_cbpf) on compile_cbpf's program
//     for the same options;
//  3. the native code reads nothing past a packet's captured bytes: each
//     packet ends where a PROT_NONE page begins (guarded_packets.h), so such
//     a read crashes the target.
//
// A violation prints the expression (if any), the IR, the packet in hex and
// the values on stderr and aborts; libFuzzer keeps the input. A read past
// the packet is a SEGV in code AddressSanitizer cannot name: replayed with
// `show` (BPFC_FUZZ_SHOW_INPUTS), the IR and each packet are printed before
// the native code runs on it, so the last lines say which one it was.
#pragma once

#include <cstdint>

#include "bpfc/frontend/resolver.h"
#include "guarded_packets.h"
#include "native_input.h"

namespace bpfc::fuzz {

// What happened to one input, for the target's summary of a run.
struct NativeOutcome {
  bool compiled = false;        // native code was made (an expression may be refused by the compiler)
  uint32_t verdict_checks = 0;  // packets × (run, run_batch, classic) compared with the IR interpreter
  uint32_t accepted_packets = 0;
};

NativeOutcome check_native_property(const NativeInput& input, const NameResolver& resolver, GuardedPackets& memory,
                                    bool show);

}  // namespace bpfc::fuzz
