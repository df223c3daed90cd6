// Loads relative to a protocol header and the comparison fragments built on
// them (libpcap's gen_load_a / gen_cmp family). Every header position comes
// from the current Layout, so encapsulations shift them transparently.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "gencode/codegen.h"

namespace bpfc::lower {

// What an offset is relative to.
enum class OffRel {
  Packet,        // start of the captured data
  LinkHdr,       // the link-layer header
  PrevLinkHdr,   // the enclosing link-layer header (inside an encapsulation)
  Llc,           // the 802.2 LLC header (the start of the link payload)
  PrevMplsHdr,   // the MPLS label before the current one
  LinkType,      // the field naming the payload protocol
  LinkPl,        // the network-layer header
  LinkPlNoSnap,  // the network-layer header after 802.2 without SNAP
  TranIpv4,      // the transport header after a variable-length IPv4 header
  TranIpv6,      // the transport header after a fixed 40-byte IPv6 header
};

// Statements putting the variable part of `off` in X (empty when constant).
std::vector<Stmt> load_offset_varpart(Codegen& cg, AbsOffset& off);
// Statements loading `size` (bpf::kB/kH/kW) bytes at `offset` from `rel` into A.
std::vector<Stmt> load_a(Codegen& cg, OffRel rel, uint32_t offset, int size);
// Statements putting the IPv4 header length (plus any variable link prefix) in X.
std::vector<Stmt> loadx_iphdrlen(Codegen& cg);

// `(field & mask) <jtype> v`, negated when `reverse`.
Fragment gen_ncmp(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t mask, int jtype, bool reverse,
                  uint32_t v);
Fragment gen_cmp(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v);
Fragment gen_cmp_gt(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v);
Fragment gen_cmp_ge(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v);
Fragment gen_cmp_lt(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v);
Fragment gen_cmp_le(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v);
Fragment gen_mcmp(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t v, uint32_t mask);
// Byte-string equality, compared in 4-, then 2-, then 1-byte pieces from the end.
Fragment gen_bcmp(Codegen& cg, OffRel rel, uint32_t offset, std::span<const uint8_t> bytes);
// `jset mask` on a loaded field: true when any masked bit is set.
Fragment gen_jset(Codegen& cg, OffRel rel, uint32_t offset, int size, uint32_t mask);

// Constant predicates, as libpcap builds them (`ld #k; jeq #0`).
Fragment gen_true(Codegen& cg);
Fragment gen_false(Codegen& cg);

}  // namespace bpfc::lower
