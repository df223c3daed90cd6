// Reads the numeric forms back: tcpdump -dd ("{ 0x28, 0, 0, 0x0000000c },"
// per instruction) and -ddd (the instruction count, then "code jt jf k" in
// decimal per instruction). Numbers may be decimal or 0x-hex in both.
#include <string>

#include "asm_formats.h"

namespace bpfc::cbpf::text {
namespace {

// Reads "code jt jf k" (with `separator` between the fields) into an Insn,
// checking each field's range.
Result<Insn> read_fields(LineCursor& in, std::string_view separator) {
  static constexpr const char* kNames[] = {"the opcode", "jt", "jf", "k"};
  static constexpr uint32_t kLimits[] = {0xffff, 0xff, 0xff, 0xffffffff};
  uint32_t fields[4];
  for (int i = 0; i < 4; ++i) {
    if (i > 0 && !separator.empty() && !in.accept(separator)) {
      return in.expected("'" + std::string(separator) + "' before " + kNames[i]);
    }
    const size_t start = in.position();
    auto v = in.signed_number();
    if (!v || *v < 0 || static_cast<uint64_t>(*v) > kLimits[i]) {
      in.rewind(start);
      return in.expected(std::string(kNames[i]) + " (0 to " + std::to_string(kLimits[i]) + ")");
    }
    fields[i] = static_cast<uint32_t>(*v);
  }
  return Insn{static_cast<uint16_t>(fields[0]), static_cast<uint8_t>(fields[1]),
              static_cast<uint8_t>(fields[2]), fields[3]};
}

}  // namespace

Result<ParsedProgram> parse_c_array(const std::vector<TextLine>& lines) {
  ParsedProgram parsed;
  for (const TextLine& line : lines) {
    if (is_blank(line.text)) continue;
    LineCursor in(line);
    if (!in.accept("{")) return in.expected("'{ code, jt, jf, k },'");
    auto insn = read_fields(in, ",");
    if (!insn) return insn.errors();
    if (!in.accept("}")) return in.expected("'}' after k");
    in.accept(",");
    if (!in.at_end()) return in.expected("the end of the line after '},'");
    parsed.program.push_back(*insn);
    parsed.origins.push_back(span_of(line));
  }
  return parsed;
}

Result<ParsedProgram> parse_decimal(const std::vector<TextLine>& lines) {
  auto line = lines.begin();
  while (line != lines.end() && is_blank(line->text)) ++line;
  if (line == lines.end()) return ParsedProgram{};

  LineCursor count_in(*line);
  auto count = count_in.signed_number();
  if (!count || *count < 0 || !count_in.at_end()) {
    return count_in.expected("the number of instructions");
  }
  const uint32_t count_line = line->number;
  ParsedProgram parsed;
  Program& program = parsed.program;
  for (++line; line != lines.end(); ++line) {
    if (is_blank(line->text)) continue;
    LineCursor in(*line);
    if (program.size() == static_cast<uint64_t>(*count)) {
      return in.error("the count on line " + std::to_string(count_line) + " says " +
                      std::to_string(*count) + " instructions, but there are more");
    }
    auto insn = read_fields(in, "");
    if (!insn) return insn.errors();
    if (!in.at_end()) return in.expected("the end of the line after k");
    program.push_back(*insn);
    parsed.origins.push_back(span_of(*line));
  }
  if (program.size() != static_cast<uint64_t>(*count)) {
    // Where the text ends (a renderer places the caret after its last word).
    const uint32_t end = lines.back().offset + static_cast<uint32_t>(lines.back().text.size());
    return error_at(SourceSpan{end, end}, "the count on line " + std::to_string(count_line) + " says " +
                                              std::to_string(*count) + " instructions, but the text ends after " +
                                              std::to_string(program.size()));
  }
  return parsed;
}

}  // namespace bpfc::cbpf::text
