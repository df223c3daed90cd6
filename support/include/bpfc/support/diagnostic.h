// Diagnostics shared by every library: an error (or warning) message,
// optionally tied to a span of the source text, and a small Result type for
// functions that either produce a value or fail with diagnostics. Library code
// never prints; callers render diagnostics (see render_diagnostic).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bpfc {

// Half-open byte range [begin, end) into the source text.
struct SourceSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const SourceSpan&, const SourceSpan&) = default;
};

enum class Severity : uint8_t { Error, Warning, Note };

struct Diagnostic {
  std::string message;              // libpcap's wording where libpcap has one
  std::optional<SourceSpan> span;   // the offending text, when known
  Severity severity = Severity::Error;
};

// How render_diagnostic lays a diagnostic out.
struct DiagnosticStyle {
  // Names the tool in the form for text given on the command line:
  // "<program>: <message>", then the whole source shown as one line.
  std::string_view program = "bpfc";
  // When the source is a file (or standard input, "<stdin>"): compiler form,
  // "FILE:LINE:COLUMN: error: <message>", then the line(s) the span covers.
  // LINE and COLUMN count from 1; COLUMN counts bytes.
  std::optional<std::string_view> file_name;
  // ANSI colours as gcc uses them: bold location, red "error", magenta
  // "warning", cyan "note", green carets.
  bool color = false;
  // Source lines wider than this (in terminal columns) are shown as a window
  // of this width around the caret, with "..." where text was left out.
  uint32_t max_source_width = 80;
};

// The diagnostic as text ending in a newline. Source text is shown so that the
// carets line up under the span on a terminal: tabs are expanded, and NUL and
// other control characters, invalid UTF-8 and invisible formatting characters
// are shown as <U+XXXX> or <XX>; the message is escaped the same way and a
// message line longer than 400 bytes loses its middle. Nothing is ever cut
// off at an embedded NUL byte.
std::string render_diagnostic(const Diagnostic& d, std::string_view source, const DiagnosticStyle& style);

// The command-line form with the given program name: "bpfc: <message>",
// followed, when the diagnostic has a span, by the source and a caret line.
std::string render_diagnostic(const Diagnostic& d, std::string_view source,
                              std::string_view program = "bpfc");

// A value or a (non-empty) list of diagnostics.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                       // NOLINT: implicit by design
  Result(Diagnostic d) : v_(std::vector<Diagnostic>{std::move(d)}) {}  // NOLINT
  Result(std::vector<Diagnostic> ds) : v_(std::move(ds)) {}       // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::vector<Diagnostic>& errors() const { return std::get<std::vector<Diagnostic>>(v_); }
  const Diagnostic& error() const { return errors().front(); }

 private:
  std::variant<T, std::vector<Diagnostic>> v_;
};

inline Diagnostic error_at(SourceSpan span, std::string message) {
  return Diagnostic{std::move(message), span};
}
inline Diagnostic error(std::string message) { return Diagnostic{std::move(message), std::nullopt}; }
inline Diagnostic warning(std::string message) {
  return Diagnostic{std::move(message), std::nullopt, Severity::Warning};
}

}  // namespace bpfc
