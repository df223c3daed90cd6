// Printers with the exact layout of tcpdump's -d, -dd and -ddd, JSON, and the
// assembler that reads the -d and -ddd forms back.
#pragma once

#include <string>
#include <string_view>

#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::cbpf {

std::string format_listing(const Program& p);   // tcpdump -d (bpf_image per line)
std::string format_c_array(const Program& p);   // tcpdump -dd
std::string format_decimal(const Program& p);   // tcpdump -ddd
std::string format_json(const Program& p);
std::string format_insn(const Insn& insn, uint32_t pc);  // one -d line, no newline

// Reads a -d listing, a -dd C array or -ddd decimal text (detected from the
// content). Errors name the line.
Result<Program> parse_program(std::string_view text);

}  // namespace bpfc::cbpf
