// Legalizations: rewrites of the IR for targets that cannot run all of it as
// it is. Unlike the passes (pass_manager.h) they may change verdicts, in the
// way each one documents; the caller tells its users so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/optimizer/pass_manager.h"

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

struct BoundsChecks {
  size_t loads = 0;             // loads in the function; all are marked checked after
  size_t guards = 0;            // guards inserted
  size_t branches = 0;          // conditional branches they take (an indexed guard may take two)
  size_t unmerged_guards = 0;   // guards one per load would take
  size_t guards_per_block = 0;  // guards merging only within a block (one per block and index) would take
};

// For targets whose loads do not trap (eBPF, native code): makes every
// load's bounds check explicit, as ir/README.md "Bounds-check legalization"
// defines. Inserts guards `if caplen < bound then return 0` (for an indexed
// load: `if index + bound > caplen ...`), one per straight-line run of
// loads the contract lets one guard cover, reads the captured length once
// (ir::Op::Caplen, at the entry) and marks every load `checked`. Changes no
// verdict. Loads already marked checked are taken as covered, so a second
// run changes nothing. Protochain walks are left alone: their reads are the
// target's to check (or unroll_protochain turns them into loads first).
// Run it after the passes: they do not promise to keep loads covered.
BoundsChecks legalize_bounds_checks(ir::Function& f);

// "12 loads checked by 3 guards (...)"
std::string describe(const BoundsChecks& checks);

// The legalizations a target asks for by name, run like passes
// (OptimizeOptions::passes) after the level's pipeline: "bounds-checks".
// Only those that change no verdict are here.
const std::vector<Pass>& target_legalizations();
const Pass* find_target_legalization(std::string_view name);

}  // namespace bpfc::opt
