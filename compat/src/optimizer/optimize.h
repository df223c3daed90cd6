// libpcap's optimizer, reproduced on the block program.
//
// Why: on a packet shorter than a load, BPF returns 0 at once, so which
// loads a program performs is part of its meaning. libpcap's optimizer
// (optimize=1, which pcap_compile users get) deletes loads whose values it
// proves unneeded, threads jumps past tests whose outcome is known, and
// reorders chains of tests on the same value; each of these changes the
// verdict on some truncated packets. Matching libpcap therefore means making
// the same decisions, in the same order, on the same block program — which
// is what these passes do (value numbering over A/X/M, peephole rules, dead
// stores, edge-dominator jump threading, and/or pull-ups, block interning).
#pragma once

#include "gencode/machine.h"

namespace bpfc::lower {

// Optimizes `program` in place. Fails (LowerError) with libpcap's messages
// ("division by zero", "expression rejects all packets"...).
void optimize_like_libpcap(MachineProgram& program);

}  // namespace bpfc::lower
