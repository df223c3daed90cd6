// parse_program(): tells the three text forms apart by the first non-blank
// line, which is "(000) ..." in a -d listing, "{ 0x.., .., .., 0x.. }," in
// -dd output and the instruction count alone in -ddd output.
#include <cctype>

#include "asm_formats.h"
#include "bpfc/cbpf/format.h"

namespace bpfc::cbpf {

Result<Program> parse_program(std::string_view text) {
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
        "'{ 0x28, 0, 0, 0x0000000c },' or the instruction count that starts -ddd output");
  }
  return Program{};  // nothing but blank lines: the empty program
}

}  // namespace bpfc::cbpf
