// The warning `bpfc compile` and `bpfc run -e` give for a program the Linux
// kernel would not load (over 4096 instructions, a backward jump, ...). It
// still runs in user space, so it is a warning: the exit status stays 0.
#pragma once

#include "bpfc/cbpf/insn.h"
#include "bpfc/driver/compile.h"
#include "cli_status.h"

namespace bpfc::cli {

// Prints "warning: the Linux kernel will refuse this program (<why>); ..." on
// stderr when kernel_refusal() has a reason, with what to do about it where
// an option helps (protochain's loop form has an unrolled one; a deep
// unrolled form a smaller depth). `options` are those `program` was compiled
// with; `source` says where the filter came from (a -F file or the command
// line).
void warn_if_kernel_refuses(const cbpf::Program& program, const CompileOptions& options, const SourceText& source);

}  // namespace bpfc::cli
