// What the compiler fuzz target checks on every filter, at -O0 and -O2:
//
//  1. compiling never throws, crashes or aborts; a refusal is a list of
//     Diagnostics, each with a message that is not an internal error and a
//     span inside the text;
//  2. a compiled program passes bpf_validate() (libpcap's rules);
//  3. on every packet, the reference IR interpreter (ir::interpret, the
//     ground truth) and the classic-BPF interpreter (runtime::run_cbpf)
//     return the same value, for the IR lowering produced and, at -O2, for
//     the IR after bpfc's SSA passes too;
//  4. -O0 and -O2 agree where libpcap's semantics say they do. They are
//     libpcap's unoptimized and optimized programs, which differ only when
//     the optimizer drops a load (or division) that would have ended the
//     filter at once: on a packet where neither program ends that way,
//     their values are equal. "Ends that way" is observed exactly, by
//     running each program with every `ret #k` replaced by a nonzero
//     constant: then only a failed load, a division by zero or an endless
//     loop returns 0. Likewise for refusals: what -O0 refuses -O2 refuses
//     with the same message, and -O2 refuses more only with optimize=1's
//     own refusals: "expression rejects all packets", and "division by
//     zero", "modulus by zero" or "shift by more than 31 bits" met by its
//     constant folding (libpcap 1.10.3 compiles `ip[8] >> 27 * 0xc1 = 0`
//     unoptimized and refuses it optimized). "too many registers" may differ
//     between the levels (libpcap's limit on scratch memory applies to a
//     different program at each).
//
// A violation prints the filter, the settings, the packet and both programs
// on stderr and aborts, which libFuzzer reports as a crash and keeps the
// input as the reproducer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpfc/frontend/resolver.h"
#include "filter_case.h"
#include "packet_synthesizer.h"

namespace bpfc::fuzz {

// What happened to one filter, for the target's summary of a run.
struct PropertyOutcome {
  bool compiled_o0 = false;
  bool compiled_o2 = false;
  std::string refusal;            // the first message when -O2 refused
  uint32_t verdict_checks = 0;    // packets × programs compared
  uint32_t level_comparisons = 0; // packets on which -O0 and -O2 were compared
  uint32_t accepted_packets = 0;  // packets the -O2 program kept
};

PropertyOutcome check_compiler_property(const FilterCase& filter, const std::vector<TestPacket>& packets,
                                        const NameResolver& resolver);

}  // namespace bpfc::fuzz
