#include "protocol_packets.h"

#include "../cli/savefile_fixtures.h"
#include "generated_packets.h"

namespace bpfc::dissecttest {
namespace {

using clitest::concat;
using clitest::ethernet;
using clitest::icmp;
using clitest::ipv4;
using clitest::ipv6;
using clitest::ipv6_address;
using clitest::put16;
using clitest::put32;
using clitest::tcp;
using clitest::text_bytes;
using clitest::udp;

Bytes be16(uint16_t v) {
  Bytes b;
  put16(b, v);
  return b;
}
Bytes be32(uint32_t v) {
  Bytes b;
  put32(b, v);
  return b;
}

Bytes inner_v4() { return with_checksums(ipv4(17, udp(1000, 2000, text_bytes("inner")), 0xc0a80001, 0xc0a80002)); }
Bytes inner_v6() { return with_checksums(ipv6(6, tcp(3000, 443, 0x18, text_bytes("inner6")), 7, 8)); }

Bytes mpls_entry(uint32_t label, uint8_t tc, bool bottom, uint8_t ttl) {
  return be32(label << 12 | static_cast<uint32_t>(tc) << 9 | (bottom ? 0x100u : 0u) | ttl);
}

std::vector<Bytes> mpls_frames() {
  std::vector<Bytes> f;
  f.push_back(ethernet(0x8847, concat(mpls_entry(100, 0, true, 64), inner_v4())));
  f.push_back(ethernet(0x8847, concat(concat(mpls_entry(100, 3, false, 63), mpls_entry(200, 5, true, 62)), inner_v6())));
  f.push_back(ethernet(0x8847, concat(mpls_entry(0, 0, true, 1), inner_v4())));
  f.push_back(ethernet(0x8847, concat(mpls_entry(2, 0, true, 1), inner_v6())));
  f.push_back(ethernet(0x8847, concat(concat(mpls_entry(1, 0, false, 1), mpls_entry(3, 0, true, 1)), inner_v4())));
  f.push_back(ethernet(0x8847, concat(mpls_entry(17, 0, true, 9), text_bytes("unknown payload"))));
  f.push_back(ethernet(0x8847, mpls_entry(18, 0, true, 9)));  // nothing below the stack
  f.push_back(ethernet(0x8847, {0, 1, 2}));                  // too short for an entry
  return f;
}

Bytes gre(uint16_t flags, uint16_t protocol, const Bytes& fields, const Bytes& payload) {
  return concat(concat(concat(be16(flags), be16(protocol)), fields), payload);
}

std::vector<Bytes> gre_frames() {
  std::vector<Bytes> f;
  auto over_ipv4 = [&](const Bytes& g) { f.push_back(ethernet(0x0800, with_checksums(ipv4(47, g)))); };
  over_ipv4(gre(0x0000, 0x0800, {}, inner_v4()));
  over_ipv4(gre(0x0000, 0x86dd, {}, inner_v6()));
  over_ipv4(gre(0x2000, 0x0800, be32(0x1234), inner_v4()));                                  // key
  over_ipv4(gre(0x1000, 0x0800, be32(77), inner_v4()));                                      // sequence
  over_ipv4(gre(0xb000, 0x0800, concat(be32(0xabcd0000), concat(be32(5), be32(6))), inner_v4()));  // checksum, key, seq
  over_ipv4(gre(0x0000, 0x8847, {}, concat(mpls_entry(40, 0, true, 9), inner_v4())));
  over_ipv4(gre(0x0000, 0x6558, {}, ethernet(0x0800, inner_v4())));                          // bridged Ethernet
  over_ipv4(gre(0x0000, 0x8137, {}, Bytes(30, 0)));
  over_ipv4(gre(0x0000, 0x1234, {}, text_bytes("unknown")));
  over_ipv4(gre(0x0005, 0x0800, {}, inner_v4()));  // unknown version
  // Version 1 (PPTP): key carries the call id; PPP inside.
  Bytes ppp_ip = concat({0xff, 0x03, 0x00, 0x21}, inner_v4());
  over_ipv4(gre(0x3081, 0x880b, concat(be32(0x00080011), concat(be32(9), be32(8))), ppp_ip));
  over_ipv4(gre(0x2081, 0x880b, concat(be32(0x00080011), be32(8)), {}));  // ack only: no payload
  over_ipv4(gre(0x3001, 0x880b, concat(be32(0x00080011), be32(10)), concat({0xc0, 0x21}, {9, 4, 0, 8, 1, 2, 3, 4})));
  f.push_back(ethernet(0x86dd, ipv6(47, gre(0x0000, 0x0800, {}, inner_v4()))));
  return f;
}

Bytes ah(uint8_t next, uint8_t words, uint16_t reserved, uint32_t spi, uint32_t sequence) {
  Bytes h = {next, words};
  h = concat(h, be16(reserved));
  h = concat(h, be32(spi));
  h = concat(h, be32(sequence));
  Bytes icv((words + 2u) * 4 - 12);
  for (size_t i = 0; i < icv.size(); ++i) icv[i] = static_cast<uint8_t>(0xa0 + i);
  return concat(h, icv);
}

std::vector<Bytes> ipsec_frames() {
  std::vector<Bytes> f;
  Bytes esp = concat(concat(be32(0xdeadbeef), be32(42)), Bytes(40, 0x5a));
  Bytes ipcomp = concat({4, 0}, concat(be16(0x1234), Bytes(30, 0x33)));
  f.push_back(ethernet(0x0800, with_checksums(ipv4(51, concat(ah(4, 4, 0, 0x100, 1), inner_v4())))));
  f.push_back(ethernet(0x0800, with_checksums(ipv4(51, concat(ah(6, 4, 7, 0x101, 2), tcp(1, 80, 0x02))))));
  f.push_back(ethernet(0x0800, with_checksums(ipv4(51, concat(ah(108, 4, 0, 0x102, 3), ipcomp)))));
  f.push_back(ethernet(0x0800, with_checksums(ipv4(51, concat(ah(51, 4, 0, 0x103, 4), concat(ah(17, 3, 0, 5, 6), udp(7, 8)))))));
  f.push_back(ethernet(0x0800, with_checksums(ipv4(50, esp))));
  f.push_back(ethernet(0x0800, with_checksums(ipv4(108, ipcomp))));
  f.push_back(ethernet(0x86dd, ipv6(51, concat(ah(41, 4, 0, 0x200, 1), inner_v6()))));
  f.push_back(ethernet(0x86dd, ipv6(51, concat(ah(58, 4, 0, 0x201, 2), icmp(128, 0, Bytes(8, 1))))));
  f.push_back(ethernet(0x86dd, ipv6(50, esp)));
  f.push_back(ethernet(0x86dd, ipv6(0, concat({51, 0, 1, 4, 0, 0, 0, 0}, concat(ah(17, 4, 0, 9, 9), udp(3, 4))))));
  return f;
}

Bytes vrrp_v2(uint8_t router, uint8_t priority, uint8_t auth, const Bytes& addresses, const Bytes& password) {
  Bytes v = {0x21, router, priority, static_cast<uint8_t>(addresses.size() / 4), auth, 1, 0, 0};
  return concat(concat(v, addresses), password);
}

std::vector<Bytes> vrrp_frames() {
  std::vector<Bytes> f;
  auto vrrp4 = [&](const Bytes& v, uint8_t ttl) {
    Bytes datagram = ipv4(112, v, 0x0a000001, 0xe0000012);
    datagram[8] = ttl;
    f.push_back(ethernet(0x0800, with_checksums(datagram)));
  };
  vrrp4(vrrp_v2(1, 100, 0, {10, 0, 0, 9}, Bytes(8, 0)), 255);
  vrrp4(vrrp_v2(2, 200, 1, {10, 0, 0, 9, 10, 0, 0, 10}, text_bytes("secret\0\0")), 255);
  vrrp4(vrrp_v2(3, 50, 2, {10, 0, 0, 9}, Bytes(8, 0)), 64);
  vrrp4(vrrp_v2(4, 50, 9, {10, 0, 0, 9}, Bytes(8, 0)), 255);
  vrrp4({0x31, 5, 100, 1, 0x00, 0x64, 0, 0, 10, 0, 0, 9}, 255);  // version 3
  vrrp4({0x22, 5, 100, 1, 0, 1, 0, 0}, 255);                      // not an advertisement
  vrrp4({0x11, 5, 100, 1, 0, 1, 0, 0}, 255);                      // version 1
  vrrp4({0x21, 5, 100, 0, 0, 1}, 255);                            // too short for its checksum
  Bytes v3_6 = concat({0x31, 6, 150, 1, 0x00, 0x64, 0, 0}, ipv6_address(9));
  Bytes datagram = ipv6(112, v3_6);
  datagram[7] = 255;
  f.push_back(ethernet(0x86dd, datagram));
  return f;
}

std::vector<Bytes> pim_frames() {
  std::vector<Bytes> f;
  for (uint8_t type : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14}) {
    f.push_back(ethernet(0x0800, with_checksums(ipv4(103, {static_cast<uint8_t>(0x20 | type), 0, 0, 0, 0, 1, 0, 2}))));
  }
  f.push_back(ethernet(0x0800, with_checksums(ipv4(103, {0x10, 0, 0, 0}))));  // version 1
  f.push_back(ethernet(0x86dd, ipv6(103, {0x24, 0, 0, 0, 1, 2, 3, 4})));
  return f;
}

Bytes pppoe(uint8_t code, uint16_t session, const Bytes& payload, uint8_t version_type = 0x11) {
  Bytes h = {version_type, code};
  h = concat(h, be16(session));
  h = concat(h, be16(static_cast<uint16_t>(payload.size())));
  return concat(h, payload);
}

Bytes pppoe_tag(uint16_t type, const Bytes& value) {
  return concat(concat(be16(type), be16(static_cast<uint16_t>(value.size()))), value);
}

std::vector<Bytes> pppoe_frames(bool verbose_safe) {
  std::vector<Bytes> f;
  Bytes tags = concat(concat(pppoe_tag(0x0101, {}), pppoe_tag(0x0120, {0x05, 0xdc})),
                      concat(pppoe_tag(0x0103, {0x16, 0x37, 0x2c, 0x16}), pppoe_tag(0x0102, text_bytes("access-concentrator"))));
  f.push_back(ethernet(0x8863, pppoe(0x09, 0, tags)));
  f.push_back(ethernet(0x8863, pppoe(0x07, 0, concat(tags, pppoe_tag(0x0999, text_bytes("a\x01\x02"))))));
  f.push_back(ethernet(0x8863, pppoe(0x19, 0, concat(pppoe_tag(0x0000, {}), pppoe_tag(0x0101, text_bytes("x"))))));
  f.push_back(ethernet(0x8863, pppoe(0x65, 0x1234, pppoe_tag(0x0201, text_bytes("no service")))));
  f.push_back(ethernet(0x8863, pppoe(0xa7, 0x1234, {})));
  f.push_back(ethernet(0x8863, pppoe(0x42, 0, {}, 0x23)));  // unknown code, version and type
  Bytes lcp_echo = {0xc0, 0x21, 0x09, 0x6a, 0x00, 0x0c, 0xa4, 0xcb, 0xea, 0x34, 0x0e, 0xe2, 0xf6, 0x09};
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, lcp_echo)));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0xc0, 0x21, 0x0a, 0x6a, 0x00, 0x08, 1, 2, 3, 4})));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0xc0, 0x21, 0x0c, 0x01, 0x00, 0x0e, 1, 2, 3, 4, 'h', 'e', 'l', 'l', 'o', '!'})));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0xc0, 0x21, 0x08, 0x02, 0x00, 0x0a, 0x80, 0x57, 1, 2, 3, 4})));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0xc0, 0x21, 0x05, 0x03, 0x00, 0x04})));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0xc0, 0x21, 0x0d, 0x03, 0x00, 0x0c, 1, 2, 3, 4, 0, 0, 0, 60})));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0xc0, 0x21, 0x20, 0x03, 0x00, 0x06, 1, 2})));  // unknown code
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x18, concat({0x00, 0x21}, inner_v4()))));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x18, concat({0x00, 0x57}, inner_v6()))));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x18, concat({0x21}, inner_v4()))));  // protocol field compressed
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x18, concat({0x02, 0x81}, concat(mpls_entry(5, 0, true, 3), inner_v4())))));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x18, {0x00, 0xfd, 1, 2, 3})));
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x18, {0x12, 0x34, 1, 2, 3})));   // unknown protocol
  f.push_back(ethernet(0x8864, pppoe(0x00, 0x18, {0x80, 0x27, 1, 2, 0, 4})));  // DECnet CP: no printer
  f.push_back(ethernet(0x880b, concat({0xff, 0x03, 0x00, 0x21}, inner_v4())));
  if (!verbose_safe) {
    // Configuration requests, whose options tcpdump -v decodes.
    f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0xc0, 0x21, 0x01, 0x01, 0x00, 0x0e, 0x01, 0x04, 0x05, 0xd4,
                                                    0x05, 0x06, 0x11, 0x22, 0x33, 0x44})));
    f.push_back(ethernet(0x8864, pppoe(0x00, 0x17, {0x80, 0x21, 0x01, 0x02, 0x00, 0x0a, 0x03, 0x06, 10, 0, 0, 1})));
  }
  return f;
}

