#include "packet_builder.h"

namespace bpfc::regress {
namespace {

void put16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void put32(Bytes& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}

void append(Bytes& out, const Bytes& tail) { out.insert(out.end(), tail.begin(), tail.end()); }

Bytes mac_addresses() { return {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}; }

}  // namespace

Bytes ethernet(uint16_t ethertype, const Bytes& payload) {
  Bytes out = mac_addresses();
  put16(out, ethertype);
  append(out, payload);
  return out;
}

Bytes ethernet_vlan(uint16_t tpid, uint16_t vid, uint16_t ethertype, const Bytes& payload) {
  Bytes out = mac_addresses();
  put16(out, tpid);
  put16(out, vid & 0x0fff);
  put16(out, ethertype);
  append(out, payload);
  return out;
}

Bytes ipv4(uint8_t protocol, Ipv4 src, Ipv4 dst, const Bytes& payload) {
  Bytes out = {0x45, 0x00};
  put16(out, static_cast<uint16_t>(20 + payload.size()));
  put16(out, 0x1234);  // identification
  put16(out, 0x4000);  // DF, fragment offset 0
  out.push_back(64);   // TTL
  out.push_back(protocol);
  put16(out, 0);  // checksum: no filter here reads it
  out.insert(out.end(), src.begin(), src.end());
  out.insert(out.end(), dst.begin(), dst.end());
  append(out, payload);
  return out;
}

Bytes ipv6(uint8_t next, const Bytes& payload) {
  Bytes out = {0x60, 0x00, 0x00, 0x00};
  put16(out, static_cast<uint16_t>(payload.size()));
  out.push_back(next);
  out.push_back(64);  // hop limit
  for (int i = 0; i < 16; ++i) out.push_back(i == 0 ? 0xfd : static_cast<uint8_t>(i));      // fd01:...
  for (int i = 0; i < 16; ++i) out.push_back(i == 0 ? 0xfd : static_cast<uint8_t>(16 + i));  // fd11:...
  append(out, payload);
  return out;
}

Bytes udp(uint16_t src_port, uint16_t dst_port, const Bytes& payload) {
  Bytes out;
  put16(out, src_port);
  put16(out, dst_port);
  put16(out, static_cast<uint16_t>(8 + payload.size()));
  put16(out, 0);
  append(out, payload);
  return out;
}

Bytes tcp_ack(uint16_t src_port, uint16_t dst_port) {
  Bytes out;
  put16(out, src_port);
  put16(out, dst_port);
  put32(out, 0x01020304);  // sequence
  put32(out, 0xbf5322e6);  // acknowledgment
  out.push_back(0x80);     // data offset 8 words
  out.push_back(0x10);     // ACK
  put16(out, 31);          // window
  put16(out, 0);           // checksum
  put16(out, 0);           // urgent pointer
  const Bytes options = {0x01, 0x01, 0x08, 0x0a, 0xa4, 0x4b, 0x7f, 0x63, 0xf8, 0xbb, 0x09, 0xa3};  // nop nop TS
  append(out, options);
  return out;
}

Bytes vxlan(uint32_t vni, const Bytes& inner_frame) {
  Bytes out = {0x08, 0x00, 0x00, 0x00};
  put32(out, vni << 8);
  append(out, inner_frame);
  return out;
}

Bytes arp_request(Ipv4 sender, Ipv4 target) {
  Bytes out;
  put16(out, 1);       // Ethernet
  put16(out, 0x0800);  // IPv4
  out.push_back(6);
  out.push_back(4);
  put16(out, 1);  // request
  const Bytes sender_mac = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  append(out, sender_mac);
  out.insert(out.end(), sender.begin(), sender.end());
  append(out, Bytes(6, 0));
  out.insert(out.end(), target.begin(), target.end());
  return out;
}

Bytes tcp_ack_66_bytes() {
  return ethernet(kEthertypeIpv4, ipv4(6, {149, 174, 156, 93}, {178, 79, 150, 233}, tcp_ack(54192, 80)));
}

}  // namespace bpfc::regress
