#include "cbpf_to_ebpf.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace bpfc::bench {
namespace {

namespace c = bpfc::cbpf;
namespace e = bpfc::ebpf;

constexpr uint8_t kA = e::R0;    // also where LD_ABS / LD_IND leave their value
constexpr uint8_t kX = e::R7;
constexpr uint8_t kCtx = e::R6;  // LD_ABS / LD_IND read the sk_buff from r6
constexpr uint8_t kSavedA = e::R9;
// XDP: the packet's bounds, and the end of the bytes a load reads.
constexpr uint8_t kData = e::R6;
constexpr uint8_t kDataEnd = e::R8;
constexpr uint8_t kLoadEnd = e::R2;

// The verifier gives a packet pointer a range only while its offset from
// data stays below 0xffff (MAX_PACKET_OFF); a load must end by this offset.
constexpr uint64_t kMaxLoadEnd = 0xfffe;

int16_t slot_offset(uint32_t index) { return static_cast<int16_t>(-4 * static_cast<int>(c::kMemWords - index)); }

uint16_t cls(uint16_t code) { return code & 0x07; }
uint16_t size_of(uint16_t code) { return code & 0x18; }
uint16_t mode_of(uint16_t code) { return code & 0xe0; }
uint16_t op_of(uint16_t code) { return code & 0xf0; }
uint16_t src_of(uint16_t code) { return code & 0x08; }

uint8_t ebpf_size(uint16_t size) { return size == c::W ? e::W : size == c::H ? e::H : e::B; }
uint32_t size_bytes(uint16_t size) { return size == c::W ? 4 : size == c::H ? 2 : 1; }

// Whether an XDP load of `bytes` at constant offset `k` ends where the
// verifier can prove it in bounds.
bool provable_load(uint32_t k, uint32_t bytes) { return uint64_t{k} + bytes <= kMaxLoadEnd; }

// The eBPF jump that tests `op` (nullopt: JSET, which has no inverse).
std::optional<uint8_t> inverse(uint16_t op) {
  switch (op) {
    case c::JEQ: return e::JNE;
    case c::JGT: return e::JLE;
    case c::JGE: return e::JLT;
    default: return std::nullopt;
  }
}

uint8_t ebpf_jump(uint16_t op) {
  switch (op) {
    case c::JEQ: return e::JEQ;
    case c::JGT: return e::JGT;
    case c::JGE: return e::JGE;
    default: return e::JSET;
  }
}

bool is_divide(uint16_t op) { return op == c::DIV || op == c::MOD; }

// How many eBPF instructions classic instruction `insn` becomes in a socket
// filter; the translation below emits exactly this many (checked).
size_t socket_size(const c::Insn& insn) {
  switch (cls(insn.code)) {
    case c::LDX:
      return mode_of(insn.code) == c::MSH ? 6 : 1;
    case c::ALU:
      return src_of(insn.code) == c::X && is_divide(op_of(insn.code)) ? 4 : 1;
    case c::JMP: {
      if (op_of(insn.code) == c::JA) return 1;
      if (insn.jt == 0 && insn.jf == 0) return 0;
      if (insn.jf == 0) return 1;
      if (insn.jt == 0 && inverse(op_of(insn.code))) return 1;
      return 2;
    }
    case c::RET:
      return (insn.code & 0x18) == c::RET_A ? 1 : 2;
    default:
      return 1;
  }
}

// The same for XDP; a load the verifier cannot be shown in bounds is one
// jump to the reject block.
size_t xdp_size(const c::Insn& insn) {
  const uint32_t bytes = size_bytes(size_of(insn.code));
  const size_t swap = bytes > 1 ? 1 : 0;
  switch (cls(insn.code)) {
    case c::LD:
      switch (mode_of(insn.code)) {
        case c::ABS: return provable_load(insn.k, bytes) ? 4 + swap : 1;
        case c::IND: return provable_load(insn.k, bytes) ? 6 + swap : 1;
        case c::LEN: return 2;
        default: return 1;
      }
    case c::LDX:
      if (mode_of(insn.code) == c::MSH) return provable_load(insn.k, 1) ? 6 : 1;
      return mode_of(insn.code) == c::LEN ? 2 : 1;
    case c::ALU:
      return src_of(insn.code) == c::X && is_divide(op_of(insn.code)) ? 2 : 1;
    case c::RET:
      return (insn.code & 0x18) == c::K ? 2 : 3;
    default:
      return socket_size(insn);  // jumps, stores, tax/txa: the same code
  }
}

class Translator {
 public:
  Translator(const c::Program& program, e::Hook hook) : program_(program), xdp_(hook == e::Hook::Xdp) {}

