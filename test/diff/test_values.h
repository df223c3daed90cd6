// The small pools of addresses, ports and ids that both the synthetic packets
// and the generated expressions draw from, so that generated filters match
// some packets instead of rejecting everything.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bpfc::difftest {

struct Ipv4Value {
  std::string text;
  std::array<uint8_t, 4> bytes;
};
struct Ipv6Value {
  std::string text;
  std::array<uint8_t, 16> bytes;
};
struct MacValue {
  std::string text;
  std::array<uint8_t, 6> bytes;
};

inline const std::vector<Ipv4Value>& ipv4_pool() {
  static const std::vector<Ipv4Value> pool = {
      {"10.0.0.1", {10, 0, 0, 1}},         {"10.0.0.2", {10, 0, 0, 2}},
      {"10.1.2.3", {10, 1, 2, 3}},         {"192.168.1.1", {192, 168, 1, 1}},
      {"192.168.1.255", {192, 168, 1, 255}}, {"172.16.5.4", {172, 16, 5, 4}},
      {"224.0.0.1", {224, 0, 0, 1}},       {"255.255.255.255", {255, 255, 255, 255}},
  };
  return pool;
}

inline const std::vector<Ipv6Value>& ipv6_pool() {
  static const std::vector<Ipv6Value> pool = {
      {"::1", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
      {"fe80::1", {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
      {"2001:db8::1", {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
      {"2001:db8::2", {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}},
      {"ff02::1", {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
  };
  return pool;
}

inline const std::vector<MacValue>& mac_pool() {
  static const std::vector<MacValue> pool = {
      {"00:11:22:33:44:55", {0x00, 0x11, 0x22, 0x33, 0x44, 0x55}},
      {"66:77:88:99:aa:bb", {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb}},
      {"ff:ff:ff:ff:ff:ff", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
      {"01:00:5e:00:00:01", {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}},
  };
  return pool;
}

inline const std::vector<uint16_t>& port_pool() {
  static const std::vector<uint16_t> pool = {0, 22, 53, 80, 443, 1024, 8080, 65535};
  return pool;
}
inline const std::vector<uint16_t>& vlan_pool() {
  static const std::vector<uint16_t> pool = {0, 1, 10, 100, 4095};
  return pool;
}
inline const std::vector<uint32_t>& mpls_label_pool() {
  static const std::vector<uint32_t> pool = {0, 16, 100, 1048575};
  return pool;
}
inline const std::vector<uint16_t>& pppoe_session_pool() {
  static const std::vector<uint16_t> pool = {0, 1, 0x1234};
  return pool;
}
// IP protocol numbers the filters name: icmp, igmp, tcp, udp, ipv6, gre, esp,
// ah, icmp6, pim, vrrp, sctp, and one nobody uses.
inline const std::vector<uint8_t>& ip_protocol_pool() {
  static const std::vector<uint8_t> pool = {1, 2, 6, 17, 41, 47, 50, 51, 58, 103, 112, 132, 253};
  return pool;
}

}  // namespace bpfc::difftest
