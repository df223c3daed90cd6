// An instruction-by-instruction translation of a classic BPF program into
// eBPF, the way the users of libpcap who want eBPF do it today (the kernel's
// bpf_convert_filter for socket filters, cloudflare/cbpfc for XDP): the
// reference the eBPF benchmark holds bpfc's own eBPF code against. A
// benchmark helper, not product code.
//
// The mapping both hooks share:
//   A in r0, X in r7;
//   M[i] in the 4-byte stack slot r10 - 4 * (16 - i) (slots some instruction
//   reads are zeroed in the prologue, so that the verifier sees them written);
//   ALU operations 32-bit;
//   conditional jumps as 32-bit eBPF jumps (unsigned, like classic BPF's),
//   inverted when only the false branch leaves the fall-through, followed by
//   `ja` when both branches do.
//
// Socket filters (the kernel converter's way), the context (struct
// __sk_buff *) in r6, a scratch register r9 for ldxb's saved A:
//   ld/ldh/ldb [k] as LD_ABS, [x + k] as LD_IND (a load past the end returns
//   0 from the program, as in classic BPF), ld #len as skb->len,
//   ldxb 4*([k]&0xf) as LD_ABS + and + lsh (saving A around it);
//   division or modulo by X = 0 returns 0; ret #k as mov r0 + exit, ret a as
//   exit.
//
// XDP (cbpfc's way: direct packet access), data in r6, data_end in r8, the
// load's end pointer in r2, and one reject block (r0 = XDP_DROP; exit) after
// the program:
//   ld/ldh/ldb [k] as r2 = data + k + size; if r2 > data_end reject;
//   A = *(r2 - size); byte swap to host order;
//   [x + k] the same with X added to r2, after `if X > bound reject`;
//   ldxb 4*([k]&0xf) the same into X, then and + lsh;
//   ld #len as data_end - data;
//   division or modulo by X = 0 rejects; ret #k as r0 = XDP_PASS (k != 0) or
//   XDP_DROP (k = 0) + exit; ret a / ret x test the value, then XDP_PASS or
//   the reject block.
//   The verifier takes a packet pointer's range only for offsets below
//   0xffff: the bound keeps X + k + size under it, and a load whose end
//   k + size cannot be is an unconditional jump to the reject block (no XDP
//   frame is that long, so classic BPF would reject the packet too).
//
// Linux's ancillary loads (ld [SKF_AD_OFF + n]) are refused: libpcap's
// programs for pcap_open_dead() never contain them.
#pragma once

#include <string>
#include <variant>

#include "bpfc/cbpf/insn.h"
#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"

namespace bpfc::bench {

struct TranslationError {
  size_t index = 0;  // of the classic instruction that cannot be translated
  std::string reason;
};

// The eBPF program for `hook` (Socket or Xdp), or why the classic program
// cannot be translated (an instruction the mapping above does not cover, a
// jump beyond eBPF's 16-bit offsets, a division by constant zero, a jump out
// of the program, another hook).
std::variant<ebpf::Program, TranslationError> translate_cbpf_to_ebpf(const cbpf::Program& program,
                                                                     ebpf::Hook hook = ebpf::Hook::Socket);

}  // namespace bpfc::bench
