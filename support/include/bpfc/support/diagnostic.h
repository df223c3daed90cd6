// Diagnostics shared by every library: an error message, optionally tied to a
// span of the filter text, and a small Result type for functions that either
// produce a value or fail with diagnostics. Library code never prints; callers
// render diagnostics (see render_diagnostic).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bpfc {

// Half-open byte range [begin, end) into the filter text.
struct SourceSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const SourceSpan&, const SourceSpan&) = default;
};

struct Diagnostic {
  std::string message;              // libpcap's wording where libpcap has one
  std::optional<SourceSpan> span;   // the offending text, when known
};

// Renders "bpfc: <message>" followed, when the diagnostic has a span, by the
// filter text and a caret line underlining the span.
std::string render_diagnostic(const Diagnostic& d, std::string_view source,
                              std::string_view prefix = "bpfc");

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

}  // namespace bpfc
