// Frames of the protocols bpfc prints beyond IP/TCP/UDP/ICMP/ARP, built
// field by field: MPLS stacks, GRE (versions 0 and 1, every optional field),
// AH/ESP/IPComp over IPv4 and IPv6, VRRP v2/v3, PIM, PPPoE discovery and
// session (with PPP control protocols, IPv4, IPv6), 802.2 LLC (unnumbered,
// supervisory, information, XID, SNAP, IP, IPX SAPs), raw 802.3 IPX with
// RIP, SAP and NetBIOS, DECnet routing and NSP messages, and IPv6 routing,
// hop-by-hop (jumbo and other options) and destination options headers.
#pragma once

#include <vector>

#include "capture_files.h"

namespace bpfc::dissecttest {

// Ethernet frames.
std::vector<Bytes> further_protocol_frames();
// The subset whose -v output bpfc reproduces (all but PIM and PPP
// configuration options, whose -v decoding bpfc leaves out).
std::vector<Bytes> further_protocol_frames_for_verbose();

}  // namespace bpfc::dissecttest
