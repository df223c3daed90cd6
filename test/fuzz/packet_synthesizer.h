// Packets for the compiler fuzz target, built from the fuzzer's input: frames
// shaped for the link type (its header with a type field the filter tests
// for, then IPv4 with options or fragments, IPv6 with extension headers, ARP,
// MPLS, PPPoE, VLAN tags, LLC/SNAP, Geneve/VXLAN around an inner frame, and
// TCP/UDP/ICMP/SCTP/... headers), carrying the addresses, ports and numbers
// the filter mentions; each also truncated at an input-chosen length and with
// a few bytes overwritten; plus raw bytes, a very short and an empty packet.
#pragma once

#include <cstdint>
#include <vector>

#include "filter_case.h"
#include "fuzz_bytes.h"

namespace bpfc::fuzz {

struct TestPacket {
  std::vector<uint8_t> bytes;  // the captured bytes
  uint32_t wirelen = 0;        // what `len` sees; at least bytes.size() mostly
};

std::vector<TestPacket> synthesize_packets(FuzzBytes& in, uint32_t linktype, const ValuePool& pool);

}  // namespace bpfc::fuzz
