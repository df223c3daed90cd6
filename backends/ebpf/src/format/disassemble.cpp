// One instruction as text, in the notation of the kernel's verifier log and
// `bpftool prog dump xlated`: "(%02x) " and a C-like statement. 32-bit
// operations name their registers w0..w10, 64-bit ones r0..r10; offsets
// print with their sign ("(r1 +76)", "(r10 -8)"), jump immediates in hex,
// ALU immediates in signed decimal, as the kernel does.
#include <fmt/format.h>

#include "bpfc/ebpf/format.h"

namespace bpfc::ebpf {
namespace {

// Operation bits of BPF_STX | BPF_ATOMIC's imm.
constexpr int32_t kAtomicFetch = 0x01, kAtomicXchg = 0xe0 | kAtomicFetch, kAtomicCmpxchg = 0xf0 | kAtomicFetch,
                  kLoadAcquire = 0x100, kStoreRelease = 0x110;
// BPF_LDX's sign-extending mode and BPF_JMP's may_goto (cpu v4).
constexpr uint8_t kMemSx = 0x80, kJcond = 0xe0;
// src_reg of a call: a helper, a call of a function in the program, a kfunc.
constexpr uint8_t kPseudoCall = 1, kPseudoKfuncCall = 2;
// src_reg of a 64-bit immediate load whose imm refers to a map.
constexpr uint8_t kPseudoMapValue = 2, kPseudoMapIdx = 5, kPseudoMapIdxValue = 6;
// off of BPF_ALU64 | BPF_MOV | BPF_X that marks an address-space cast.
constexpr int16_t kAddrSpaceCast = 1;

std::string_view size_name(uint8_t size, bool sign_extend = false) {
  switch (size) {
    case B: return sign_extend ? "s8" : "u8";
    case H: return sign_extend ? "s16" : "u16";
    case W: return sign_extend ? "s32" : "u32";
    default: return "u64";
  }
}

// The assignment operator of an ALU operation ("+=", "s>>="), or "" when the
// operation is not one (NEG, END and the undefined 0xe0, 0xf0 are handled apart).
std::string_view alu_operator(uint8_t op, bool is_signed) {
  switch (op) {
    case ADD: return "+=";
    case SUB: return "-=";
    case MUL: return "*=";
    case DIV: return is_signed ? "s/=" : "/=";
    case OR: return "|=";
    case AND: return "&=";
    case LSH: return "<<=";
    case RSH: return ">>=";
    case MOD: return is_signed ? "s%=" : "%=";
    case XOR: return "^=";
    case MOV: return "=";
    case ARSH: return "s>>=";
    default: return "";
  }
}

std::string_view jump_operator(uint8_t op) {
  switch (op) {
    case JEQ: return "==";
    case JGT: return ">";
    case JGE: return ">=";
    case JSET: return "&";
    case JNE: return "!=";
    case JSGT: return "s>";
    case JSGE: return "s>=";
    case JLT: return "<";
    case JLE: return "<=";
    case JSLT: return "s<";
    case JSLE: return "s<=";
    default: return "";
  }
}

std::optional<std::string> alu_text(const Insn& in) {
  const bool is64 = op_class(in.code) == ALU64;
  const char r = is64 ? 'r' : 'w';
  const uint8_t op = op_alu(in.code);
  const bool reg = op_source(in.code) == X;
  if (op == END) {
    if (in.imm != 16 && in.imm != 32 && in.imm != 64) return std::nullopt;
    if (is64) {
      if (reg) return std::nullopt;
      return fmt::format("r{} = bswap{} r{}", in.dst, in.imm, in.dst);
    }
    return fmt::format("r{} = {}{} r{}", in.dst, reg ? "be" : "le", in.imm, in.dst);
  }
  if (op == NEG) {
    if (reg) return std::nullopt;
    return fmt::format("{}{} = -{}{}", r, in.dst, r, in.dst);
  }
  const bool is_signed = (op == DIV || op == MOD) && in.off == 1;
  const std::string_view text = alu_operator(op, is_signed);
  if (text.empty()) return std::nullopt;
  if (op == MOV && reg && in.off != 0) {
    if (is64 && in.off == kAddrSpaceCast)
      return fmt::format("r{} = addr_space_cast(r{}, {}, {})", in.dst, in.src, static_cast<uint32_t>(in.imm) >> 16,
                         in.imm & 0xffff);
    if (in.off == 8 || in.off == 16 || (is64 && in.off == 32))
      return fmt::format("{}{} = (s{}){}{}", r, in.dst, in.off, r, in.src);
    return std::nullopt;
  }
  if (reg) return fmt::format("{}{} {} {}{}", r, in.dst, text, r, in.src);
  return fmt::format("{}{} {} {}", r, in.dst, text, in.imm);
}

std::optional<std::string> jump_text(const Insn& in) {
  const bool is32 = op_class(in.code) == JMP32;
  const uint8_t op = op_jmp(in.code);
  const bool reg = op_source(in.code) == X;
  switch (op) {
    case JA:
      if (reg) return std::nullopt;
      return is32 ? fmt::format("gotol pc{:+d}", in.imm) : fmt::format("goto pc{:+d}", in.off);
    case CALL:
      if (is32 || reg) return std::nullopt;
      if (in.src == kPseudoCall) return fmt::format("call pc{:+d}", in.imm);
      if (in.src == kPseudoKfuncCall) return fmt::format("call kernel-function#{}", in.imm);
      if (in.src != 0) return std::nullopt;
      if (std::string_view name = helper_name(in.imm); !name.empty()) return fmt::format("call {}#{}", name, in.imm);
      return fmt::format("call unknown#{}", in.imm);
    case EXIT:
      if (is32 || reg) return std::nullopt;
      return std::string("exit");
    case kJcond:
      if (is32 || reg) return std::nullopt;
      return fmt::format("may_goto pc{:+d}", in.off);
    default: break;
  }
  const std::string_view text = jump_operator(op);
  if (text.empty()) return std::nullopt;
  const char r = is32 ? 'w' : 'r';
  if (reg) return fmt::format("if {}{} {} {}{} goto pc{:+d}", r, in.dst, text, r, in.src, in.off);
  return fmt::format("if {}{} {} {:#x} goto pc{:+d}", r, in.dst, text, static_cast<uint32_t>(in.imm), in.off);
}

std::optional<std::string> atomic_text(const Insn& in) {
  const uint8_t size = op_size(in.code);
  const std::string_view type = size_name(size);
  if (in.imm == kLoadAcquire) return fmt::format("r{} = load_acquire(({} *)(r{} {:+d}))", in.dst, type, in.src, in.off);
  if (in.imm == kStoreRelease)
    return fmt::format("store_release(({} *)(r{} {:+d}), r{})", type, in.dst, in.off, in.src);
  if (size != W && size != DW) return std::nullopt;
  const std::string_view width = size == DW ? "64" : "";
  if (in.imm == kAtomicXchg)
    return fmt::format("r{} = atomic{}_xchg(({} *)(r{} {:+d}), r{})", in.src, width, type, in.dst, in.off, in.src);
  if (in.imm == kAtomicCmpxchg)
    return fmt::format("r0 = atomic{}_cmpxchg(({} *)(r{} {:+d}), r0, r{})", width, type, in.dst, in.off, in.src);
  const bool fetch = (in.imm & kAtomicFetch) != 0;
  std::string_view name;
  switch (in.imm & ~kAtomicFetch) {
    case ADD: name = "add"; break;
    case AND: name = "and"; break;
    case OR: name = "or"; break;
    case XOR: name = "xor"; break;
    default: return std::nullopt;
  }
  if (fetch)
    return fmt::format("r{} = atomic{}_fetch_{}(({} *)(r{} {:+d}), r{})", in.src, width, name, type, in.dst, in.off,
                       in.src);
  return fmt::format("lock *({} *)(r{} {:+d}) {}= r{}", type, in.dst, in.off,
                     alu_operator(static_cast<uint8_t>(in.imm), false).substr(0, 1), in.src);
}

std::string immediate64_text(const Insn& first, const Insn& second) {
  const uint64_t value =
      (static_cast<uint64_t>(static_cast<uint32_t>(second.imm)) << 32) | static_cast<uint32_t>(first.imm);
  switch (first.src) {
    case kPseudoMapFd: return fmt::format("r{} = map[fd:{}]", first.dst, first.imm);
    case kPseudoMapValue: return fmt::format("r{} = map[fd:{}]+{}", first.dst, first.imm, static_cast<uint32_t>(second.imm));
    case kPseudoMapIdx: return fmt::format("r{} = map[idx:{}]", first.dst, first.imm);
    case kPseudoMapIdxValue:
      return fmt::format("r{} = map[idx:{}]+{}", first.dst, first.imm, static_cast<uint32_t>(second.imm));
    default: return fmt::format("r{} = {:#x}", first.dst, value);
  }
}

// The statement of program[pc], or nullopt when its opcode is undefined.
std::optional<std::string> statement(std::span<const Insn> program, size_t pc) {
  const Insn& in = program[pc];
  const uint8_t size = op_size(in.code);
  const uint8_t mode = op_mode(in.code);
  switch (op_class(in.code)) {
    case LD:
      if (mode == IMM && size == DW) {
        if (pc + 1 >= program.size()) return std::nullopt;
        return immediate64_text(in, program[pc + 1]);
      }
      if (size == DW) return std::nullopt;
      if (mode == ABS) return fmt::format("r0 = *({} *)skb[{}]", size_name(size), in.imm);
      if (mode == IND) return fmt::format("r0 = *({} *)skb[r{} + {}]", size_name(size), in.src, in.imm);
      return std::nullopt;
    case LDX:
      if (mode == MEM || (mode == kMemSx && size != DW))
        return fmt::format("r{} = *({} *)(r{} {:+d})", in.dst, size_name(size, mode == kMemSx), in.src, in.off);
      return std::nullopt;
    case ST:
      if (mode == MEM) return fmt::format("*({} *)(r{} {:+d}) = {}", size_name(size), in.dst, in.off, in.imm);
      return std::nullopt;
    case STX:
      if (mode == MEM) return fmt::format("*({} *)(r{} {:+d}) = r{}", size_name(size), in.dst, in.off, in.src);
      if (mode == ATOMIC) return atomic_text(in);
      return std::nullopt;
    case ALU:
    case ALU64: return alu_text(in);
    default: return jump_text(in);  // JMP, JMP32
  }
}

}  // namespace

bool is_known_opcode(const Insn& insn) {
  // statement() looks at the next slot only for a 64-bit immediate load,
  // whose opcode is known whatever that slot holds.
  if (is_ld_imm64(insn)) return true;
  const Insn one[1] = {insn};
  return statement(one, 0).has_value();
}

std::string format_insn(std::span<const Insn> program, size_t pc) {
  const Insn& insn = program[pc];
  if (std::optional<std::string> text = statement(program, pc)) return fmt::format("({:02x}) {}", insn.code, *text);
  if (is_ld_imm64(insn)) return fmt::format("({:02x}) invalid: 64-bit immediate load without its second slot", insn.code);
  return fmt::format("({:02x}) invalid", insn.code);
}

}  // namespace bpfc::ebpf
