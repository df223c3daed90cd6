// What the protocol printers found out about a packet, for --json: the
// fields its summary line shows, as values. Printers fill in what they
// print; an inner IP header (a tunnel) overwrites an outer one, so the
// addresses and ports are those of the innermost datagram dissected.
#pragma once

#include <cstdint>
#include <string_view>

namespace bpfc::dissect {

struct Facts {
  // Link layer.
  const uint8_t* mac_source = nullptr;
  const uint8_t* mac_destination = nullptr;
  int32_t ethertype = -1;
  static constexpr int kMaxVlans = 8;
  uint16_t vlans[kMaxVlans] = {};
  int vlan_count = 0;
  // Network layer: "IPv4", "IPv6", "ARP".
  std::string_view network;
  const uint8_t* source = nullptr;
  const uint8_t* destination = nullptr;
  uint8_t address_bytes = 0;  // 4 or 16
  int32_t ip_protocol = -1;
  // Transport: "tcp", "udp", "icmp", "icmp6"...
  std::string_view transport;
  int32_t source_port = -1;
  int32_t destination_port = -1;
  // The payload length the line gives ("tcp 20", "UDP, length 20").
  int64_t length = -1;

  void set_addresses(std::string_view kind, const uint8_t* from, const uint8_t* to, uint8_t bytes) {
    network = kind;
    source = from;
    destination = to;
    address_bytes = bytes;
    transport = {};
    source_port = destination_port = -1;
    length = -1;
  }
};

}  // namespace bpfc::dissect
