// tcpdump -d: libpcap's bpf_image() line layout, reproduced byte for byte,
// including its printf conversions: k printed with %d shows values of 2^31
// and above as negative numbers, and a ja target is pc + 1 + k computed in
// 32 bits (so a backward ja shows the pc it lands on).
#include <cstdio>

#include "bpfc/cbpf/format.h"
#include "format_opcode_table.h"

namespace bpfc::cbpf {
namespace {

using text::Operand;

int32_t as_signed(uint32_t v) { return static_cast<int32_t>(v); }

void format_operand(Operand kind, const Insn& insn, uint32_t pc, char* buf, size_t size) {
  switch (kind) {
    case Operand::None:
      buf[0] = '\0';
      return;
    case Operand::SignedDecimal:
      std::snprintf(buf, size, "#%d", as_signed(insn.k));
      return;
    case Operand::Hex:
      std::snprintf(buf, size, "#0x%x", insn.k);
      return;
    case Operand::PacketLength:
      std::snprintf(buf, size, "#pktlen");
      return;
    case Operand::RegisterX:
      std::snprintf(buf, size, "x");
      return;
    case Operand::Absolute:
      if (auto name = text::ancillary_name(insn.k)) {
        std::snprintf(buf, size, "[%.*s]", static_cast<int>(name->size()), name->data());
      } else {
        std::snprintf(buf, size, "[%d]", as_signed(insn.k));
      }
      return;
    case Operand::Indexed:
      std::snprintf(buf, size, "[x + %d]", as_signed(insn.k));
      return;
    case Operand::IpHeaderLength:
      std::snprintf(buf, size, "4*([%d]&0xf)", as_signed(insn.k));
      return;
    case Operand::Scratch:
      std::snprintf(buf, size, "M[%d]", as_signed(insn.k));
      return;
    case Operand::JumpTarget:
      std::snprintf(buf, size, "%d", as_signed(pc + 1 + insn.k));
      return;
  }
}

}  // namespace

std::string format_insn(const Insn& insn, uint32_t pc, ListingStyle style) {
  char operand[64];
  const char* mnemonic = "unimp";
  if (auto info = text::find_opcode(insn.code, style)) {
    mnemonic = info->mnemonic;
    format_operand(info->operand, insn, pc, operand, sizeof operand);
  } else {
    std::snprintf(operand, sizeof operand, "0x%x", insn.code);
  }

  const int n = as_signed(pc);
  char line[256];
  if (text::prints_branch_targets(insn.code)) {
    std::snprintf(line, sizeof line, "(%03d) %-8s %-16s jt %d\tjf %d", n, mnemonic, operand,
                  n + 1 + insn.jt, n + 1 + insn.jf);
  } else if (operand[0] == '\0' && style == ListingStyle::Libpcap1_11) {
    std::snprintf(line, sizeof line, "(%03d) %s", n, mnemonic);
  } else {
    std::snprintf(line, sizeof line, "(%03d) %-8s %s", n, mnemonic, operand);
  }
  return line;
}

std::string format_listing(const Program& p, ListingStyle style) {
  std::string out;
  out.reserve(p.size() * 48);
  for (uint32_t pc = 0; pc < p.size(); ++pc) {
    out += format_insn(p[pc], pc, style);
    out += '\n';
  }
  return out;
}

}  // namespace bpfc::cbpf
