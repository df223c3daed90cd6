// An instruction-by-instruction translation of a classic BPF program into an
// eBPF socket filter, the way the users of libpcap who want eBPF do it today
// (the kernel's bpf_convert_filter, cloudflare/cbpfc): the reference the
// eBPF benchmark holds bpfc's own eBPF code against. A benchmark helper, not
// product code.
//
// The mapping:
//   A in r0, X in r7, the context (struct __sk_buff *) in r6 for the legacy
//   packet loads, a scratch register r9 for ldxb's saved A;
//   M[i] in the 4-byte stack slot r10 - 4 * (16 - i) (slots some instruction
//   reads are zeroed in the prologue, so that the verifier sees them written);
//   ld/ldh/ldb [k] as LD_ABS, [x + k] as LD_IND (a load past the end returns
//   0 from the program, as in classic BPF), ld #len as skb->len,
//   ldxb 4*([k]&0xf) as LD_ABS + and + lsh (saving A around it);
//   ALU operations 32-bit; division or modulo by X = 0 returns 0;
//   conditional jumps as 32-bit eBPF jumps (unsigned, like classic BPF's),
//   inverted when only the false branch leaves the fall-through, followed by
//   `ja` when both branches do; ret #k as mov r0 + exit, ret a as exit.
// Linux's ancillary loads (ld [SKF_AD_OFF + n]) are refused: libpcap's
// programs for pcap_open_dead() never contain them.
#pragma once

#include <string>
#include <variant>

#include "bpfc/cbpf/insn.h"
#include "bpfc/ebpf/insn.h"

namespace bpfc::bench {

struct TranslationError {
  size_t index = 0;  // of the classic instruction that cannot be translated
  std::string reason;
};

// The eBPF program, or why the classic program cannot be translated (an
// instruction the mapping above does not cover, a jump beyond eBPF's 16-bit
// offsets, a division by constant zero, a jump out of the program).
std::variant<ebpf::Program, TranslationError> translate_cbpf_to_ebpf(const cbpf::Program& program);

}  // namespace bpfc::bench