Bytes llc_frame(const Bytes& llc_and_payload, uint16_t length_field = 0) {
  Bytes frame = ethernet(static_cast<uint16_t>(llc_and_payload.size()), llc_and_payload);
  if (length_field != 0) {
    frame[12] = static_cast<uint8_t>(length_field >> 8);
    frame[13] = static_cast<uint8_t>(length_field);
  }
  return frame;
}

Bytes ipx_packet(uint16_t destination_socket, uint16_t source_socket, const Bytes& data) {
  Bytes p = {0xff, 0xff};
  p = concat(p, be16(static_cast<uint16_t>(30 + data.size())));
  p = concat(p, {0, 4});
  p = concat(p, {0, 0, 0, 1, 0x00, 0x0c, 0x29, 0x31, 0x0d, 0x01});
  p = concat(p, be16(destination_socket));
  p = concat(p, {0, 0, 0, 2, 0x00, 0x0c, 0x29, 0x8e, 0x87, 0xa6});
  p = concat(p, be16(source_socket));
  return concat(p, data);
}

std::vector<Bytes> llc_frames() {
  std::vector<Bytes> f;
  // NetBeui: unnumbered (each command, poll/final), supervisory, information.
  for (uint8_t control : {0x03, 0x13, 0x7f, 0x73, 0x63, 0x43, 0x0f, 0x87, 0xe3, 0xef, 0x2b}) {
    f.push_back(llc_frame(concat({0xf0, 0xf0, control}, text_bytes("netbios"))));
  }
  f.push_back(llc_frame({0xf0, 0xf1, 0x01, 0x01}));
  f.push_back(llc_frame({0xf0, 0xf0, 0x05, 0x03}));
  f.push_back(llc_frame({0xf0, 0xf1, 0x09, 0x00}));
  f.push_back(llc_frame(concat({0xf0, 0xf0, 0x00, 0x01}, text_bytes("information"))));
  f.push_back(llc_frame(concat({0xf0, 0xf0, 0x02, 0x03}, text_bytes("information"))));
  // XID with and without the IEEE format.
  f.push_back(llc_frame({0x00, 0x01, 0xaf, 0x81, 0x01, 0x00}));
  f.push_back(llc_frame({0x00, 0x01, 0xbf, 0x81, 0x01}));
  f.push_back(llc_frame({0x00, 0x01, 0xaf, 0x55}));
  f.push_back(llc_frame({0x00, 0x01, 0xaf}));
  // Other SAPs: named and unknown, equal and not.
  f.push_back(llc_frame({0x04, 0x04, 0x03, 1, 2, 3}));
  f.push_back(llc_frame({0x04, 0x08, 0x03, 1, 2, 3}));
  f.push_back(llc_frame({0x5a, 0x5a, 0x03, 1, 2, 3}));
  f.push_back(llc_frame({0x5b, 0x06, 0x03, 1, 2, 3}));
  f.push_back(llc_frame({0x07, 0x5c, 0x03, 1, 2, 3}));
  // IP, IPX and SNAP over LLC.
  f.push_back(llc_frame(concat({0x06, 0x06, 0x03}, inner_v4())));
  f.push_back(llc_frame(concat({0xe0, 0xe0, 0x03}, ipx_packet(0x0455, 0x0455, Bytes(20, 1)))));
  f.push_back(llc_frame(concat({0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, inner_v4())));
  f.push_back(llc_frame(concat({0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd}, inner_v6())));
  f.push_back(llc_frame(concat({0xaa, 0xaa, 0x03, 0, 0, 0, 0x88, 0xb5}, text_bytes("unknown"))));
  f.push_back(llc_frame(concat({0xaa, 0xaa, 0x03, 0x00, 0x80, 0xc2, 0x00, 0x0b}, text_bytes("bridged"))));
  f.push_back(llc_frame(concat({0xaa, 0xaa, 0x03, 0x08, 0x00, 0x2b, 0x12, 0x34}, text_bytes("unknown oui"))));
  f.push_back(llc_frame({0xaa, 0xaa, 0x03, 0x00}));
  // Raw 802.3 IPX (no LLC) with RIP, SAP, NetBIOS, NCP and others.
  f.push_back(llc_frame(ipx_packet(0x0453, 0x0453, concat(be16(1), {0xff, 0xff, 0xff, 0xff, 0, 1, 0, 2}))));
  f.push_back(llc_frame(ipx_packet(0x0453, 0x0453, concat(be16(2), concat({0, 0, 0, 9, 0, 1, 0, 2}, {0, 0, 0, 7, 0, 3, 0, 4})))));
  f.push_back(llc_frame(ipx_packet(0x0453, 0x0453, be16(5))));
  f.push_back(llc_frame(ipx_packet(0x0452, 0x0452, concat(be16(1), be16(4)))));
  Bytes server = concat(be16(4), text_bytes("FILESERVER"));
  server.resize(2 + 48, 0);
  server = concat(server, {0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 0x04, 0x51, 0, 1});
  f.push_back(llc_frame(ipx_packet(0x0452, 0x0452, concat(be16(2), server))));
  f.push_back(llc_frame(ipx_packet(0x0452, 0x0452, concat(be16(4), Bytes(10, 0)))));
  f.push_back(llc_frame(ipx_packet(0x0452, 0x0452, be16(7))));
  f.push_back(llc_frame(ipx_packet(0x0455, 0x0455, Bytes(50, 0x20))));
  f.push_back(llc_frame(ipx_packet(0x0451, 0x4003, Bytes(10, 0))));
  f.push_back(llc_frame(ipx_packet(0x0456, 0x0456, Bytes(10, 0))));
  f.push_back(llc_frame(ipx_packet(0x0553, 0x0553, Bytes(10, 0))));
  f.push_back(llc_frame(ipx_packet(0x9999, 0x0553, Bytes(10, 0))));
  f.push_back(ethernet(0x8137, ipx_packet(0x0455, 0x0455, Bytes(8, 0))));
  // 802.3 behind an 802.1Q tag, and Alteon jumbo frames (LLC after the type).
  f.push_back(ethernet(7, {0xf0, 0xf0, 0x03, 'v', 'l', 'a', 'n'}, {5}));
  f.push_back(ethernet(0x8870, concat({0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00}, inner_v4())));
  // A length field below the frame's length (padding follows).
  f.push_back(concat(llc_frame({0xf0, 0xf0, 0x03, 'x'}, 4), Bytes(40, 0)));
  return f;
}

// DECnet: the 2-byte little-endian length, then the routing message.
Bytes decnet(const Bytes& message) {
  uint16_t length = static_cast<uint16_t>(message.size());
  Bytes b = {static_cast<uint8_t>(length), static_cast<uint8_t>(length >> 8)};
  return ethernet(0x6003, concat(b, message));
}

Bytes le16(uint16_t v) { return {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)}; }

