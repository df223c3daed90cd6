// The opcode table of format_opcode_table.h, and the ancillary-load names
// (those of a libpcap built against Linux headers that define SKF_AD_MAX 64,
// as Debian's is).
#include "format_opcode_table.h"

#include <array>

namespace bpfc::cbpf::text {
namespace {

constexpr OpcodeInfo kOpcodes[] = {
    {RET | K, "ret", Operand::SignedDecimal},
    {RET | RET_A, "ret", Operand::None},

    {LD | W | ABS, "ld", Operand::Absolute},
    {LD | H | ABS, "ldh", Operand::Absolute},
    {LD | B | ABS, "ldb", Operand::Absolute},
    {LD | W | LEN, "ld", Operand::PacketLength},
    {LDX | W | LEN, "ldx", Operand::PacketLength},  // named only since libpcap 1.11
    {LD | W | IND, "ld", Operand::Indexed},
    {LD | H | IND, "ldh", Operand::Indexed},
    {LD | B | IND, "ldb", Operand::Indexed},
    {LD | IMM, "ld", Operand::Hex},
    {LDX | IMM, "ldx", Operand::Hex},
    {LDX | MSH | B, "ldxb", Operand::IpHeaderLength},
    {LD | MEM, "ld", Operand::Scratch},
    {LDX | MEM, "ldx", Operand::Scratch},
    {ST, "st", Operand::Scratch},
    {STX, "stx", Operand::Scratch},

    {JMP | JA, "ja", Operand::JumpTarget},
    {JMP | JGT | K, "jgt", Operand::Hex},
    {JMP | JGE | K, "jge", Operand::Hex},
    {JMP | JEQ | K, "jeq", Operand::Hex},
    {JMP | JSET | K, "jset", Operand::Hex},
    {JMP | JGT | X, "jgt", Operand::RegisterX},
    {JMP | JGE | X, "jge", Operand::RegisterX},
    {JMP | JEQ | X, "jeq", Operand::RegisterX},
    {JMP | JSET | X, "jset", Operand::RegisterX},

    {ALU | ADD | X, "add", Operand::RegisterX},
    {ALU | SUB | X, "sub", Operand::RegisterX},
    {ALU | MUL | X, "mul", Operand::RegisterX},
    {ALU | DIV | X, "div", Operand::RegisterX},
    {ALU | MOD | X, "mod", Operand::RegisterX},
    {ALU | AND | X, "and", Operand::RegisterX},
    {ALU | OR | X, "or", Operand::RegisterX},
    {ALU | XOR | X, "xor", Operand::RegisterX},
    {ALU | LSH | X, "lsh", Operand::RegisterX},
    {ALU | RSH | X, "rsh", Operand::RegisterX},
    {ALU | ADD | K, "add", Operand::SignedDecimal},
    {ALU | SUB | K, "sub", Operand::SignedDecimal},
    {ALU | MUL | K, "mul", Operand::SignedDecimal},
    {ALU | DIV | K, "div", Operand::SignedDecimal},
    {ALU | MOD | K, "mod", Operand::SignedDecimal},
    {ALU | AND | K, "and", Operand::Hex},
    {ALU | OR | K, "or", Operand::Hex},
    {ALU | XOR | K, "xor", Operand::Hex},
    {ALU | LSH | K, "lsh", Operand::SignedDecimal},
    {ALU | RSH | K, "rsh", Operand::SignedDecimal},
    {ALU | NEG, "neg", Operand::None},

    {MISC | TAX, "tax", Operand::None},
    {MISC | TXA, "txa", Operand::None},
};

// Linux's SKF_AD_OFF, and the fields at SKF_AD_OFF + 4 * i.
constexpr uint32_t kAncillaryBase = 0xfffff000;
constexpr std::array<std::string_view, 16> kAncillaryNames = {
    "proto", "type",     "ifidx",    "nla",  "nlan", "mark",   "queue",    "hatype",
    "rxhash", "cpu", "xor_x", "vlan_tci", "vlanp", "poff", "random", "vlan_tpid",
};

}  // namespace

std::span<const OpcodeInfo> opcode_table() { return kOpcodes; }

std::optional<OpcodeInfo> find_opcode(uint16_t code, ListingStyle style) {
  if (code == (LDX | W | LEN) && style == ListingStyle::Libpcap1_10) return std::nullopt;
  for (const OpcodeInfo& info : kOpcodes) {
    if (info.code == code) return info;
  }
  return std::nullopt;
}

std::optional<std::string_view> ancillary_name(uint32_t k) {
  if (k < kAncillaryBase) return std::nullopt;
  const uint32_t field = k - kAncillaryBase;
  if (field % 4 != 0 || field / 4 >= kAncillaryNames.size()) return std::nullopt;
  return kAncillaryNames[field / 4];
}

std::optional<uint32_t> ancillary_offset(std::string_view name) {
  for (size_t i = 0; i < kAncillaryNames.size(); ++i) {
    if (kAncillaryNames[i] == name) return kAncillaryBase + 4 * static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

}  // namespace bpfc::cbpf::text
