// The four text forms parse_program() reads: three take the input's lines,
// JSON the whole text.
#pragma once

#include <string_view>
#include <vector>

#include "asm_scanner.h"
#include "bpfc/cbpf/format.h"
#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::cbpf::text {

Result<ParsedProgram> parse_listing(const std::vector<TextLine>& lines);   // tcpdump -d
Result<ParsedProgram> parse_c_array(const std::vector<TextLine>& lines);   // tcpdump -dd
Result<ParsedProgram> parse_decimal(const std::vector<TextLine>& lines);   // tcpdump -ddd
Result<ParsedProgram> parse_json(std::string_view text);                   // --format=json

// Whether the text, whose first non-blank character is '{', is JSON (an
// object: '{' then a string or '}') rather than a -dd line ('{' then a number).
bool looks_like_json(std::string_view text);

// The span of a whole line, for ParsedProgram::origins.
inline SourceSpan span_of(const TextLine& line) {
  return SourceSpan{line.offset, line.offset + static_cast<uint32_t>(line.text.size())};
}

}  // namespace bpfc::cbpf::text
