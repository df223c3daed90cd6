#include "cli_status.h"

#include <cstdio>
#include <string>

#include "diagnostic_color.h"

namespace bpfc::cli {
namespace {

// fwrite, not fputs: a stand-in never contains NUL, but nothing rendered is
// ever cut short either.
void write_stderr(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stderr); }

DiagnosticStyle style_for(const SourceText& source) {
  DiagnosticStyle style;
  style.program = "bpfc";
  if (source.file_name) style.file_name = *source.file_name;
  style.color = diagnostics_in_color();
  return style;
}

}  // namespace

int report_failure(std::string_view message) {
  report(error(std::string(message)), SourceText{});
  return kExitFailure;
}

void report(const Diagnostic& diagnostic, const SourceText& source) {
  write_stderr(render_diagnostic(diagnostic, source.text, style_for(source)));
}

int report_diagnostics(const std::vector<Diagnostic>& diagnostics, const SourceText& source) {
  for (const Diagnostic& diagnostic : diagnostics) report(diagnostic, source);
  return kExitFailure;
}

int report_diagnostics(const std::vector<Diagnostic>& diagnostics, std::string_view source) {
  return report_diagnostics(diagnostics, SourceText{source, std::nullopt});
}

}  // namespace bpfc::cli