  std::variant<e::Program, TranslationError> run() {
    emit_prologue();
    start_.resize(program_.size() + 1);
    size_t at = out_.size();
    for (size_t i = 0; i < program_.size(); ++i) {
      start_[i] = at;
      at += xdp_ ? xdp_size(program_[i]) : socket_size(program_[i]);
    }
    start_[program_.size()] = at;  // XDP: the reject block
    for (index_ = 0; index_ < program_.size(); ++index_) {
      if (!(xdp_ ? translate_xdp(program_[index_]) : translate(program_[index_]))) return *error_;
      if (out_.size() != start_[index_ + 1]) return TranslationError{index_, "internal: size mismatch"};
    }
    if (reject_used_) {  // the verifier refuses unreachable code
      out_.push_back(e::mov32_imm(e::R0, e::kXdpDrop));
      out_.push_back(e::exit_insn());
    }
    return std::move(out_);
  }

 private:
  // r6 = ctx (socket) or data and r8 = data_end (XDP), A = X = 0 (as classic
  // BPF starts), and every scratch slot that some instruction reads zeroed, so
  // the verifier never sees an unwritten read.
  void emit_prologue() {
    if (xdp_) {
      out_.push_back(e::ldx_mem(e::W, kData, e::R1, e::xdp_md::kData));
      out_.push_back(e::ldx_mem(e::W, kDataEnd, e::R1, e::xdp_md::kDataEnd));
    } else {
      out_.push_back(e::mov64_reg(kCtx, e::R1));
    }
    out_.push_back(e::mov32_imm(kA, 0));
    out_.push_back(e::mov32_imm(kX, 0));
    std::vector<bool> read(c::kMemWords, false);
    for (const c::Insn& insn : program_) {
      const bool loads_mem = (cls(insn.code) == c::LD || cls(insn.code) == c::LDX) && mode_of(insn.code) == c::MEM;
      if (loads_mem && insn.k < c::kMemWords) read[insn.k] = true;
    }
    for (uint32_t i = 0; i < c::kMemWords; ++i) {
      if (read[i]) out_.push_back(e::st_mem(e::W, e::R10, slot_offset(i), 0));
    }
  }

  bool fail(std::string reason) {
    error_ = TranslationError{index_, std::move(reason)};
    return false;
  }

  // The eBPF offset from the instruction being emitted to classic
  // instruction `target`.
  std::optional<int16_t> offset_to(size_t target) {
    if (target >= program_.size()) return std::nullopt;
    const auto delta = static_cast<int64_t>(start_[target]) - static_cast<int64_t>(out_.size() + 1);
    if (delta < std::numeric_limits<int16_t>::min() || delta > std::numeric_limits<int16_t>::max()) {
      return std::nullopt;
    }
    return static_cast<int16_t>(delta);
  }

  // The offset from the instruction being emitted to the XDP reject block.
  std::optional<int16_t> offset_to_reject() {
    reject_used_ = true;
    const auto delta = static_cast<int64_t>(start_[program_.size()]) - static_cast<int64_t>(out_.size() + 1);
    if (delta > std::numeric_limits<int16_t>::max()) return std::nullopt;
    return static_cast<int16_t>(delta);
  }

