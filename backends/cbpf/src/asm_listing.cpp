// Reads a tcpdump -d listing back into instructions: "(NNN) mnemonic operand
// [jt T jf F]" per line, in either bpf_image() style, with anything after a
// ';' ignored (libpcap's test listings append "; 0x<opcode>" comments).
// The opcode comes from the mnemonic and the shape of the operand, through
// the same table the printer uses.
#include <string>

#include "asm_formats.h"
#include "asm_scanner.h"
#include "format_opcode_table.h"

namespace bpfc::cbpf::text {
namespace {

// What an operand looked like; Hex and SignedDecimal entries both read "#n".
struct ParsedOperand {
  Operand shape = Operand::None;
  uint32_t k = 0;
};

bool same_shape(Operand table_entry, Operand parsed) {
  if (table_entry == Operand::SignedDecimal) table_entry = Operand::Hex;
  return table_entry == parsed;
}

// "[n]", "[name]" or "[x + n]", after the '['.
Result<ParsedOperand> parse_bracketed(LineCursor& in) {
  const std::string_view name = in.word();
  if (name == "x") {
    if (!in.accept("+")) return in.expected("'+' in '[x + offset]'");
    auto k = in.number();
    if (!k) return in.expected("an offset in '[x + offset]'");
    if (!in.accept("]")) return in.expected("']'");
    return ParsedOperand{Operand::Indexed, *k};
  }
  uint32_t k;
  if (!name.empty()) {
    auto offset = ancillary_offset(name);
    if (!offset) {
      return in.error("unknown ancillary data name '" + std::string(name) +
                      "' (known: proto, type, ifidx, nla, nlan, mark, queue, hatype, rxhash, "
                      "cpu, xor_x, vlan_tci, vlanp, poff, random, vlan_tpid)");
    }
    k = *offset;
  } else {
    auto offset = in.number();
    if (!offset) return in.expected("a packet offset, an ancillary name or 'x + offset' after '['");
    k = *offset;
  }
  if (!in.accept("]")) return in.expected("']'");
  return ParsedOperand{Operand::Absolute, k};
}

Result<ParsedOperand> parse_operand(LineCursor& in, std::string_view mnemonic, uint32_t pc) {
  if (mnemonic == "ja") {
    auto target = in.signed_number();
    if (!target) return in.expected("the jump target (an instruction number)");
    return ParsedOperand{Operand::JumpTarget, static_cast<uint32_t>(*target - int64_t{pc} - 1)};
  }
  if (mnemonic == "ldxb") {
    const bool opened = in.accept("4*([") ||
                        (in.accept("4") && in.accept("*") && in.accept("(") && in.accept("["));
    if (!opened) return in.expected("'4*([offset]&0xf)'");
    auto k = in.number();
    if (!k) return in.expected("an offset in '4*([offset]&0xf)'");
    const bool closed = in.accept("]") && in.accept("&") && in.accept("0xf") && in.accept(")");
    if (!closed) return in.expected("']&0xf)' to close '4*([offset]&0xf)'");
    return ParsedOperand{Operand::IpHeaderLength, *k};
  }
  if (in.at_end()) return ParsedOperand{Operand::None, 0};
  if (in.accept("#")) {
    if (in.accept("pktlen")) return ParsedOperand{Operand::PacketLength, 0};
    auto k = in.number();
    if (!k) return in.expected("a number or 'pktlen' after '#'");
    return ParsedOperand{Operand::Hex, *k};
  }
  if (in.accept("M[")) {
    auto k = in.number();
    if (!k || !in.accept("]")) return in.expected("a scratch slot 'M[n]'");
    return ParsedOperand{Operand::Scratch, *k};
  }
  if (in.accept("[")) return parse_bracketed(in);
  if (in.accept("x")) return ParsedOperand{Operand::RegisterX, 0};
  return in.expected("an operand ('#k', 'x', '[k]', '[x + k]', 'M[k]' or none)");
}

// "jt T jf F" -> relative offsets from pc + 1, each 0..255.
Result<Insn> parse_branch_targets(LineCursor& in, Insn insn, uint32_t pc) {
  if (!in.accept("jt")) return in.expected("'jt <target>' after the comparison");
  uint8_t offsets[2];
  const char* names[2] = {"jt", "jf"};
  for (int i = 0; i < 2; ++i) {
    if (i == 1 && !in.accept("jf")) return in.expected("'jf <target>'");
    auto target = in.signed_number();
    if (!target) {
      return in.expected(std::string("the ") + names[i] + " target (an instruction number)");
    }
    const int64_t offset = *target - int64_t{pc} - 1;
    if (offset < 0 || offset > 255) {
      return in.error(std::string(names[i]) + " target " + std::to_string(*target) +
                      " is out of reach: a conditional jump at " + std::to_string(pc) +
                      " can only reach instructions " + std::to_string(pc + 1) + " to " +
                      std::to_string(pc + 256));
    }
    offsets[i] = static_cast<uint8_t>(offset);
  }
  insn.jt = offsets[0];
  insn.jf = offsets[1];
  return insn;
}

Result<Insn> parse_instruction(const TextLine& line, uint32_t pc) {
  // A ';' starts a comment: no operand contains one.
  LineCursor in(line, line.text.find(';'));
  const std::string expected_number = "(" + std::to_string(pc) + ")";
  if (!in.accept("(")) {
    return in.expected("'" + expected_number + "' to start instruction " + std::to_string(pc));
  }
  auto number = in.number();
  if (!number || !in.accept(")")) {
    return in.expected("the instruction number '" + expected_number + "'");
  }
  if (*number != pc) {
    return in.error("instructions are numbered from 0 in order: expected (" + std::to_string(pc) +
                    "), found (" + std::to_string(*number) + ")");
  }
  const std::string_view mnemonic = in.word();
  if (mnemonic.empty()) return in.expected("an instruction mnemonic");

  Insn insn;
  if (mnemonic == "unimp") {
    auto code = in.number();
    if (!code || *code > 0xffff) return in.expected("the opcode of 'unimp' (0x0 to 0xffff)");
    insn.code = static_cast<uint16_t>(*code);
  } else {
    // "jt" right after a mnemonic is no operand, but starts the branch targets.
    const bool jt_next = [&] {
      LineCursor probe = in;
      return probe.word() == "jt";
    }();
    ParsedOperand operand;
    if (!jt_next) {
      auto parsed = parse_operand(in, mnemonic, pc);
      if (!parsed) return parsed.errors();
      operand = *parsed;
    }
    bool known_mnemonic = false;
    const OpcodeInfo* match = nullptr;
    for (const OpcodeInfo& info : opcode_table()) {
      if (mnemonic != info.mnemonic) continue;
      known_mnemonic = true;
      if (same_shape(info.operand, operand.shape)) match = &info;
    }
    if (!known_mnemonic) return in.error("unknown instruction '" + std::string(mnemonic) + "'");
    if (!match) return in.error("'" + std::string(mnemonic) + "' does not take that operand");
    insn.code = match->code;
    insn.k = operand.k;
  }

  if (prints_branch_targets(insn.code)) {
    auto with_targets = parse_branch_targets(in, insn, pc);
    if (!with_targets) return with_targets;
    insn = *with_targets;
  }
  if (!in.at_end()) return in.expected("the end of the instruction");
  return insn;
}

}  // namespace

Result<ParsedProgram> parse_listing(const std::vector<TextLine>& lines) {
  ParsedProgram parsed;
  for (const TextLine& line : lines) {
    const std::string_view code_part = line.text.substr(0, line.text.find(';'));
    if (is_blank(code_part)) continue;
    auto insn = parse_instruction(line, static_cast<uint32_t>(parsed.program.size()));
    if (!insn) return insn.errors();
    parsed.program.push_back(*insn);
    parsed.origins.push_back(span_of(line));
  }
  return parsed;
}

}  // namespace bpfc::cbpf::text
