#include "cli_status.h"

#include <cstdio>
#include <string>

namespace bpfc::cli {

int report_failure(std::string_view message) {
  std::string line = "bpfc: ";
  line.append(message);
  line.push_back('\n');
  std::fputs(line.c_str(), stderr);
  return kExitFailure;
}

int report_diagnostics(const std::vector<Diagnostic>& diagnostics, std::string_view source) {
  for (const Diagnostic& diagnostic : diagnostics) {
    std::fputs(render_diagnostic(diagnostic, source, "bpfc").c_str(), stderr);
  }
  return kExitFailure;
}

}  // namespace bpfc::cli
