// parse_program(): tells the text forms apart by the first non-blank
// character, '(' in a -d listing ("(000) ..."), '{' in -dd output
// ("{ 0x.., .., .., 0x.. },") and in JSON ('{' then a member name), a digit
// in -ddd output (the instruction count).
#include <cctype>

#include "asm_formats.h"
#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {
namespace {

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

}  // namespace

namespace text {

bool looks_like_json(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size() && is_blank_char(text[pos])) ++pos;
  if (pos == text.size() || text[pos] != '{') return false;
  ++pos;
  while (pos < text.size() && is_blank_char(text[pos])) ++pos;
  return pos < text.size() && (text[pos] == '"' || text[pos] == '}');
}

}  // namespace text

Result<ParsedProgram> parse_program_with_origins(std::string_view text) {
  if (text::looks_like_json(text)) return text::parse_json(text);
  const std::vector<text::TextLine> lines = text::split_lines(text);
  for (const text::TextLine& line : lines) {
    const size_t first = line.text.find_first_not_of(" \t\r\v\f");
    if (first == std::string_view::npos) continue;
    const char c = line.text[first];
    if (c == '(') return text::parse_listing(lines);
    if (c == '{') return text::parse_c_array(lines);
    if (std::isdigit(static_cast<unsigned char>(c))) return text::parse_decimal(lines);
    text::LineCursor in(line);
    return in.expected(
        "a tcpdump -d listing line like '(000) ldh [12]', a -dd line like "
        "'{ 0x28, 0, 0, 0x0000000c },', the instruction count that starts -ddd output or "
        "bpfc's JSON");
  }
  return ParsedProgram{};  // nothing but blank lines: the empty program
}

Result<Program> parse_program(std::string_view text) {
  auto parsed = parse_program_with_origins(text);
  if (!parsed) return parsed.errors();
  return std::move(parsed->program);
}

}  // namespace bpfc::cbpf
