// Packets for the printing tests: IPv4 and IPv6 datagrams with TCP, UDP,
// ICMP and ICMPv6 of many kinds (options, extension headers, every ICMP
// type the printers know, neighbour discovery options, bad lengths), ARP,
// and the link layers that carry them, each with right and wrong checksums
// and cut short at many capture lengths.
#pragma once

#include <cstdint>
#include <vector>

#include "capture_files.h"

namespace bpfc::dissecttest {

// IP datagrams (IPv4 and IPv6), with zero checksums as built.
std::vector<Bytes> ip_datagrams();
// ARP and RARP packets (the payload of an Ethernet frame).
std::vector<Bytes> arp_packets();

// The same datagram with right IPv4 header and TCP/UDP/ICMP/ICMPv6
// checksums (where the transport header directly follows the IP header).
Bytes with_checksums(Bytes datagram);

// Ethernet frames of all of the above: untagged and behind 802.1Q/802.1ad
// tags, plus unknown ethertypes; with right and wrong checksums.
std::vector<Bytes> ethernet_frames();

// Each packet whole, then cut to every one of `caplens` shorter than it;
// timestamps a second and a few microseconds apart (some going backwards,
// for -ttt), starting at `first_ns`.
std::vector<CapturedPacket> as_captured(const std::vector<Bytes>& packets, const std::vector<uint32_t>& caplens,
                                        int64_t first_ns = 1700000000LL * 1000000000 + 123456789);

// Capture lengths that cut headers at their interesting places.
const std::vector<uint32_t>& interesting_caplens();

}  // namespace bpfc::dissecttest
