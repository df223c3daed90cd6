// The protochain walk (ir::Op::Protochain) in classic BPF: libpcap's loop.
//
// Selection emits a walk as one pseudo-instruction in its block's body, so
// that the block-level clean-ups (which read bodies as straight-line code)
// and the layout (which places blocks and relaxes their exits) never see the
// loop's inner jumps. Just before layout, each pseudo-instruction is replaced
// by the loop: a self-contained run of instructions whose jumps stay inside
// it, with one backward `ja` per way round (k sign-extended, as libpcap
// encodes it and as its bpf_filter() and bpf_validate() accept; the Linux
// kernel refuses backward jumps).
//
// On entry A holds the first next-header value and X the offset of the
// header it announces; on exit A holds the walk's result, X and the walk's
// scratch slot hold leftovers.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "codegen_machine.h"

namespace bpfc::cbpf::detail {

struct Walk {
  uint8_t ip_version = 6;  // 4: AH headers only; 6: IPv6 extension headers and AH
  uint32_t base = 0;       // offset of the IP header
  uint32_t stop = 0;       // the protocol looked for
  uint8_t slot = 0;        // the scratch slot the loop may use
};

// Not a classic BPF opcode: the pseudo-instruction `Insn{kWalkPseudo, slot,
// 0, index into the walk table}`.
inline constexpr uint16_t kWalkPseudo = 0xffff;

inline Insn walk_pseudo(uint32_t index, uint8_t slot) { return Insn{kWalkPseudo, slot, 0, index}; }

// The loop for one walk.
std::vector<Insn> walk_loop(const Walk& walk);

// Replaces every walk pseudo-instruction in the bodies by its loop.
void expand_walks(std::vector<MBlock>& blocks, const std::vector<Walk>& walks);

}  // namespace bpfc::cbpf::detail
