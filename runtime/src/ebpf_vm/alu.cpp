// Arithmetic and comparisons on tagged values, with the kernel's results for
// the corner cases (its interpreter and the fixups of do_misc_fixups):
// division by 0 gives 0, modulus by 0 keeps dst, shift amounts are masked,
// 32-bit results are zero-extended.
#include <bit>

#include "machine.h"
#include "opcodes.h"

namespace bpfc::runtime::ebpf_vm {

using namespace bpfc::ebpf;

static_assert(std::endian::native == std::endian::little,
              "the eBPF interpreter models a little-endian kernel on a little-endian host");

std::string describe_kind(Kind kind) {
  switch (kind) {
    case Kind::Uninit:
      return "nothing (never written)";
    case Kind::Scalar:
      return "a number";
    case Kind::Ctx:
      return "a pointer to the context";
    case Kind::Stack:
      return "a pointer to the stack";
    case Kind::Packet:
      return "a pointer into the packet";
    case Kind::PacketEnd:
      return "the packet's end pointer";
  }
  return "?";
}

namespace {

std::string reg(unsigned r) { return "r" + std::to_string(r); }

Fault read(const Machine& m, unsigned r, Value& out) {
  out = m.regs[r];
  if (out.kind == Kind::Uninit) return reg(r) + " is read before anything was written to it";
  return std::nullopt;
}

uint64_t scalar_alu64(uint8_t op, uint64_t d, uint64_t s) {
  switch (op) {
    case ADD:
      return d + s;
    case SUB:
      return d - s;
    case MUL:
      return d * s;
    case DIV:
      return s == 0 ? 0 : d / s;
    case OR:
      return d | s;
    case AND:
      return d & s;
    case LSH:
      return d << (s & 63);
    case RSH:
      return d >> (s & 63);
    case NEG:
      return 0 - d;
    case MOD:
      return s == 0 ? d : d % s;
    case XOR:
      return d ^ s;
    case MOV:
      return s;
    case ARSH:
      return static_cast<uint64_t>(static_cast<int64_t>(d) >> (s & 63));
    default:
      return 0;  // not reached: the opcode was checked
  }
}

uint32_t scalar_alu32(uint8_t op, uint32_t d, uint32_t s) {
  switch (op) {
    case ADD:
      return d + s;
    case SUB:
      return d - s;
    case MUL:
      return d * s;
    case DIV:
      return s == 0 ? 0 : d / s;
    case OR:
      return d | s;
    case AND:
      return d & s;
    case LSH:
      return d << (s & 31);
    case RSH:
      return d >> (s & 31);
    case NEG:
      return 0u - d;
    case MOD:
      return s == 0 ? d : d % s;
    case XOR:
      return d ^ s;
    case MOV:
      return s;
    case ARSH:
      return static_cast<uint32_t>(static_cast<int32_t>(d) >> (s & 31));
    default:
      return 0;
  }
}

uint64_t byte_swap(uint64_t value, int32_t bits, bool to_big_endian) {
  switch (bits) {
    case 16: {
      const auto v = static_cast<uint16_t>(value);
      return to_big_endian ? static_cast<uint16_t>((v >> 8) | (v << 8)) : v;
    }
    case 32: {
      const auto v = static_cast<uint32_t>(value);
      return to_big_endian ? __builtin_bswap32(v) : v;
    }
    default:
      return to_big_endian ? __builtin_bswap64(value) : value;
  }
}

// The same-region address a pointer stands for, so that pointers into the
// packet compare with the packet's end. Far from 0 so that small negative
// offsets still order correctly as unsigned numbers.
constexpr uint64_t kRegionBase = uint64_t{1} << 40;

int space(Kind kind) { return kind == Kind::PacketEnd ? static_cast<int>(Kind::Packet) : static_cast<int>(kind); }

uint64_t address(const Machine& m, const Value& v) {
  return kRegionBase + (v.kind == Kind::PacketEnd ? m.packet_size() : 0) + v.bits;
}

Fault pointer_alu(Machine& m, const Insn& insn, const Value& d, const Value& s) {
  const uint8_t op = op_alu(insn.code);
  Value& out = m.regs[insn.dst];
  if (op == MOV) {
    out = s;
    return std::nullopt;
  }
  if (op == ADD && d.is_pointer() != s.is_pointer()) {
    const Value& p = d.is_pointer() ? d : s;
    const Value& n = d.is_pointer() ? s : d;
    if (p.kind == Kind::PacketEnd) return std::string("arithmetic on the packet's end pointer");
    out = Value{p.kind, p.bits + n.bits};
    return std::nullopt;
  }
  if (op == SUB && d.is_pointer() && !s.is_pointer()) {
    if (d.kind == Kind::PacketEnd) return std::string("arithmetic on the packet's end pointer");
    out = Value{d.kind, d.bits - s.bits};
    return std::nullopt;
  }
  if (op == SUB && d.is_pointer() && s.is_pointer() && space(d.kind) == space(s.kind)) {
    out = Value::scalar(address(m, d) - address(m, s));
    return std::nullopt;
  }
  return "operation " + hex(insn.code) + " on " + describe_kind(d.kind) + " and " + describe_kind(s.kind) +
         " (only pointer + number, pointer - number and pointer - pointer into the same region are allowed)";
}

}  // namespace

Fault execute_alu(Machine& m, const Insn& insn) {
  const uint8_t op = op_alu(insn.code);
  const bool is64 = op_class(insn.code) == ALU64;
  Value d = m.regs[insn.dst];
  if (op != MOV)
    if (auto f = read(m, insn.dst, d)) return f;
  if (op == END || op == NEG) {
    if (d.kind != Kind::Scalar) return "operation " + hex(insn.code) + " on " + describe_kind(d.kind);
    m.regs[insn.dst] = Value::scalar(
        op == NEG ? (is64 ? scalar_alu64(NEG, d.bits, 0) : scalar_alu32(NEG, static_cast<uint32_t>(d.bits), 0))
                  : byte_swap(d.bits, insn.imm, op_source(insn.code) == TO_BE));
    return std::nullopt;
  }
  Value s;
  if (op_source(insn.code) == X) {
    if (auto f = read(m, insn.src, s)) return f;
  } else {
    s = Value::scalar(is64 ? static_cast<uint64_t>(static_cast<int64_t>(insn.imm)) : static_cast<uint32_t>(insn.imm));
  }
  const bool pointers = s.is_pointer() || (op != MOV && d.is_pointer());
  if (pointers) {
    if (!is64)
      return "32-bit operation " + hex(insn.code) + " on " + describe_kind(s.is_pointer() ? s.kind : d.kind) +
             " (pointers are 64-bit)";
    return pointer_alu(m, insn, d, s);
  }
  m.regs[insn.dst] =
      Value::scalar(is64 ? scalar_alu64(op, d.bits, s.bits)
                         : scalar_alu32(op, static_cast<uint32_t>(d.bits), static_cast<uint32_t>(s.bits)));
  return std::nullopt;
}

Fault evaluate_condition(const Machine& m, const Insn& insn, bool& taken) {
  const bool is32 = op_class(insn.code) == JMP32;
  Value d, s;
  if (auto f = read(m, insn.dst, d)) return f;
  if (op_source(insn.code) == X) {
    if (auto f = read(m, insn.src, s)) return f;
  } else {
    s = Value::scalar(static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  }
  uint64_t a = d.bits, b = s.bits;
  if (d.is_pointer() || s.is_pointer()) {
    if (!d.is_pointer() || !s.is_pointer() || space(d.kind) != space(s.kind))
      return "comparison of " + describe_kind(d.kind) + " with " + describe_kind(s.kind);
    if (is32) return std::string("32-bit comparison of pointers");
    a = address(m, d);
    b = address(m, s);
  }
  if (is32) {
    a = static_cast<uint32_t>(a);
    b = static_cast<uint32_t>(b);
  }
  const int64_t sa = is32 ? static_cast<int32_t>(a) : static_cast<int64_t>(a);
  const int64_t sb = is32 ? static_cast<int32_t>(b) : static_cast<int64_t>(b);
  switch (op_jmp(insn.code)) {
    case JEQ:
      taken = a == b;
      break;
    case JNE:
      taken = a != b;
      break;
    case JGT:
      taken = a > b;
      break;
    case JGE:
      taken = a >= b;
      break;
    case JLT:
      taken = a < b;
      break;
    case JLE:
      taken = a <= b;
      break;
    case JSET:
      taken = (a & b) != 0;
      break;
    case JSGT:
      taken = sa > sb;
      break;
    case JSGE:
      taken = sa >= sb;
      break;
    case JSLT:
      taken = sa < sb;
      break;
    case JSLE:
      taken = sa <= sb;
      break;
    default:
      return "unknown jump opcode " + hex(insn.code);
  }
  return std::nullopt;
}

}  // namespace bpfc::runtime::ebpf_vm
