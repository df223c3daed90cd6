// Legalizations: rewrites of the IR for targets that cannot run all of it as
// it is. Unlike the passes (pass_manager.h) they may change verdicts, in the
// way each one documents; the caller tells its users so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "bpfc/ir/ir.h"

namespace bpfc::opt {

// How many headers the unrolled protochain walk follows unless told
// otherwise: a default that keeps two IPv6 walks (`ip6 protochain 6 or ip6
// protochain 17`) within the Linux kernel's 4,096 instructions, and covers
// far longer chains than real traffic carries (a handful of extension
// headers at most).
inline constexpr uint32_t kDefaultProtochainDepth = 64;
// The largest depth accepted: `ip6 protochain 6` takes about 23 classic-BPF
// instructions a header, so beyond this one IPv6 walk alone no longer fits
// in the kernel's 4,096 instructions, which is the unrolled form's purpose.
inline constexpr uint32_t kMaxProtochainDepth = 175;

struct ProtochainUnrolling {
  size_t ipv4_walks = 0;  // walks unrolled, by IP version
  size_t ipv6_walks = 0;
  uint32_t depth = 0;
  bool any() const { return ipv4_walks + ipv6_walks > 0; }
};

// Replaces every protochain walk (ir::Op::Protochain) by loop-free code that
// takes at most `depth` steps (follows at most `depth` extension or AH
// headers). Where the walk would take another step, the whole filter
// returns 0: a packet whose chain is longer than `depth` headers before the
// protocol looked for is rejected, whatever the rest of the filter says.
// On every other packet the verdict is the walk's. `depth` must be at
// least 1. The function stays well formed (blocks in topological order,
// the new ones right after the block that held the walk).
ProtochainUnrolling unroll_protochain(ir::Function& f, uint32_t depth);

// What unroll_protochain's bound rejects, in words for people ("protochain
// follows at most 64 IPv6 extension headers ..."); empty when nothing was
// unrolled.
std::string describe(const ProtochainUnrolling& unrolled);

}  // namespace bpfc::opt