  // A conditional jump to the reject block: `op` compares `reg` with `imm`
  // (32-bit unless `wide`).
  bool reject_if(uint8_t op, uint8_t reg, int32_t imm, bool wide = false) {
    const auto off = offset_to_reject();
    if (!off) return fail("jump to the reject block out of range");
    out_.push_back(wide ? e::jmp_imm(op, reg, imm, *off) : e::jmp32_imm(op, reg, imm, *off));
    return true;
  }

  // A load that cannot be in bounds: `A >= 0`, always true, so that the
  // verifier sees no unreachable instruction behind it.
  bool reject_always() { return reject_if(e::JGE, kA, 0); }

  // kLoadEnd = data + `end` (+ X when `indexed`); the load ending there must
  // fit below data_end, or the program rejects the packet. Then `dst` =
  // the `bytes` bytes before kLoadEnd, in host order.
  bool checked_load(uint8_t dst, uint32_t k, uint32_t bytes, uint8_t size, bool indexed) {
    if (!provable_load(k, bytes)) return reject_always();
    const uint64_t end = uint64_t{k} + bytes;
    if (indexed) {
      // The verifier must know X's bound before X moves a packet pointer.
      if (!reject_if(e::JGT, kX, static_cast<int32_t>(kMaxLoadEnd - end), true)) return false;
    }
    out_.push_back(e::mov64_reg(kLoadEnd, kData));
    if (indexed) out_.push_back(e::alu64_reg(e::ADD, kLoadEnd, kX));
    out_.push_back(e::alu64_imm(e::ADD, kLoadEnd, static_cast<int32_t>(end)));
    const auto off = offset_to_reject();
    if (!off) return fail("jump to the reject block out of range");
    out_.push_back(e::jmp_reg(e::JGT, kLoadEnd, kDataEnd, *off));
    out_.push_back(e::ldx_mem(size, dst, kLoadEnd, static_cast<int16_t>(-static_cast<int>(bytes))));
    if (bytes > 1) out_.push_back(e::to_be(dst, static_cast<int32_t>(8 * bytes)));
    return true;
  }

  // dst = data_end - data: the frame's length.
  void frame_length(uint8_t dst) {
    out_.push_back(e::mov64_reg(dst, kDataEnd));
    out_.push_back(e::alu64_reg(e::SUB, dst, kData));
  }

  // Classic return of `value` (a register): non-zero passes, zero rejects.
  bool return_verdict_of(uint8_t value) {
    if (!reject_if(e::JEQ, value, 0)) return false;
    out_.push_back(e::mov32_imm(e::R0, e::kXdpPass));
    out_.push_back(e::exit_insn());
    return true;
  }

  // The XDP translation: packet access, length, returns and division by X
  // differ from the socket filter's; the rest is the same code.
  bool translate_xdp(const c::Insn& insn) {
    const uint32_t bytes = size_bytes(size_of(insn.code));
    const uint8_t size = ebpf_size(size_of(insn.code));
    switch (cls(insn.code)) {
      case c::LD:
        switch (mode_of(insn.code)) {
          case c::ABS:
          case c::IND:
            if (!packet_offset_ok(insn.k)) return fail("a Linux ancillary load (negative offset)");
            return checked_load(kA, insn.k, bytes, size, mode_of(insn.code) == c::IND);
          case c::LEN: frame_length(kA); return true;
          default: return translate(insn);
        }
      case c::LDX:
        switch (mode_of(insn.code)) {
          case c::LEN: frame_length(kX); return true;
          case c::MSH:
            if (!packet_offset_ok(insn.k)) return fail("a Linux ancillary load (negative offset)");
            if (!provable_load(insn.k, 1)) return reject_always();
            if (!checked_load(kX, insn.k, 1, e::B, false)) return false;
            out_.push_back(e::alu32_imm(e::AND, kX, 0x0f));
            out_.push_back(e::alu32_imm(e::LSH, kX, 2));
            return true;
          default: return translate(insn);
        }
      case c::ALU:
        if (src_of(insn.code) == c::X && is_divide(op_of(insn.code))) {
          if (!reject_if(e::JEQ, kX, 0)) return false;
          out_.push_back(e::alu32_reg(static_cast<uint8_t>(op_of(insn.code)), kA, kX));
          return true;
        }
        return translate_alu(insn);
      case c::RET:
        switch (insn.code & 0x18) {
          case c::RET_A: return return_verdict_of(kA);
          case c::X: return return_verdict_of(kX);
          default:
            out_.push_back(e::mov32_imm(e::R0, insn.k != 0 ? e::kXdpPass : e::kXdpDrop));
            out_.push_back(e::exit_insn());
            return true;
        }
      default: return translate(insn);
    }
  }

