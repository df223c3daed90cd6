#include "kernel_warning.h"

#include <algorithm>
#include <string>

namespace bpfc::cli {
namespace {

// libpcap's protochain loop is the one backward jump a compiled program has:
// a ja whose k, read as signed, is negative.
bool has_backward_jump(const cbpf::Program& program) {
  return std::any_of(program.begin(), program.end(), [](const cbpf::Insn& insn) {
    return insn.code == (cbpf::JMP | cbpf::JA) && static_cast<int32_t>(insn.k) < 0;
  });
}

std::string advice(const cbpf::Program& program, const CompileOptions& options) {
  if (has_backward_jump(program)) return "; --protochain=unrolled gives a loop-free form the kernel loads";
  if (options.protochain == ProtochainForm::Unrolled && program.size() > cbpf::kMaxInsns) {
    return "; a smaller --protochain-depth makes it shorter";
  }
  return "";
}

}  // namespace

void warn_if_kernel_refuses(const cbpf::Program& program, const CompileOptions& options, const SourceText& source) {
  const auto refusal = kernel_refusal(program);
  if (!refusal) return;
  report(warning("the Linux kernel will refuse this program (" + refusal->describe() +
                 "); it still runs in user space: bpfc filter, libpcap's bpf_filter()" + advice(program, options)),
         source);
}

}  // namespace bpfc::cli
