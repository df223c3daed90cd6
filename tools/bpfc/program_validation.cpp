#include "program_validation.h"

#include <string>

#include "cli_status.h"

namespace bpfc::cli {

const char* rules_name(runtime::ValidationRules rules) {
  return rules == runtime::ValidationRules::LinuxKernel ? "the Linux kernel's" : "libpcap's";
}

bool check_program(const ProgramInput& input, runtime::ValidationRules rules) {
  auto invalid = runtime::validate_cbpf(input.program, rules);
  if (!invalid) return true;
  Diagnostic diagnostic =
      error("invalid program under " + std::string(rules_name(rules)) + " rules: " + invalid->describe());
  if (invalid->index && *invalid->index < input.origins.size()) diagnostic.span = input.origins[*invalid->index];
  report_diagnostics({diagnostic}, SourceText{input.text, input.name});
  return false;
}

}  // namespace bpfc::cli