  bool packet_offset_ok(uint32_t k) { return k <= static_cast<uint32_t>(std::numeric_limits<int32_t>::max()); }

  bool translate(const c::Insn& insn) {
    const auto k = static_cast<int32_t>(insn.k);
    switch (cls(insn.code)) {
      case c::LD:
        switch (mode_of(insn.code)) {
          case c::ABS:
            if (!packet_offset_ok(insn.k)) return fail("a Linux ancillary load (negative offset)");
            out_.push_back(e::ld_abs(ebpf_size(size_of(insn.code)), k));
            return true;
          case c::IND:
            if (!packet_offset_ok(insn.k)) return fail("a Linux ancillary load (negative offset)");
            out_.push_back(e::ld_ind(ebpf_size(size_of(insn.code)), kX, k));
            return true;
          case c::IMM: out_.push_back(e::mov32_imm(kA, k)); return true;
          case c::LEN: out_.push_back(e::ldx_mem(e::W, kA, kCtx, e::skb::kLen)); return true;
          case c::MEM:
            if (insn.k >= c::kMemWords) return fail("scratch slot out of range");
            out_.push_back(e::ldx_mem(e::W, kA, e::R10, slot_offset(insn.k)));
            return true;
          default: return fail("unknown ld mode");
        }
      case c::LDX:
        switch (mode_of(insn.code)) {
          case c::IMM: out_.push_back(e::mov32_imm(kX, k)); return true;
          case c::LEN: out_.push_back(e::ldx_mem(e::W, kX, kCtx, e::skb::kLen)); return true;
          case c::MEM:
            if (insn.k >= c::kMemWords) return fail("scratch slot out of range");
            out_.push_back(e::ldx_mem(e::W, kX, e::R10, slot_offset(insn.k)));
            return true;
          case c::MSH:
            if (!packet_offset_ok(insn.k)) return fail("a Linux ancillary load (negative offset)");
            // LD_ABS writes r0, which holds A: keep A in a register the load leaves alone.
            out_.push_back(e::mov64_reg(kSavedA, kA));
            out_.push_back(e::ld_abs(e::B, k));
            out_.push_back(e::alu32_imm(e::AND, e::R0, 0x0f));
            out_.push_back(e::alu32_imm(e::LSH, e::R0, 2));
            out_.push_back(e::mov32_reg(kX, e::R0));
            out_.push_back(e::mov32_reg(kA, kSavedA));
            return true;
          default: return fail("unknown ldx mode");
        }
      case c::ST:
      case c::STX:
        if (insn.k >= c::kMemWords) return fail("scratch slot out of range");
        out_.push_back(e::stx_mem(e::W, e::R10, cls(insn.code) == c::ST ? kA : kX, slot_offset(insn.k)));
        return true;
      case c::ALU: return translate_alu(insn);
      case c::JMP: return translate_jump(insn);
      case c::RET:
        if ((insn.code & 0x18) == c::RET_A) {
          out_.push_back(e::exit_insn());
          return true;
        }
        if ((insn.code & 0x18) == c::X) {
          out_.push_back(e::mov32_reg(e::R0, kX));
        } else {
          out_.push_back(e::mov32_imm(e::R0, k));
        }
        out_.push_back(e::exit_insn());
        return true;
      case c::MISC:
        if ((insn.code & 0xf8) == c::TAX) {
          out_.push_back(e::mov32_reg(kX, kA));
        } else if ((insn.code & 0xf8) == c::TXA) {
          out_.push_back(e::mov32_reg(kA, kX));
        } else {
          return fail("unknown misc instruction");
        }
        return true;
      default: return fail("unknown instruction class");
    }
  }

