// The assembler's line scanner (asm_scanner.h).
#include "asm_scanner.h"

#include <cctype>
#include <optional>

#include "bpfc/support/text.h"

namespace bpfc::cbpf::text {
namespace {

// How much of the rest of a line an "expected ..., found '...'" message quotes.
constexpr size_t kMaxQuoted = 60;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool is_word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

int digit_value(char c, int base) {
  const std::optional<uint8_t> v = hex_digit_value(c);
  return v && *v < base ? *v : -1;
}

}  // namespace

std::vector<TextLine> split_lines(std::string_view text) {
  std::vector<TextLine> lines;
  uint32_t number = 1;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(TextLine{line, number++, static_cast<uint32_t>(start)});
    start = end + 1;
  }
  return lines;
}

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (!is_space(c)) return false;
  }
  return true;
}

LineCursor::LineCursor(const TextLine& line, size_t end_of_line)
    : line_(line), text_(line.text.substr(0, end_of_line)) {}

void LineCursor::skip_space() {
  while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
}

bool LineCursor::at_end() {
  skip_space();
  return pos_ == text_.size();
}

bool LineCursor::accept(std::string_view literal) {
  skip_space();
  if (text_.substr(pos_, literal.size()) != literal) return false;
  pos_ += literal.size();
  return true;
}

std::optional<int64_t> LineCursor::signed_number() {
  skip_space();
  size_t p = pos_;
  bool negative = false;
  if (p < text_.size() && (text_[p] == '-' || text_[p] == '+')) {
    negative = text_[p] == '-';
    ++p;
  }
  int base = 10;
  if (p + 1 < text_.size() && text_[p] == '0' && (text_[p + 1] == 'x' || text_[p + 1] == 'X')) {
    base = 16;
    p += 2;
  }
  const size_t first_digit = p;
  uint64_t value = 0;
  for (int d; p < text_.size() && (d = digit_value(text_[p], base)) >= 0; ++p) {
    value = value * base + d;
    if (value > 0xffffffffull) return std::nullopt;  // more than 32 bits
  }
  if (p == first_digit) return std::nullopt;
  if (p < text_.size() && is_word_char(text_[p])) return std::nullopt;  // "12ab"
  pos_ = p;
  return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

std::optional<uint32_t> LineCursor::number() {
  auto v = signed_number();
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);  // wraps negatives modulo 2^32
}

std::string_view LineCursor::word() {
  skip_space();
  size_t p = pos_;
  if (p >= text_.size() || !is_word_start(text_[p])) return {};
  while (p < text_.size() && is_word_char(text_[p])) ++p;
  std::string_view w = text_.substr(pos_, p - pos_);
  pos_ = p;
  return w;
}

Diagnostic LineCursor::expected(std::string_view what) {
  skip_space();
  std::string_view rest = text_.substr(pos_);
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  std::string message = "expected " + std::string(what);
  if (rest.empty()) {
    message += ", found the end of the line";
  } else {
    // The rendered source line shows the rest in full; the message quotes
    // enough of it to be read on its own.
    std::string_view quoted = rest.substr(0, kMaxQuoted);
    while (quoted.size() < rest.size() && !quoted.empty() && (quoted.back() & 0xc0) == 0x80) {
      quoted.remove_suffix(1);  // no cut inside a UTF-8 sequence
    }
    message += ", found '" + std::string(quoted) + (quoted.size() < rest.size() ? "...'" : "'");
  }
  const uint32_t begin = line_.offset + static_cast<uint32_t>(pos_);
  return error_at(SourceSpan{begin, begin + static_cast<uint32_t>(rest.size())}, message);
}

Diagnostic LineCursor::error(std::string_view message) const {
  return error_at(SourceSpan{line_.offset, line_.offset + static_cast<uint32_t>(line_.text.size())},
                  std::string(message));
}

}  // namespace bpfc::cbpf::text