Bytes short_route(const Bytes& nsp) {
  Bytes h = {0x26};
  h = concat(h, le16(0x0401));
  h = concat(h, le16(0x0402));
  h.push_back(0);
  return concat(h, nsp);
}

Bytes nsp(uint8_t flags, uint16_t destination, uint16_t source, const Bytes& rest) {
  Bytes h = {flags};
  h = concat(h, le16(destination));
  h = concat(h, le16(source));
  return concat(h, rest);
}

std::vector<Bytes> decnet_frames() {
  std::vector<Bytes> f;
  Bytes hiord = {0xaa, 0x00, 0x04, 0x00};
  Bytes ehello = {0x0d, 2, 0, 0};
  ehello = concat(concat(ehello, hiord), le16(0x0401));
  ehello = concat(ehello, {0x03});
  ehello = concat(ehello, le16(1498));
  ehello = concat(ehello, {0});
  ehello = concat(ehello, Bytes(8, 0));
  ehello = concat(concat(ehello, hiord), le16(0x0402));
  ehello = concat(ehello, le16(15));
  ehello = concat(ehello, {0, 0252});
  f.push_back(decnet(ehello));
  Bytes rhello = {0x0b, 2, 0, 0};
  rhello = concat(concat(rhello, hiord), le16(0x0403));
  rhello = concat(rhello, {0x42});
  rhello = concat(rhello, le16(1498));
  rhello = concat(rhello, {64, 0});
  rhello = concat(rhello, le16(15));
  rhello = concat(rhello, {0});
  f.push_back(decnet(rhello));
  f.push_back(decnet(concat(concat({0x01}, le16(0x0405)), concat({0x0e}, concat(le16(1498), concat({2, 0, 0}, concat(le16(15), {0})))))));
  f.push_back(decnet(concat(concat({0x03}, le16(0x0405)), {7})));
  f.push_back(decnet(concat(concat({0x05}, le16(0x0405)), {0252})));
  Bytes routes = concat(concat(le16(3), le16(10)), le16(0x0c05));
  f.push_back(decnet(concat(concat({0x07}, le16(0x0405)), concat({0}, concat(routes, routes)))));
  f.push_back(decnet(concat(concat({0x09}, le16(0x0405)), concat({0}, routes))));
  f.push_back(decnet(concat(concat({0x0f}, le16(0x0405)), {0, 1, 2})));
  f.push_back(decnet({0x0d, 2, 0}));  // endnode hello, too short
  // NSP over the short routing header.
  f.push_back(decnet(short_route(nsp(0x60, 0x2004, 0x2003, concat(le16(0x8000), concat(le16(0xa001), concat(le16(1), text_bytes("payload"))))))));
  f.push_back(decnet(short_route(nsp(0x20, 0x2004, 0x2003, concat(le16(0x9005), concat(le16(7), text_bytes("x")))))));
  f.push_back(decnet(short_route(nsp(0x00, 0x2004, 0x2003, concat(le16(3), text_bytes("x"))))));
  f.push_back(decnet(short_route(nsp(0x30, 0x2004, 0x2003, concat(le16(0x8002), concat(le16(0xb003), le16(4)))))));
  for (uint8_t ls : {0x00, 0x01, 0x02, 0x03, 0x04, 0x08}) {
    f.push_back(decnet(short_route(nsp(0x10, 0x2004, 0x2003, concat(le16(0x8000), concat(le16(0xa000), concat(le16(1), {ls, 5})))))));
  }
  f.push_back(decnet(short_route(nsp(0x50, 0x2004, 0x2003, {}))));
  f.push_back(decnet(short_route(nsp(0x04, 0x2003, 0x2004, concat(le16(0x8001), le16(0xa001))))));
  f.push_back(decnet(short_route(nsp(0x14, 0x2003, 0x2004, concat(le16(0x9001), le16(0xb001))))));
  f.push_back(decnet(short_route(nsp(0x24, 0x2003, 0x2004, {}))));
  f.push_back(decnet(short_route(nsp(0x34, 0x2003, 0x2004, {}))));
  f.push_back(decnet(short_route(nsp(0x18, 0, 0x2003, concat({0x05, 0x02}, le16(16403))))));
  f.push_back(decnet(short_route(nsp(0x68, 0, 0x2003, concat({0x09, 0x00}, le16(1000))))));
  f.push_back(decnet(short_route(nsp(0x28, 0x2003, 0x2004, concat({0x04, 0x03}, concat(le16(16403), {3})))))); 
  f.push_back(decnet(short_route(nsp(0x38, 0x2003, 0x2004, concat(le16(42), {0})))));
  f.push_back(decnet(short_route(nsp(0x38, 0x2003, 0x2004, concat(le16(99), {2})))));
  f.push_back(decnet(short_route(nsp(0x48, 0x2003, 0x2004, le16(41)))));
  f.push_back(decnet(short_route(nsp(0x78, 0x2003, 0x2004, {}))));
  f.push_back(decnet(short_route(nsp(0x0c, 0x2003, 0x2004, {}))));
  f.push_back(decnet(short_route({0x08, 1, 2})));  // NSP too short
  // The long routing header, padding, routing flags, future version.
  Bytes long_header = {0x3e, 0, 0};
  long_header = concat(concat(long_header, hiord), le16(0x0402));
  long_header = concat(long_header, {0, 0});
  long_header = concat(concat(long_header, hiord), le16(0x0401));
  long_header = concat(long_header, {0, 3, 0, 0});
  f.push_back(decnet(concat(long_header, nsp(0x24, 0x2003, 0x2004, {}))));
  f.push_back(decnet(concat({0x83, 0, 0, 0}, short_route(nsp(0x24, 0x2003, 0x2004, {})))));
  f.push_back(decnet({0x46, 1, 2, 3, 4, 5}));
  f.push_back(decnet({0x03, 1, 2, 3, 4, 5}));
  f.push_back(decnet({0x04, 1, 2, 3, 4, 5}));
  return f;
}

