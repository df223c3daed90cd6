// Synthetic packets for a link type: IPv4/IPv6 (with options and extension
// headers, fragments, TCP/UDP/SCTP/ICMP/...), ARP/RARP and other protocols,
// behind the link layer's header, on Ethernet also inside VLAN tags, MPLS
// labels and PPPoE sessions. Addresses, ports and ids come from the pools in
// test_values.h so generated filters match some of them.
#pragma once

#include <cstdint>
#include <vector>

#include "packets.h"

namespace bpfc::difftest {

// DLT values of the link types the differential suite covers.
inline constexpr uint32_t kDltNull = 0, kDltEn10mb = 1, kDltRaw = 12, kDltLoop = 108,
                          kDltLinuxSll = 113, kDltIpv4 = 228, kDltIpv6 = 229, kDltLinuxSll2 = 276;
// 802.11, bare and behind radio headers, and the other link types with LLC.
inline constexpr uint32_t kDltIeee80211 = 105, kDltPrismHeader = 119, kDltIeee80211Radio = 127,
                          kDltIeee80211RadioAvs = 163, kDltPpi = 192, kDltFddi = 10, kDltIeee802 = 6,
                          kDltIpOverFc = 122;
inline constexpr uint32_t kDltPflog = 117, kDltMtp2 = 140, kDltNetanalyzer = 240, kDltNetanalyzerTransparent = 241,
                          kDltDsaTagBrcm = 281, kDltDsaTagDsa = 284, kDltArcnet = 7, kDltArcnetLinux = 129,
                          kDltBacnetMsTp = 165, kDltSunatm = 123;
inline constexpr uint32_t kDltAtmClip = 19, kDltAtmRfc1483 = 11, kDltSymantecFirewall = 99,
                          kDltAppleIpOverIeee1394 = 138, kDltPppEther = 51, kDltPppBsdos = 16, kDltSlipBsdos = 15,
                          kDltLtalk = 114, kDltEnc = 109, kDltIpnet = 226, kDltFrelay = 107;
inline constexpr uint32_t kDltJuniperMfr = 134, kDltJuniperPpp = 179, kDltJuniperAtm2 = 135, kDltJuniperEther = 178,
                          kDltJuniperGgsn = 133, kDltJuniperMonitor = 164, kDltSlip = 8, kDltCHdlc = 104;

// `count` packets for `linktype` (one of the above), deterministic in `seed`.
std::vector<Packet> synthesize_packets(uint32_t linktype, int count, uint64_t seed);

}  // namespace bpfc::difftest
