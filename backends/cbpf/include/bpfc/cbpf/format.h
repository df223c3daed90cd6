// Printers with the exact layout of tcpdump's -d, -dd and -ddd, JSON, and the
// assembler that reads all four forms back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::cbpf {

// libpcap's bpf_image() changed after 1.10: instructions without an operand
// (ret a, neg, tax, txa) lost their trailing blanks, and opcode 0x81
// (ldx len) is printed "ldx #pktlen" instead of "unimp 0x81".
enum class ListingStyle {
  Libpcap1_10,  // tcpdump -d with libpcap 1.10.3 (Debian's tcpdump)
  Libpcap1_11,  // libpcap master: the listings in test/corpus
};

std::string format_listing(const Program& p, ListingStyle style = ListingStyle::Libpcap1_10);
std::string format_c_array(const Program& p);   // tcpdump -dd
std::string format_decimal(const Program& p);   // tcpdump -ddd
// {"length": N, "instructions": [{"code", "jt", "jf", "k", "text"}, ...]};
// "text" is the -d line (Libpcap1_10 style). Layout documented in format_json.cpp.
std::string format_json(const Program& p);
// One -d line (bpf_image(insn, pc)), no newline.
std::string format_insn(const Insn& insn, uint32_t pc, ListingStyle style = ListingStyle::Libpcap1_10);

// Reads a -d listing (either style; a trailing "; comment" on a line is
// ignored), a -dd C array, -ddd decimal text or the JSON form, detected from
// the content. Errors say what was expected and carry the span of the text
// at fault (render_diagnostic turns it into a line and column).
// -dd, -ddd and JSON round-trip every program exactly (JSON's "text" members
// are not read). A listing does not print fields an instruction does not use
// (k of tax, jt/jf outside conditional jumps, ...), nor k of an "unimp"
// opcode: those read back as 0.
Result<Program> parse_program(std::string_view text);

// A program read from text, with where each instruction was written.
struct ParsedProgram {
  Program program;
  // The span of each instruction's text (its line; in JSON, its object): one
  // per instruction, or none when they are not known (JSON whose
  // "instructions" member name is written with escapes).
  std::vector<SourceSpan> origins;
};

// parse_program(), keeping the origins: to point at an instruction in the
// text when a later check (a validator) refuses it.
Result<ParsedProgram> parse_program_with_origins(std::string_view text);

}  // namespace bpfc::cbpf
