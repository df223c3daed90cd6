// Classic BPF interpreter with exactly libpcap's bpf_filter() semantics, and
// validators: libpcap's bpf_validate() rules and the Linux kernel's classic
// BPF checks (bpf_check_classic + check_load_and_stores in net/core/filter.c).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bpfc/cbpf/insn.h"

namespace bpfc::runtime {

// Runs `p` on a packet of which `packet.size()` bytes were captured and
// `wirelen` were on the wire. Returns the filter's value (0 = reject).
// Thread-safe; allocates nothing.
//
// Identical to libpcap's bpf_filter() on every program it can run: a load
// past the captured bytes (offsets computed without 32-bit wrap-around) or a
// division/modulus by X == 0 returns 0 at once; a shift by X >= 32 yields 0;
// backward `ja` (k sign-extended) is followed, as libpcap's protochain code
// needs. The program need not be valid: where libpcap would abort, trap or
// read out of bounds, this returns 0 — unknown opcodes, div/mod by the
// constant 0, M[k] with k >= 16, a jump outside the program, falling off the
// end, an empty program, and a backward-jump loop that has not ended after
// (number of backward `ja` instructions) * (2 * caplen + 2) backward jumps,
// enough for every protochain walk that ends (see ir.h) and for any loop
// whose rounds each move on through the packet. Two choices differ from libpcap 1.10.3 on purpose
// (see interpreter.cpp): scratch memory starts zeroed, and shifts by a
// constant >= 32 yield 0 (libpcap's x86 build masks the count to 5 bits).
uint32_t run_cbpf(const cbpf::Program& p, std::span<const uint8_t> packet, uint32_t wirelen);

// The packet metadata a Linux socket filter reads with absolute loads at
// SKF_AD_OFF + offset (<linux/filter.h>): the fields bpfc's Linux capture
// context compiles to.
struct LinuxAncillary {
  uint16_t protocol = 0;      // SKF_AD_PROTOCOL: the frame's protocol, host order
  uint16_t packet_type = 0;   // SKF_AD_PKTTYPE: PACKET_HOST, PACKET_OUTGOING, ...
  uint32_t ifindex = 0;       // SKF_AD_IFINDEX
  uint16_t vlan_tci = 0;      // SKF_AD_VLAN_TAG
  uint8_t vlan_tag_present = 0;  // SKF_AD_VLAN_TAG_PRESENT
};

// The same, as the Linux kernel runs a socket filter: an absolute load of
// one of those fields yields the field, whatever the load's size; one of
// another ancillary field the kernel has returns 0 (the packet is
// rejected), as a load past the packet does.
uint32_t run_cbpf(const cbpf::Program& p, std::span<const uint8_t> packet, uint32_t wirelen,
                  const LinuxAncillary& ancillary);

struct ValidationError {
  // The instruction the first problem is about; nullopt when it is about the
  // program as a whole (empty, too long).
  std::optional<uint32_t> index;
  std::string message;  // what is wrong, without the instruction index

  // "instruction <index>: <message>", or the message alone.
  std::string describe() const;
};

enum class ValidationRules {
  Libpcap,      // bpf_validate() exactly (what pcap_setfilter() checks)
  LinuxKernel,  // what setsockopt(SO_ATTACH_FILTER) accepts
};

// nullopt when `p` is valid under `rules`. Errors follow the order of the
// checks of the modelled implementation, so `index` is the instruction it
// would complain about first. LinuxKernel refuses what libpcap's user-space
// bpf_filter() runs but the kernel does not load: over 4096 instructions
// (BPF_MAXINSNS), backward jumps (protochain's loop), and more.
std::optional<ValidationError> validate_cbpf(const cbpf::Program& p,
                                             ValidationRules rules = ValidationRules::Libpcap);

}  // namespace bpfc::runtime
