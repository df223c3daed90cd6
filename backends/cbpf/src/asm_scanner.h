// Line-by-line scanning for the assembler: the text split into numbered lines,
// and a cursor over one line that reads numbers and punctuation and words
// errors as "expected X, found 'Y'" with a span into the whole text (which
// gives the line and column when the diagnostic is rendered).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/support/diagnostic.h"

namespace bpfc::cbpf::text {

struct TextLine {
  std::string_view text;  // without the line terminator
  uint32_t number;        // 1-based
  uint32_t offset;        // of text[0] in the whole input
};

// Every line of `text` ("\n" or "\r\n" terminated; a last line without a
// terminator counts).
std::vector<TextLine> split_lines(std::string_view text);

bool is_blank(std::string_view s);

class LineCursor {
 public:
  explicit LineCursor(const TextLine& line, size_t end_of_line = std::string_view::npos);

  void skip_space();
  // After skipping blanks: is the rest of the line empty?
  bool at_end();
  // Skips blanks, then consumes `literal` if it comes next.
  bool accept(std::string_view literal);
  // Skips blanks, then reads a number: decimal or 0x-hex, with an optional
  // sign; a negative value wraps modulo 2^32 (as %d prints k >= 2^31).
  std::optional<uint32_t> number();
  // Like number() but keeps the sign: for jump targets, which are pcs.
  std::optional<int64_t> signed_number();
  // Skips blanks, then reads [A-Za-z_][A-Za-z0-9_]*.
  std::string_view word();

  // "expected <what>, found '<rest of line>'" (or "found the end of the
  // line"), spanning the rest of the line; a long rest is quoted in part.
  Diagnostic expected(std::string_view what);
  // `message`, spanning the whole line.
  Diagnostic error(std::string_view message) const;

  uint32_t line_number() const { return line_.number; }
  // To report an error at text already read: save the position, rewind.
  size_t position() const { return pos_; }
  void rewind(size_t position) { pos_ = position; }

 private:
  const TextLine& line_;
  std::string_view text_;  // the part of the line being read
  size_t pos_ = 0;
};

}  // namespace bpfc::cbpf::text
