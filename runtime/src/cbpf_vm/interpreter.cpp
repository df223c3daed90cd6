// The classic-BPF interpreter: libpcap's bpf_filter() semantics, defined for
// every input.
//
// libpcap's own interpreter trusts its input (it runs programs that passed
// bpf_validate()); where it would abort, trap or read out of bounds we return 0
// instead:
//   - an unknown opcode (libpcap calls abort());
//   - div/mod by the constant 0 (libpcap traps with SIGFPE; div/mod by X == 0
//     returns 0 in both);
//   - M[k] with k >= 16, or a jump outside the program, or running off the
//     end (libpcap reads past its arrays);
//   - a backward `ja` loop that does not end: libpcap 1.10.3 follows backward
//     `ja` (sign-extended k; "protochain" code needs it) and would spin
//     forever (later libpcap versions stop with 0 too). We follow it, but
//     stop with 0 after backward_jump_budget() of them.
// Deliberate semantic choices (see the IR contract in ir/README.md):
//   - scratch memory starts zeroed (libpcap 1.10.3 leaves it uninitialized,
//     libpcap master zeroes it; the Linux kernel rejects programs that read a
//     slot before writing it);
//   - shifts by 32 or more yield 0, for both `lsh x`/`rsh x` (as libpcap does)
//     and `lsh #k`/`rsh #k` (libpcap computes `A << k` in C, undefined for
//     k >= 32; x86 masks the count to 5 bits; the kernel rejects k >= 32).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::runtime {
namespace {

using namespace cbpf;  // opcode constants

// How many backward jumps a run may take before it counts as endless:
// enough for every protochain walk of the program to end. A walk takes one
// backward jump per step and, if it ends, at most 2 * caplen steps (see
// ir.h); each walk's loop has a backward `ja` of its own. Endless walks (AH
// headers that lead back to each other) hit the budget and return 0, as the
// IR contract defines them, after work proportional to the packet.
// Counted when the first backward jump is taken, so loop-free programs
// never pay for it.
uint64_t backward_jump_budget(const Insn* insns, size_t length, uint64_t caplen) {
  uint64_t loops = 0;
  for (size_t i = 0; i < length; ++i) {
    if (insns[i].code == (JMP | JA) && static_cast<int32_t>(insns[i].k) < 0) ++loops;
  }
  return loops * (2 * caplen + 2);
}

// True (and *out set) when `size` bytes at `offset` lie inside the packet.
// Offsets are computed in 64 bits, so "[x + k]" never wraps: this is the
// condition libpcap's overflow-checked comparisons express in 32 bits.
inline bool fetch(const uint8_t* data, uint64_t caplen, uint64_t offset, unsigned size,
                  uint32_t* out) {
  if (offset + size > caplen) return false;
  const uint8_t* b = data + offset;
  switch (size) {
    case 4:
      *out = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
      return true;
    case 2:
      *out = (uint32_t{b[0]} << 8) | b[1];
      return true;
    default:
      *out = b[0];
      return true;
  }
}

// An absolute load from the Linux kernel's ancillary area (SKF_AD_OFF + the
// field's offset, <linux/filter.h>): the field whatever the load's size, as
// the kernel answers it; false for the fields it does not model.
inline bool ancillary_load(const LinuxAncillary& ancillary, uint32_t k, uint32_t* out) {
  constexpr uint32_t kSkfAdOff = 0xfffff000;
  if (k < kSkfAdOff) return false;
  switch (k - kSkfAdOff) {
    case 0: *out = ancillary.protocol; return true;           // SKF_AD_PROTOCOL
    case 4: *out = ancillary.packet_type; return true;        // SKF_AD_PKTTYPE
    case 8: *out = ancillary.ifindex; return true;            // SKF_AD_IFINDEX
    case 44: *out = ancillary.vlan_tci; return true;          // SKF_AD_VLAN_TAG
    case 48: *out = ancillary.vlan_tag_present; return true;  // SKF_AD_VLAN_TAG_PRESENT
    default: return false;
  }
}

inline uint32_t shift_left(uint32_t a, uint32_t count) { return count < 32 ? a << count : 0; }
inline uint32_t shift_right(uint32_t a, uint32_t count) { return count < 32 ? a >> count : 0; }

// kAncillary: absolute loads past the packet may read `ancillary` (only
// after the packet fetch failed, so the common path pays nothing).
template <bool kAncillary>
uint32_t run(const cbpf::Program& p, std::span<const uint8_t> packet, uint32_t wirelen,
             const LinuxAncillary* ancillary) {
  const Insn* const insns = p.data();
  const size_t length = p.size();
  const uint8_t* const data = packet.data();
  const uint64_t caplen = packet.size();

  uint32_t a = 0;
  uint32_t x = 0;
  uint32_t mem[kMemWords] = {};
  std::optional<uint64_t> backward_jumps_left;  // set at the first backward jump
  size_t pc = 0;

  for (;;) {
    if (pc >= length) return 0;
    const Insn& insn = insns[pc++];
    const uint32_t k = insn.k;
    switch (insn.code) {
      case RET | K:
        return k;
      case RET | RET_A:
        return a;

      case LD | W | ABS:
        if (!fetch(data, caplen, k, 4, &a)) [[unlikely]] {
          if constexpr (kAncillary) {
            if (ancillary_load(*ancillary, k, &a)) continue;
          }
          return 0;
        }
        continue;
      case LD | H | ABS:
        if (!fetch(data, caplen, k, 2, &a)) [[unlikely]] {
          if constexpr (kAncillary) {
            if (ancillary_load(*ancillary, k, &a)) continue;
          }
          return 0;
        }
        continue;
      case LD | B | ABS:
        if (!fetch(data, caplen, k, 1, &a)) [[unlikely]] {
          if constexpr (kAncillary) {
            if (ancillary_load(*ancillary, k, &a)) continue;
          }
          return 0;
        }
        continue;
      case LD | W | IND:
        if (!fetch(data, caplen, uint64_t{x} + k, 4, &a)) return 0;
        continue;
      case LD | H | IND:
        if (!fetch(data, caplen, uint64_t{x} + k, 2, &a)) return 0;
        continue;
      case LD | B | IND:
        if (!fetch(data, caplen, uint64_t{x} + k, 1, &a)) return 0;
        continue;
      case LDX | B | MSH: {
        uint32_t byte;
        if (!fetch(data, caplen, k, 1, &byte)) return 0;
        x = (byte & 0xf) << 2;
        continue;
      }
      case LD | W | LEN:
        a = wirelen;
        continue;
      case LDX | W | LEN:
        x = wirelen;
        continue;
      case LD | IMM:
        a = k;
        continue;
      case LDX | IMM:
        x = k;
        continue;
      case LD | MEM:
        if (k >= kMemWords) return 0;
        a = mem[k];
        continue;
      case LDX | MEM:
        if (k >= kMemWords) return 0;
        x = mem[k];
        continue;
      case ST:
        if (k >= kMemWords) return 0;
        mem[k] = a;
        continue;
      case STX:
        if (k >= kMemWords) return 0;
        mem[k] = x;
        continue;

      case JMP | JA: {
        // libpcap sign-extends k so that backward jumps work.
        const int32_t offset = static_cast<int32_t>(k);
        if (offset < 0) {
          if (static_cast<uint64_t>(-static_cast<int64_t>(offset)) > pc) return 0;
          if (!backward_jumps_left) backward_jumps_left = backward_jump_budget(insns, length, caplen);
          if (*backward_jumps_left == 0) return 0;
          --*backward_jumps_left;
        }
        pc = static_cast<size_t>(static_cast<int64_t>(pc) + offset);
        continue;
      }
      case JMP | JGT | K:
        pc += (a > k) ? insn.jt : insn.jf;
        continue;
      case JMP | JGE | K:
        pc += (a >= k) ? insn.jt : insn.jf;
        continue;
      case JMP | JEQ | K:
        pc += (a == k) ? insn.jt : insn.jf;
        continue;
      case JMP | JSET | K:
        pc += (a & k) ? insn.jt : insn.jf;
        continue;
      case JMP | JGT | X:
        pc += (a > x) ? insn.jt : insn.jf;
        continue;
      case JMP | JGE | X:
        pc += (a >= x) ? insn.jt : insn.jf;
        continue;
      case JMP | JEQ | X:
        pc += (a == x) ? insn.jt : insn.jf;
        continue;
      case JMP | JSET | X:
        pc += (a & x) ? insn.jt : insn.jf;
        continue;

      case ALU | ADD | X:
        a += x;
        continue;
      case ALU | SUB | X:
        a -= x;
        continue;
      case ALU | MUL | X:
        a *= x;
        continue;
      case ALU | DIV | X:
        if (x == 0) return 0;
        a /= x;
        continue;
      case ALU | MOD | X:
        if (x == 0) return 0;
        a %= x;
        continue;
      case ALU | AND | X:
        a &= x;
        continue;
      case ALU | OR | X:
        a |= x;
        continue;
      case ALU | XOR | X:
        a ^= x;
        continue;
      case ALU | LSH | X:
        a = shift_left(a, x);
        continue;
      case ALU | RSH | X:
        a = shift_right(a, x);
        continue;
      case ALU | ADD | K:
        a += k;
        continue;
      case ALU | SUB | K:
        a -= k;
        continue;
      case ALU | MUL | K:
        a *= k;
        continue;
      case ALU | DIV | K:
        if (k == 0) return 0;
        a /= k;
        continue;
      case ALU | MOD | K:
        if (k == 0) return 0;
        a %= k;
        continue;
      case ALU | AND | K:
        a &= k;
        continue;
      case ALU | OR | K:
        a |= k;
        continue;
      case ALU | XOR | K:
        a ^= k;
        continue;
      case ALU | LSH | K:
        a = shift_left(a, k);
        continue;
      case ALU | RSH | K:
        a = shift_right(a, k);
        continue;
      case ALU | NEG:
        a = 0u - a;
        continue;

      case MISC | TAX:
        x = a;
        continue;
      case MISC | TXA:
        a = x;
        continue;

      default:
        return 0;
    }
  }
}

}  // namespace

// Both entry points (run<> inlined into each) start on a cache line: the
// dispatch loop's speed depends on where its jump table's targets fall, by
// as much as 13 against 21 ns/packet for `tcp port 80` (make bench-native)
// between two links of the same code. Aligned, it no longer moves when
// unrelated code around it changes size.
[[gnu::aligned(64)]] uint32_t run_cbpf(const cbpf::Program& p, std::span<const uint8_t> packet, uint32_t wirelen) {
  return run<false>(p, packet, wirelen, nullptr);
}

[[gnu::aligned(64)]] uint32_t run_cbpf(const cbpf::Program& p, std::span<const uint8_t> packet, uint32_t wirelen,
                                       const LinuxAncillary& ancillary) {
  return run<true>(p, packet, wirelen, &ancillary);
}

}  // namespace bpfc::runtime