  bool translate_alu(const c::Insn& insn) {
    const uint16_t op = op_of(insn.code);
    static constexpr uint16_t kOps[] = {c::ADD, c::SUB, c::MUL, c::DIV, c::OR, c::AND,
                                        c::LSH, c::RSH, c::NEG, c::MOD, c::XOR};
    bool known = false;
    for (uint16_t o : kOps) known = known || o == op;
    if (!known) return fail("unknown alu operation");
    // The classic and eBPF ALU operation codes are the same numbers.
    const auto ebpf_op = static_cast<uint8_t>(op);
    if (op == c::NEG) {
      out_.push_back({static_cast<uint8_t>(e::ALU | e::NEG), kA, 0, 0, 0});
      return true;
    }
    if (src_of(insn.code) == c::K) {
      if (is_divide(op) && insn.k == 0) return fail("division by constant zero");
      out_.push_back(e::alu32_imm(ebpf_op, kA, static_cast<int32_t>(insn.k)));
      return true;
    }
    if (is_divide(op)) {
      // Classic BPF rejects the packet on division by zero; eBPF would give 0
      // (or keep A, for modulo) and go on.
      out_.push_back(e::jmp32_imm(e::JNE, kX, 0, 2));
      out_.push_back(e::mov32_imm(e::R0, 0));
      out_.push_back(e::exit_insn());
    }
    out_.push_back(e::alu32_reg(ebpf_op, kA, kX));
    return true;
  }

  bool translate_jump(const c::Insn& insn) {
    const uint16_t op = op_of(insn.code);
    const size_t next = index_ + 1;
    if (op == c::JA) {
      const auto off = offset_to(next + insn.k);
      if (!off) return fail("jump out of range");
      out_.push_back(e::ja(*off));
      return true;
    }
    if (op != c::JEQ && op != c::JGT && op != c::JGE && op != c::JSET) return fail("unknown jump");
    if (insn.jt == 0 && insn.jf == 0) return true;  // both ways fall through
    const bool by_x = src_of(insn.code) == c::X;
    auto conditional = [&](uint8_t ebpf_op, int16_t off) {
      return by_x ? e::jmp32_reg(ebpf_op, kA, kX, off) : e::jmp32_imm(ebpf_op, kA, static_cast<int32_t>(insn.k), off);
    };
    const size_t on_true = next + insn.jt, on_false = next + insn.jf;
    if (insn.jf == 0) {
      const auto off = offset_to(on_true);
      if (!off) return fail("jump out of range");
      out_.push_back(conditional(ebpf_jump(op), *off));
      return true;
    }
    if (insn.jt == 0 && inverse(op)) {
      const auto off = offset_to(on_false);
      if (!off) return fail("jump out of range");
      out_.push_back(conditional(*inverse(op), *off));
      return true;
    }
    const auto to_true = offset_to(on_true);
    if (!to_true) return fail("jump out of range");
    out_.push_back(conditional(ebpf_jump(op), *to_true));
    const auto to_false = offset_to(on_false);
    if (!to_false) return fail("jump out of range");
    out_.push_back(e::ja(*to_false));
    return true;
  }

  const c::Program& program_;
  const bool xdp_;
  bool reject_used_ = false;  // some instruction jumps to the XDP reject block
  e::Program out_;
  std::vector<size_t> start_;  // eBPF index where each classic instruction starts
  size_t index_ = 0;
  std::optional<TranslationError> error_;
};

}  // namespace

std::variant<ebpf::Program, TranslationError> translate_cbpf_to_ebpf(const cbpf::Program& program,
                                                                     ebpf::Hook hook) {
  if (program.empty()) return TranslationError{0, "empty program"};
  if (hook != ebpf::Hook::Socket && hook != ebpf::Hook::Xdp) return TranslationError{0, "only socket and xdp"};
  return Translator(program, hook).run();
}

}  // namespace bpfc::bench
