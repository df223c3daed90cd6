// Random classic-BPF programs and packets for differential tests (interpreter
// vs libpcap's bpf_filter, validators vs bpf_validate and the kernel, printers
// vs bpf_image). Deterministic for a given seed. Shared by test_runtime and
// test_cbpf (header-only so that each test executable compiles it itself).
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::testing {

// Every opcode libpcap's bpf_filter() and the Linux kernel implement (the two
// lists are the same 49 opcodes).
inline constexpr std::array<uint16_t, 49> kKnownOpcodes = [] {
  using namespace cbpf;
  return std::array<uint16_t, 49>{
      RET | K, RET | RET_A,
      LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | LEN, LDX | W | LEN,
      LD | W | IND, LD | H | IND, LD | B | IND, LDX | B | MSH,
      LD | IMM, LDX | IMM, LD | MEM, LDX | MEM, ST, STX,
      JMP | JA, JMP | JGT | K, JMP | JGE | K, JMP | JEQ | K, JMP | JSET | K,
      JMP | JGT | X, JMP | JGE | X, JMP | JEQ | X, JMP | JSET | X,
      ALU | ADD | K, ALU | SUB | K, ALU | MUL | K, ALU | DIV | K, ALU | MOD | K,
      ALU | AND | K, ALU | OR | K, ALU | XOR | K, ALU | LSH | K, ALU | RSH | K,
      ALU | ADD | X, ALU | SUB | X, ALU | MUL | X, ALU | DIV | X, ALU | MOD | X,
      ALU | AND | X, ALU | OR | X, ALU | XOR | X, ALU | LSH | X, ALU | RSH | X,
      ALU | NEG, MISC | TAX, MISC | TXA};
}();

class ProgramGenerator {
 public:
  explicit ProgramGenerator(uint32_t seed) : rng_(seed) {}

  uint32_t below(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  bool chance(uint32_t percent) { return below(100) < percent; }
  uint32_t any32() { return static_cast<uint32_t>(rng_()); }

  // A 32-bit value biased towards small numbers and the edges of 32 bits.
  uint32_t value() {
    static constexpr uint32_t kEdges[] = {0,          1,          2,          31,
                                          32,         33,         0x7fffffff, 0x80000000,
                                          0xfffffffe, 0xffffffff, 0xffff,     0x10000};
    const uint32_t pick = below(10);
    if (pick < 4) return below(64);
    if (pick < 6) return kEdges[below(std::size(kEdges))];
    return any32();
  }

  // A packet offset: mostly inside or just past small packets, sometimes one
  // that overflows 32-bit arithmetic or is a Linux ancillary offset.
  uint32_t packet_offset() {
    static constexpr uint32_t kFar[] = {0xffffffff, 0xfffffffe, 0xfffffffc, 0x7fffffff,
                                        0x80000000, 0xfffff000 + 44, 0xfffff000 + 48,
                                        0xfffff000, 0xffe00000, 0xfff00000};
    if (chance(90)) return below(72);
    return kFar[below(std::size(kFar))];
  }

  // A program that libpcap's bpf_validate() accepts and that bpf_filter() can
  // run without undefined behaviour: known opcodes only, forward jumps inside
  // the program, a ret at the end, constant divisors other than 0, constant
  // shifts below 32, and no scratch slot read on a path that has not stored
  // to it (libpcap 1.10.3 leaves scratch memory uninitialized).
  cbpf::Program valid_program(uint32_t max_length = 40) {
    using namespace cbpf;
    const uint32_t length = 1 + below(max_length);
    Program p;
    p.reserve(length);
    // Slots stored on every path to each pc; ~0 where no path seen yet.
    std::vector<uint16_t> stored_on_entry(length, 0xffff);
    uint16_t stored = 0;
    for (uint32_t pc = 0; pc < length; ++pc) {
      stored &= stored_on_entry[pc];
      if (pc == length - 1) {
        p.push_back(random_ret());
        break;
      }
      const uint32_t room = length - pc - 2;  // furthest forward offset in range
      Insn insn = random_straight_line_insn(stored);
      const uint32_t kind = below(100);
      if (kind < 18) {
        static constexpr uint16_t kConditional[] = {JMP | JGT | K, JMP | JGE | K, JMP | JEQ | K,
                                                    JMP | JSET | K, JMP | JGT | X, JMP | JGE | X,
                                                    JMP | JEQ | X, JMP | JSET | X};
        const uint32_t reach = room < 255 ? room : 255;
        insn = Insn{kConditional[below(8)], static_cast<uint8_t>(below(reach + 1)),
                    static_cast<uint8_t>(below(reach + 1)), value()};
        if (insn_src(insn.code) == X) insn.k = 0;
      } else if (kind < 21) {
        insn = stmt(JMP | JA, below(room + 1));
      } else if (kind < 24) {
        insn = random_ret();
      }
      p.push_back(insn);
      if (insn_class(insn.code) == JMP) {
        if (insn.code == (JMP | JA)) {
          stored_on_entry[pc + 1 + insn.k] &= stored;
        } else {
          stored_on_entry[pc + 1 + insn.jt] &= stored;
          stored_on_entry[pc + 1 + insn.jf] &= stored;
        }
        stored = 0xffff;
      } else if (insn_class(insn.code) == RET) {
        stored = 0xffff;
      } else if (insn.code == ST || insn.code == STX) {
        stored |= static_cast<uint16_t>(1u << insn.k);
      }
    }
    return p;
  }

  // A valid program with a few random changes: often invalid, in every way
  // a validator can notice.
  cbpf::Program mutated_program(uint32_t max_length = 40) {
    using namespace cbpf;
    Program p = valid_program(max_length);
    const uint32_t mutations = 1 + below(3);
    for (uint32_t m = 0; m < mutations; ++m) {
      if (p.empty()) break;
      Insn& insn = p[below(static_cast<uint32_t>(p.size()))];
      switch (below(12)) {
        case 0: insn.code = static_cast<uint16_t>(any32()); break;
        case 1: insn.code = static_cast<uint16_t>(below(256)); break;
        case 2: insn.code = kKnownOpcodes[below(kKnownOpcodes.size())]; break;
        case 3: insn.k = value(); break;
        case 4: insn.k = below(20); break;  // scratch slots around 16, small shifts, divisor 0
        case 5: insn.jt = static_cast<uint8_t>(below(256)); break;
        case 6: insn.jf = static_cast<uint8_t>(below(256)); break;
        case 7: p.pop_back(); break;
        case 8: p.push_back(Insn{kKnownOpcodes[below(kKnownOpcodes.size())], 0, 0, value()}); break;
        case 9:  // a backward or wrapping ja
          insn = stmt(JMP | JA, static_cast<uint32_t>(-static_cast<int32_t>(below(8))));
          break;
        case 10: insn.code = static_cast<uint16_t>(insn.code ^ (1u << below(8))); break;
        default: insn.k = 0xfffff000 + below(70); break;  // ancillary offsets, known or not
      }
    }
    return p;
  }

  // Any instruction at all, biased towards real opcodes: for printer tests.
  cbpf::Insn any_insn() {
    cbpf::Insn insn;
    const uint32_t pick = below(10);
    if (pick < 6) {
      insn.code = kKnownOpcodes[below(kKnownOpcodes.size())];
    } else if (pick < 9) {
      insn.code = static_cast<uint16_t>(below(256));
    } else {
      insn.code = static_cast<uint16_t>(any32());
    }
    insn.jt = static_cast<uint8_t>(below(256));
    insn.jf = static_cast<uint8_t>(below(256));
    insn.k = chance(20) ? 0xfffff000 + below(80) : value();
    return insn;
  }

  std::vector<uint8_t> packet() {
    const uint32_t length = chance(25) ? below(5) : below(96);
    std::vector<uint8_t> bytes(length);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(chance(30) ? below(16) : below(256));
    return bytes;
  }

  uint32_t wire_length(uint32_t caplen) {
    const uint32_t pick = below(4);
    if (pick < 2) return caplen;
    if (pick == 2) return caplen + below(1500);
    return any32();
  }

 private:
  cbpf::Insn random_ret() {
    using namespace cbpf;
    if (chance(40)) return stmt(RET | RET_A, 0);
    static constexpr uint32_t kSnaplens[] = {0, 262144, 65535, 96, 1};
    return stmt(RET | K, chance(70) ? kSnaplens[below(std::size(kSnaplens))] : value());
  }

  // A load, store, ALU or register move; reads only scratch slots in `stored`.
  cbpf::Insn random_straight_line_insn(uint16_t stored) {
    using namespace cbpf;
    const uint32_t kind = below(100);
    if (kind < 8) return stmt(LD | W | ABS, packet_offset());
    if (kind < 16) return stmt(LD | H | ABS, packet_offset());
    if (kind < 24) return stmt(LD | B | ABS, packet_offset());
    if (kind < 28) return stmt(LD | W | IND, packet_offset());
    if (kind < 32) return stmt(LD | H | IND, packet_offset());
    if (kind < 36) return stmt(LD | B | IND, packet_offset());
    if (kind < 40) return stmt(LDX | B | MSH, packet_offset());
    if (kind < 42) return stmt(LD | W | LEN, 0);
    if (kind < 44) return stmt(LDX | W | LEN, 0);
    if (kind < 49) return stmt(LD | IMM, value());
    if (kind < 54) return stmt(LDX | IMM, value());
    if (kind < 62) {
      if (stored != 0) {
        uint32_t slot;
        do slot = below(kMemWords); while (!(stored & (1u << slot)));
        return stmt(chance(50) ? LD | MEM : LDX | MEM, slot);
      }
      return stmt(chance(50) ? ST : STX, below(kMemWords));
    }
    if (kind < 68) return stmt(chance(50) ? ST : STX, below(kMemWords));
    if (kind < 72) return stmt(MISC | (chance(50) ? TAX : TXA), 0);
    if (kind < 74) return stmt(ALU | NEG, 0);
    static constexpr uint16_t kOps[] = {ADD, SUB, MUL, DIV, MOD, AND, OR, XOR, LSH, RSH};
    const uint16_t op = kOps[below(std::size(kOps))];
    if (chance(40)) return stmt(ALU | op | X, 0);
    uint32_t k = value();
    if ((op == DIV || op == MOD) && k == 0) k = 1 + below(300);
    if (op == LSH || op == RSH) k %= 32;
    return stmt(ALU | op | K, k);
  }

  std::mt19937 rng_;
};

}  // namespace bpfc::testing
