// What each classic-BPF opcode is called in a tcpdump -d listing and how its
// operand is written: the one table both the printer (format_listing.cpp) and
// the assembler (asm_listing.cpp) read.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "bpfc/cbpf/format.h"
#include "bpfc/cbpf/insn.h"

namespace bpfc::cbpf::text {

// How bpf_image() writes the operand (k unless said otherwise).
enum class Operand {
  None,            // ret (A), neg, tax, txa
  SignedDecimal,   // "#%d": ret #k, add/sub/mul/div/mod/lsh/rsh #k
  Hex,             // "#0x%x": ld/ldx #k, and/or/xor #k, jeq/jgt/jge/jset #k
  PacketLength,    // "#pktlen"
  RegisterX,       // "x"
  Absolute,        // "[%d]", or "[name]" for a Linux ancillary offset
  Indexed,         // "[x + %d]"
  IpHeaderLength,  // "4*([%d]&0xf)"
  Scratch,         // "M[%d]"
  JumpTarget,      // "%d": the absolute target pc + 1 + k of ja
};

struct OpcodeInfo {
  uint16_t code;
  const char* mnemonic;
  Operand operand;
};

// Every opcode bpf_image() names (in either listing style).
std::span<const OpcodeInfo> opcode_table();

// The entry `style` prints for `code`, or nullopt when bpf_image() prints
// "unimp 0x<code>".
std::optional<OpcodeInfo> find_opcode(uint16_t code, ListingStyle style);

// Conditional jumps print "jt N jf N", known opcode or not.
constexpr bool prints_branch_targets(uint16_t code) {
  return insn_class(code) == JMP && insn_op(code) != JA;
}

// Linux ancillary loads (k = SKF_AD_OFF + field) that bpf_image() names.
std::optional<std::string_view> ancillary_name(uint32_t k);
std::optional<uint32_t> ancillary_offset(std::string_view name);

}  // namespace bpfc::cbpf::text
