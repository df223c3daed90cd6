#include "kernel_warning.h"

#include "bpfc/runtime/compile.h"

namespace bpfc::cli {

void warn_if_kernel_refuses(const cbpf::Program& program, const SourceText& source) {
  const auto refusal = kernel_refusal(program);
  if (!refusal) return;
  report(warning("the Linux kernel will refuse this program (" + refusal->describe() +
                 "); it still runs in user space: bpfc filter, libpcap's bpf_filter()"),
         source);
}

}  // namespace bpfc::cli
