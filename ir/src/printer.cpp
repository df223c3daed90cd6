// The textual form of an ir::Function: stable (it depends only on the
// function's contents), readable, and read back by ir::parse().
//
// The grammar is ir/README.md's "Text form", which this file and parser.cpp
// implement.
//
// Blocks are printed in index order, instructions in `insts` order, each with
// its own ValueId, so printing is the identity on what the parser reads.
// Constants are printed in hex, load offsets (and protochain's base and
// protocol number) in decimal (as tcpdump -d does).
// Values that belong to no block are not printed.
#include <cstdio>
#include <string>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {
namespace {

void append_value(std::string& out, ValueId v) {
  if (v == kNoValue) {
    out += '_';
  } else {
    out += 'v';
    out += std::to_string(v);
  }
}

void append_block(std::string& out, BlockId b) {
  if (b == kNoBlock) {
    out += '_';
  } else {
    out += 'b';
    out += std::to_string(b);
  }
}

void append_hex(std::string& out, uint32_t k) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", k);
  out += buf;
}

void append_inst(std::string& out, ValueId id, const Inst& inst) {
  out += "  ";
  append_value(out, id);
  out += " = ";
  switch (inst.op) {
    case Op::Const:
      out += "const ";
      append_hex(out, inst.imm);
      break;
    case Op::Len:
      out += "len";
      break;
    case Op::Caplen:
      out += "caplen";
      break;
    case Op::Meta:
      out += "meta.";
      out += inst.imm < kMetaKindCount ? meta_kind_name(static_cast<MetaKind>(inst.imm)) : "?";
      break;
    case Op::Load:
      out += "load.";
      out += std::to_string(inst.size);
      out += " [";
      if (inst.a != kNoValue) {
        append_value(out, inst.a);
        out += " + ";
      }
      out += std::to_string(inst.imm);
      out += ']';
      if (inst.checked) out += " checked";
      break;
    case Op::Neg:
      out += "neg ";
      append_value(out, inst.a);
      break;
    case Op::Phi:
      out += "phi";
      for (size_t i = 0; i < inst.incoming.size(); ++i) {
        out += i == 0 ? " [" : ", [";
        append_block(out, inst.incoming[i].block);
        out += ": ";
        append_value(out, inst.incoming[i].value);
        out += ']';
      }
      break;
    case Op::Protochain:
      out += "protochain.ip";
      out += std::to_string(inst.size);
      out += ' ';
      append_value(out, inst.a);
      out += ", ";
      append_value(out, inst.b);
      out += " [";
      out += std::to_string(inst.imm);
      out += "] stop ";
      out += std::to_string(inst.stop);
      break;
    default:
      if (is_binary(inst.op)) {
        out += op_name(inst.op);
        out += ' ';
        append_value(out, inst.a);
        out += ", ";
        append_value(out, inst.b);
      }
      break;
  }
  out += '\n';
}

void append_terminator(std::string& out, const Terminator& t) {
  out += "  ";
  switch (t.kind) {
    case TermKind::None:
      out += "unterminated";
      break;
    case TermKind::Ret:
      out += "ret ";
      append_value(out, t.lhs);
      break;
    case TermKind::Jump:
      out += "jump ";
      append_block(out, t.on_true);
      break;
    case TermKind::Branch:
      out += "br ";
      out += cond_name(t.cond);
      out += ' ';
      append_value(out, t.lhs);
      out += ", ";
      append_value(out, t.rhs);
      out += ", ";
      append_block(out, t.on_true);
      out += ", ";
      append_block(out, t.on_false);
      break;
  }
  out += '\n';
}

}  // namespace

std::string print(const Function& f) {
  std::string out;
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    append_block(out, b);
    out += ":\n";
    for (ValueId v : f.blocks[b].insts) {
      if (v < f.values.size()) {
        append_inst(out, v, f.values[v]);
      } else {
        out += "  ";
        append_value(out, v);
        out += " = <missing>\n";
      }
    }
    append_terminator(out, f.blocks[b].term);
  }
  return out;
}

}  // namespace bpfc::ir
