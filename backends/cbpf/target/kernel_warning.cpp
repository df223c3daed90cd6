// The warning for a program the Linux kernel would not load (over 4096
// instructions, a backward jump, ...). It still runs in user space, so it is
// a warning, never an error.
#include <algorithm>
#include <string>

#include "bpfc/runtime/cbpf_vm.h"
#include "cbpf_target.h"

namespace bpfc::cbpf {
namespace {

// libpcap's protochain loop is the one backward jump a compiled program has:
// a ja whose k, read as signed, is negative.
bool has_backward_jump(const Program& program) {
  return std::any_of(program.begin(), program.end(), [](const Insn& insn) {
    return insn.code == (JMP | JA) && static_cast<int32_t>(insn.k) < 0;
  });
}

std::string advice(const Program& program, const CompileOptions& options) {
  if (has_backward_jump(program)) return "; --protochain=unrolled gives a loop-free form the kernel loads";
  if (options.protochain == ProtochainForm::Unrolled && program.size() > kMaxInsns) {
    return "; a smaller --protochain-depth makes it shorter";
  }
  return "";
}

}  // namespace

std::optional<std::string> kernel_refusal_warning(const Program& program, const CompileOptions& options) {
  const auto refusal = runtime::validate_cbpf(program, runtime::ValidationRules::LinuxKernel);
  if (!refusal) return std::nullopt;
  return "the Linux kernel will refuse this program (" + refusal->describe() +
         "); it still runs in user space: bpfc filter, libpcap's bpf_filter()" + advice(program, options);
}

}  // namespace bpfc::cbpf