std::vector<Bytes> ipv6_extension_frames() {
  std::vector<Bytes> f;
  Bytes udp_payload = udp(5, 6, text_bytes("ext"));
  auto v6 = [&](uint8_t next, const Bytes& payload) { f.push_back(ethernet(0x86dd, ipv6(next, payload))); };
  Bytes type0 = concat({17, 4, 0, 2, 0, 0, 0, 0}, concat(ipv6_address(7), ipv6_address(8)));
  v6(43, concat(type0, udp_payload));
  Bytes type2 = concat({6, 2, 2, 1, 0, 0, 0, 5}, ipv6_address(9));
  v6(43, concat(type2, tcp(1, 2, 0x02)));
  Bytes type4 = concat({17, 4, 4, 1, 1, 0, 0x12, 0x34}, concat(ipv6_address(10), ipv6_address(11)));
  v6(43, concat(type4, udp_payload));
  v6(43, concat({17, 2, 3, 1, 0, 0, 0, 0}, Bytes(16, 0)));   // unknown type
  v6(43, concat({17, 1, 0, 1, 0, 0, 0, 0}, Bytes(8, 0)));    // odd length
  v6(43, concat({60, 0, 0, 0, 0, 0, 0, 0}, concat({44, 0, 1, 2, 0, 0, 0, 0}, concat({17, 0, 0, 0, 0, 0, 0, 1}, udp_payload))));
  // Hop-by-hop options: pads, router alert, unknown, home address, jumbo.
  v6(0, concat({17, 0, 0, 1, 0, 1, 0, 0}, udp_payload));
  v6(0, concat({17, 0, 5, 2, 0, 0, 1, 0}, udp_payload));
  v6(0, concat({17, 0, 5, 3, 0, 0, 0, 0}, udp_payload));
  v6(0, concat({17, 0, 0x3e, 4, 1, 2, 3, 4}, udp_payload));
  v6(0, concat({17, 0, 0xc2, 4, 0, 1, 0, 0}, udp_payload));
  v6(0, concat({17, 2, 0xc9, 16}, concat(ipv6_address(3), concat({1, 4, 0, 0, 0, 0}, udp_payload))));
  v6(0, concat({17, 0, 1, 9, 0, 0, 0, 0}, udp_payload));  // option past the header
  v6(60, concat({17, 0, 0xc9, 4, 0, 0, 0, 0}, udp_payload));
  v6(60, concat({17, 0, 0xc2, 4, 0, 1, 0, 0}, udp_payload));
  v6(0, concat({0, 0, 1, 4, 0, 0, 0, 0}, concat({17, 0, 1, 4, 0, 0, 0, 0}, udp_payload)));  // two hop-by-hop
  v6(60, concat({0, 0, 1, 4, 0, 0, 0, 0}, concat({17, 0, 1, 4, 0, 0, 0, 0}, udp_payload)));
  // A jumbogram: payload length 0 and a jumbo option (bigger than the frame).
  Bytes jumbo = ipv6(0, concat({17, 0, 0xc2, 4, 0, 1, 0, 0}, udp(7, 8)));
  jumbo[4] = 0, jumbo[5] = 0;
  f.push_back(ethernet(0x86dd, jumbo));
  Bytes no_jumbo = ipv6(0, concat({17, 0, 1, 4, 0, 0, 0, 0}, udp(7, 8)));
  no_jumbo[4] = 0, no_jumbo[5] = 0;
  f.push_back(ethernet(0x86dd, no_jumbo));
  return f;
}

}  // namespace

std::vector<Bytes> further_protocol_frames() {
  std::vector<Bytes> all;
  for (const auto& group : {mpls_frames(), gre_frames(), ipsec_frames(), vrrp_frames(), pim_frames(),
                            pppoe_frames(false), llc_frames(), decnet_frames(), ipv6_extension_frames()}) {
    all.insert(all.end(), group.begin(), group.end());
  }
  return all;
}

std::vector<Bytes> further_protocol_frames_for_verbose() {
  std::vector<Bytes> all;
  for (const auto& group : {mpls_frames(), gre_frames(), ipsec_frames(), vrrp_frames(), pppoe_frames(true),
                            llc_frames(), decnet_frames(), ipv6_extension_frames()}) {
    all.insert(all.end(), group.begin(), group.end());
  }
  return all;
}

}  // namespace bpfc::dissecttest
