// IR -> classic BPF: instruction selection, allocation of values to A, X and
// M[0..15], block layout and relaxation of conditional jumps longer than 255.
#pragma once

#include "bpfc/cbpf/insn.h"
#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::cbpf {

// Fails (with a message) only when the program cannot be expressed, e.g. it
// needs more than 16 live scratch values. Programs longer than the kernel's
// 4096 instructions are produced, as libpcap does (user space runs them),
// and so are protochain walks, as libpcap's loop with a backward jump
// (which the kernel refuses; see ir.h for the unrolled form).
Result<Program> generate(const ir::Function& f);

}  // namespace bpfc::cbpf
