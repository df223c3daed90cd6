// The `cbpf` target: classic BPF, as libpcap's pcap_compile() gives it.
// Printed as tcpdump's -d / -dd / -ddd listings or as JSON, and run by the
// exec engines (bpfc filter).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bpfc/cbpf/insn.h"
#include "bpfc/driver/target.h"

namespace bpfc::cbpf {

void register_target(driver::TargetRegistry& registry);

// Code generation, checked by libpcap's bpf_validate() rules: a program they
// refuse is an internal error (the stages after sema should not fail).
Result<Program> generate_validated(const ir::Function& function);

// The program in one of the target's layouts: `format` "text" or "json",
// `listing` 1 (-d), 2 (-dd), 3 or more (-ddd; tcpdump treats any count
// above three alike); listing applies to text only.
std::string format_as(const Program& program, std::string_view format, int listing);

// "the Linux kernel will refuse this program (<why>); ..." when it would,
// with what to do about it where an option helps (protochain's loop form has
// an unrolled one; a deep unrolled form a smaller depth). `options` are those
// `program` was compiled with.
std::optional<std::string> kernel_refusal_warning(const Program& program, const CompileOptions& options);

}  // namespace bpfc::cbpf
