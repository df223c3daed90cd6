#include "bpfc/support/diagnostic.h"

#include <algorithm>

namespace bpfc {

std::string render_diagnostic(const Diagnostic& d, std::string_view source, std::string_view prefix) {
  std::string out;
  if (!prefix.empty()) {
    out.append(prefix);
    out.append(": ");
  }
  out.append(d.message);
  out.push_back('\n');
  if (!d.span) return out;
  // Show the filter on one line: newlines and tabs in the expression become
  // spaces so the caret line stays aligned.
  std::string line(source);
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\n' || c == '\t' || c == '\r'; }, ' ');
  uint32_t begin = std::min<uint32_t>(d.span->begin, static_cast<uint32_t>(line.size()));
  uint32_t end = std::min<uint32_t>(std::max(d.span->end, begin + 1), static_cast<uint32_t>(line.size()) + 1);
  out.append("    ");
  out.append(line);
  out.push_back('\n');
  out.append("    ");
  out.append(begin, ' ');
  out.append(end - begin, '^');
  out.push_back('\n');
  return out;
}

}  // namespace bpfc
