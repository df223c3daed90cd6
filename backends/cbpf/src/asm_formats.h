// The three text forms parse_program() reads; each takes the input's lines.
#pragma once

#include <vector>

#include "asm_scanner.h"
#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::cbpf::text {

Result<Program> parse_listing(const std::vector<TextLine>& lines);   // tcpdump -d
Result<Program> parse_c_array(const std::vector<TextLine>& lines);   // tcpdump -dd
Result<Program> parse_decimal(const std::vector<TextLine>& lines);   // tcpdump -ddd

}  // namespace bpfc::cbpf::text
