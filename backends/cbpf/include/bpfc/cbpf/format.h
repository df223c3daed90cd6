// Printers with the exact layout of tcpdump's -d, -dd and -ddd, JSON, and the
// assembler that reads the -d, -dd and -ddd forms back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
// ignored), a -dd C array or -ddd decimal text, detected from the content.
// Errors name the line and what was expected there.
// -dd and -ddd round-trip every program exactly. A listing does not print
// fields an instruction does not use (k of tax, jt/jf outside conditional
// jumps, ...), nor k of an "unimp" opcode: those read back as 0.
Result<Program> parse_program(std::string_view text);

}  // namespace bpfc::cbpf
