#include "kernel_warning.h"

#include "cbpf_target.h"

namespace bpfc::cli {

void warn_if_kernel_refuses(const cbpf::Program& program, const CompileOptions& options, const SourceText& source) {
  if (auto message = cbpf::kernel_refusal_warning(program, options)) report(warning(*message), source);
}

}  // namespace bpfc::cli
