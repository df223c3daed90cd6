// Hand-built packets for the regression tests: just the headers the filters
// look at, with the values each libpcap issue's reproducer used (numeric
// addresses only).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace bpfc::regress {

using Bytes = std::vector<uint8_t>;
using Ipv4 = std::array<uint8_t, 4>;

inline constexpr uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr uint16_t kEthertypeArp = 0x0806;
inline constexpr uint16_t kEthertypeIpv6 = 0x86dd;
inline constexpr uint16_t kEthertypeVlan = 0x8100;
inline constexpr uint16_t kEthertypeProfinet = 0x8892;  // the ethertype of libpcap issue #1513
inline constexpr uint16_t kVxlanPort = 4789;

// Destination 00:11:22:33:44:55, source 66:77:88:99:aa:bb, then `ethertype`
// and `payload`.
Bytes ethernet(uint16_t ethertype, const Bytes& payload);
// The same with one 802.1Q tag (TPID `tpid`, VLAN `vid`) before `ethertype`.
Bytes ethernet_vlan(uint16_t tpid, uint16_t vid, uint16_t ethertype, const Bytes& payload);

// A 20-byte IPv4 header (no options, not fragmented) and `payload`.
Bytes ipv4(uint8_t protocol, Ipv4 src, Ipv4 dst, const Bytes& payload);
// A 40-byte IPv6 header (no extension headers), next header `next`.
Bytes ipv6(uint8_t next, const Bytes& payload);
// An 8-byte UDP header and `payload`.
Bytes udp(uint16_t src_port, uint16_t dst_port, const Bytes& payload);
// A 32-byte TCP header (ACK, 12 bytes of options) and no data.
Bytes tcp_ack(uint16_t src_port, uint16_t dst_port);
// An 8-byte VXLAN header (flags 0x08: VNI valid) and the inner frame.
Bytes vxlan(uint32_t vni, const Bytes& inner_frame);
// A 28-byte ARP request (Ethernet/IPv4) from `sender` for `target`.
Bytes arp_request(Ipv4 sender, Ipv4 target);

// The 66-byte TCP ACK that libpcap issues #430 and #434 were reported with
// (Ethernet, IPv4 149.174.156.93:54192 -> 178.79.150.233:80, 32-byte TCP
// header).
Bytes tcp_ack_66_bytes();

}  // namespace bpfc::regress
