#include "generated_packets.h"

#include "../cli/savefile_fixtures.h"

namespace bpfc::dissecttest {
namespace {

using clitest::concat;
using clitest::icmp;
using clitest::ipv4;
using clitest::ipv6;
using clitest::ipv6_address;
using clitest::put16;
using clitest::put32;
using clitest::tcp;
using clitest::text_bytes;
using clitest::udp;

Bytes be16(uint16_t a, uint16_t b) {
  Bytes out;
  put16(out, a);
  put16(out, b);
  return out;
}

// An IPv4 datagram with options (the header length grows to fit them).
Bytes ipv4_with_options(uint8_t protocol, const Bytes& options, const Bytes& payload, uint8_t tos = 0,
                        uint16_t fragment = 0x4000) {
  Bytes datagram = ipv4(protocol, payload, 0x0a000001, 0x0a000002, fragment);
  Bytes padded = options;
  while (padded.size() % 4 != 0) padded.push_back(0);
  datagram.insert(datagram.begin() + 20, padded.begin(), padded.end());
  datagram[0] = static_cast<uint8_t>(0x40 | (20 + padded.size()) / 4);
  datagram[1] = tos;
  uint16_t total = static_cast<uint16_t>(datagram.size());
  datagram[2] = static_cast<uint8_t>(total >> 8);
  datagram[3] = static_cast<uint8_t>(total);
  return datagram;
}

Bytes ipv6_with_flow(uint8_t next, const Bytes& payload, uint32_t class_and_flow) {
  Bytes datagram = ipv6(next, payload);
  uint32_t first = 0x60000000 | class_and_flow;
  for (int i = 0; i < 4; ++i) datagram[i] = static_cast<uint8_t>(first >> (24 - 8 * i));
  return datagram;
}

// An option of neighbour discovery: type, length in 8-octet units, value.
Bytes nd_option(uint8_t type, const Bytes& value) {
  Bytes option = {type, static_cast<uint8_t>((value.size() + 2 + 7) / 8)};
  option = concat(option, value);
  option.resize(option[1] * 8u, 0);
  return option;
}

std::vector<Bytes> ipv4_datagrams() {
  std::vector<Bytes> p;
  Bytes inner_udp = ipv4(17, udp(5353, 53, text_bytes("abcd")));
  Bytes inner_tcp = ipv4(6, tcp(40000, 443, 0x10, text_bytes("quoted payload")));
  p.push_back(ipv4(6, tcp(1234, 80, 0x02, text_bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))));
  p.push_back(ipv4(6, tcp(443, 51000, 0x18, Bytes(300, 'x'))));
  p.push_back(ipv4(17, udp(1234, 53, text_bytes("0123456789abcdef"))));
  p.push_back(ipv4(17, udp(68, 67, Bytes(40, 0))));
  Bytes bad_udp_length = udp(1234, 9999, text_bytes("ab"));
  bad_udp_length[4] = 0, bad_udp_length[5] = 100;
  p.push_back(ipv4(17, bad_udp_length));
  Bytes short_udp_length = bad_udp_length;
  short_udp_length[5] = 4;
  p.push_back(ipv4(17, short_udp_length));
  p.push_back(ipv4(1, icmp(8, 0, concat(be16(7, 9), text_bytes("ping payload with\ttab and \r\n")))));
  p.push_back(ipv4(1, icmp(0, 0, concat(be16(7, 9), Bytes(56, 'p')))));
  for (uint8_t code = 0; code < 17; ++code) p.push_back(ipv4(1, icmp(3, code, concat(be16(0, 1400), inner_udp))));
  p.push_back(ipv4(1, icmp(3, 3, concat(Bytes(4, 0), inner_tcp))));
  p.push_back(ipv4(1, icmp(3, 3, concat(Bytes(4, 0), ipv4(253, udp(1, 443))))));
  p.push_back(ipv4(1, icmp(4, 0, concat(Bytes(4, 0), inner_udp))));
  for (uint8_t code = 0; code < 5; ++code) p.push_back(ipv4(1, icmp(5, code, concat({10, 0, 0, 254}, inner_udp))));
  for (uint8_t code = 0; code < 3; ++code) p.push_back(ipv4(1, icmp(11, code, concat(Bytes(4, 0), inner_tcp))));
  p.push_back(ipv4(1, icmp(12, 0, concat({5, 0, 0, 0}, inner_udp))));
  p.push_back(ipv4(1, icmp(12, 1, concat({5, 0, 0, 0}, inner_udp))));
  p.push_back(ipv4(1, icmp(13, 0, concat(be16(3, 4), Bytes(12, 0)))));
  p.push_back(ipv4(1, icmp(14, 0, concat(be16(3, 4), {0, 0x38, 0xce, 0xfc, 0, 0, 0, 1, 0x05, 0x26, 0x5b, 0xff}))));
  p.push_back(ipv4(1, icmp(18, 0, {0, 0, 0, 0, 255, 255, 255, 0})));
  p.push_back(ipv4(1, icmp(9, 0, {2, 2, 0x07, 0x08, 10, 0, 0, 1, 0, 0, 0, 5, 10, 0, 0, 2, 0, 0, 0, 6})));
  p.push_back(ipv4(1, icmp(9, 0, {1, 2, 0x1c, 0x20, 10, 0, 0, 1, 0, 0, 0, 5})));
  p.push_back(ipv4(1, icmp(9, 0, {1, 3, 0x00, 0x20, 10, 0, 0, 1, 0, 0, 0, 5})));
  for (uint8_t type : {4, 10, 15, 16, 17, 42}) p.push_back(ipv4(1, icmp(type, 0, Bytes(4, 0))));
  // Messages too short for their checksum field.
  p.push_back(ipv4(1, {16, 0, 0}));
  p.push_back(ipv4(1, {3, 1}));
  // RFC 4884 extensions after a 128-byte quote: an MPLS label stack object
  // (with the quote's length given, and without, where only the checksum
  // tells), another object, a bad version, and no extension at all.
  Bytes quote = ipv4(17, udp(7, 8, Bytes(100, 0x11)));
  quote.resize(128, 0);
  auto extension = [](uint8_t version_byte, const Bytes& objects) {
    Bytes e = concat({version_byte, 0, 0, 0}, objects);
    uint32_t sum = 0;
    for (size_t i = 0; i < e.size(); i += 2) sum += static_cast<uint32_t>(e[i] << 8 | (i + 1 < e.size() ? e[i + 1] : 0));
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    e[2] = static_cast<uint8_t>(~sum >> 8);
    e[3] = static_cast<uint8_t>(~sum);
    return e;
  };
  Bytes mpls_object = {0, 12, 1, 1, 0x00, 0x06, 0x41, 0x40, 0x00, 0x07, 0x01, 0x3f};
  Bytes other_object = {0, 8, 2, 9, 1, 2, 3, 4};
  p.push_back(ipv4(1, icmp(11, 0, concat({0, 0, 32, 0}, concat(quote, extension(0x20, mpls_object))))));
  p.push_back(ipv4(1, icmp(3, 1, concat({0, 0, 0, 0}, concat(quote, extension(0x20, concat(other_object, mpls_object)))))));
  p.push_back(ipv4(1, icmp(12, 0, concat({8, 32, 0, 0}, concat(quote, extension(0x10, other_object))))));
  p.push_back(ipv4(1, icmp(3, 3, concat({0, 0, 0, 0}, concat(quote, Bytes(16, 0x55))))));
  p.push_back(ipv4(253, Bytes(20, 'z')));
  p.push_back(ipv4(2, Bytes(8, 0)));
  p.push_back(ipv4(17, Bytes(8, 0), 0x0a000001, 0x0a000002, 0x0010));  // a later fragment
  p.push_back(ipv4(6, tcp(1, 2, 0x02), 0x0a000001, 0x0a000002, 0x2000));  // first of several
  p.push_back(ipv4(17, udp(7, 8, Bytes(30, 1)), 0x0a000001, 0x0a000002, 0x2000));
  p.push_back(ipv4(1, icmp(8, 0, Bytes(30, 1)), 0x0a000001, 0x0a000002, 0x2000));
  p.push_back(ipv4(4, inner_udp));
  p.push_back(ipv4(41, ipv6(17, udp(1, 2, text_bytes("xyz")))));
  p.push_back(ipv4(58, Bytes(8, 0)));
  Bytes short_tcp_header = tcp(1, 2, 0x02, text_bytes("x"));
  short_tcp_header[12] = 0x30;
  p.push_back(ipv4(6, short_tcp_header));
  Bytes long_tcp_header = tcp(1, 2, 0x02);
  long_tcp_header[12] = 0x80;
  p.push_back(ipv4(6, long_tcp_header));
  Bytes total_length_too_big = ipv4(6, tcp(1, 2, 0x02));
  total_length_too_big[2] = 0x03, total_length_too_big[3] = 0xe8;
  p.push_back(total_length_too_big);
  Bytes total_length_too_small = ipv4(6, tcp(1, 2, 0x02));
  total_length_too_small[3] = 10;
  p.push_back(total_length_too_small);
  Bytes header_length_too_small = ipv4(6, tcp(1, 2, 0x02));
  header_length_too_small[0] = 0x44;
  p.push_back(header_length_too_small);
  Bytes ttl_zero = ipv4(17, udp(1, 2));
  ttl_zero[8] = 0;
  p.push_back(ttl_zero);
  // Type of service with each ECN codepoint, flags, and options.
  for (uint8_t tos : {0x00, 0x01, 0x02, 0x03, 0xb8}) {
    p.push_back(ipv4_with_options(17, {}, udp(10, 20, text_bytes("tos")), tos, 0x0000));
  }
  p.push_back(ipv4_with_options(6, {}, tcp(5, 6, 0x02), 0, 0xe000));
  p.push_back(ipv4_with_options(17, {1, 1, 0}, udp(1, 2)));  // NOP, NOP, EOL
  p.push_back(ipv4_with_options(17, {7, 11, 8, 10, 0, 0, 1, 0, 0, 0, 0}, udp(1, 2)));           // RR
  p.push_back(ipv4_with_options(17, {131, 11, 4, 10, 0, 0, 9, 10, 0, 0, 8}, udp(3, 4)));       // LSRR
  p.push_back(ipv4_with_options(17, {137, 7, 4, 10, 0, 0, 9}, udp(3, 4)));                     // SSRR
  p.push_back(ipv4_with_options(17, {148, 4, 0, 0}, udp(5, 6)));                               // router alert
  p.push_back(ipv4_with_options(17, {148, 4, 0, 7}, udp(5, 6)));
  p.push_back(ipv4_with_options(17, {68, 12, 5, 0x00, 0, 0, 0, 1, 0, 0, 0, 2}, udp(5, 6)));    // TS only
  p.push_back(ipv4_with_options(17, {68, 12, 13, 0x11, 10, 0, 0, 1, 0, 0, 0, 2}, udp(5, 6)));  // TS+ADDR
  p.push_back(ipv4_with_options(17, {68, 4, 5, 0x0f}, udp(5, 6)));                             // bad type
  p.push_back(ipv4_with_options(17, {130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}, udp(5, 6)));         // security
  p.push_back(ipv4_with_options(17, {99, 3, 0}, udp(5, 6)));                                   // unknown
  p.push_back(ipv4_with_options(17, {7, 1, 0}, udp(5, 6)));                                    // bad length
  p.push_back(ipv4_with_options(17, {7, 40, 4}, udp(5, 6)));                                   // too long
  p.push_back(ipv4_with_options(1, {131, 7, 4, 10, 9, 9, 9}, icmp(8, 0, Bytes(8, 3))));
  return p;
}

std::vector<Bytes> ipv6_datagrams() {
  std::vector<Bytes> p;
  Bytes target = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Bytes mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  Bytes inner6 = ipv6(17, udp(1, 5353, text_bytes("q")));
  p.push_back(ipv6(6, tcp(1234, 80, 0x18, text_bytes("data"))));
  p.push_back(ipv6(17, udp(1234, 53, text_bytes("data"))));
  p.push_back(ipv6_with_flow(17, udp(1, 2), 0x0ab12345));
  p.push_back(ipv6_with_flow(6, tcp(1, 2, 0x02), 0x00000001));
  p.push_back(ipv6_with_flow(58, icmp(128, 0, be16(1, 1)), 0x0e000000));
  p.push_back(ipv6(58, icmp(128, 0, concat(be16(1, 2), text_bytes("xx")))));
  p.push_back(ipv6(58, icmp(129, 0, concat(be16(1, 2), text_bytes("xx")))));
  p.push_back(ipv6(58, icmp(135, 0, concat(Bytes(4, 0), target))));
  p.push_back(ipv6(58, icmp(135, 0, concat(concat(Bytes(4, 0), target), nd_option(1, mac)))));
  p.push_back(ipv6(58, icmp(136, 0, concat(Bytes(4, 0), target))));
  p.push_back(ipv6(58, icmp(136, 0, concat(concat({0xe0, 0, 0, 0}, target), nd_option(2, mac)))));
  p.push_back(ipv6(58, icmp(133, 0, Bytes(4, 0))));
  p.push_back(ipv6(58, icmp(133, 0, concat(Bytes(4, 0), nd_option(1, mac)))));
  Bytes prefix = concat({64, 0xc0, 0, 0, 0x1c, 0x20, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, ipv6_address(0));
  Bytes rdnss = concat({0, 0, 0, 0, 0, 0, 0x0e, 0x10}, ipv6_address(53));
  Bytes dnssl = {0, 0, 0, 0, 0x0e, 0x10, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 3, 'n', 'e', 't', 0xc0, 24};
  Bytes odd_dnssl = {0, 0, 0, 0, 0, 0, 0x0e, 0x10, 7, 'e', 'x', 'a', 'm', 'p', 0xe9, 'e', 3, 'c', 'o', 'm', 0};
  Bytes route = {48, 0x08, 0, 0, 0x0e, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0};
  Bytes advertisement = {64, 0xc8, 0x07, 0x08, 0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8};
  p.push_back(ipv6(58, icmp(134, 0, advertisement)));
  Bytes every_flag = advertisement;
  every_flag[1] = 0xfa;  // managed, other, home agent, a reserved preference, ipv6 only
  p.push_back(ipv6(58, icmp(134, 0, every_flag)));
  p.push_back(ipv6(58, icmp(134, 0,
                            concat(concat(concat(advertisement, nd_option(1, mac)), nd_option(3, prefix)),
                                   concat(concat(nd_option(5, {0, 0, 0, 0, 0x05, 0xdc}), nd_option(25, rdnss)),
                                          concat(nd_option(31, dnssl), nd_option(24, route)))))));
  p.push_back(ipv6(58, icmp(134, 0, concat(advertisement, concat(nd_option(7, {0, 0, 0, 0, 0x0f, 0xa0}),
                                                                 nd_option(8, {0, 0, 0, 5, 0, 100}))))));
  p.push_back(ipv6(58, icmp(134, 0, concat(advertisement, nd_option(77, {1, 2, 3, 4, 5, 6})))));
  p.push_back(ipv6(58, icmp(134, 0, concat(advertisement, nd_option(31, odd_dnssl)))));
  p.push_back(ipv6(58, icmp(134, 0, concat(advertisement, Bytes{1, 0, 0, 0, 0, 0, 0, 0}))));  // zero length
  p.push_back(ipv6(58, icmp(137, 0, concat(Bytes(4, 0), concat(target, ipv6_address(9))))));
  p.push_back(ipv6(58, icmp(137, 0, concat(concat(Bytes(4, 0), concat(target, ipv6_address(9))),
                                           nd_option(4, concat(Bytes(6, 0), inner6))))));
  p.push_back(ipv6(58, icmp(2, 0, concat(be16(0, 1280), inner6))));
  for (uint8_t code = 0; code < 8; ++code) p.push_back(ipv6(58, icmp(1, code, concat(Bytes(4, 0), inner6))));
  p.push_back(ipv6(58, icmp(1, 4, concat(Bytes(4, 0), ipv6(6, tcp(1, 22, 0x02))))));
  p.push_back(ipv6(58, icmp(1, 4, concat(Bytes(4, 0), ipv6(0, concat({6, 0, 1, 4, 0, 0, 0, 0}, tcp(1, 22, 0x02)))))));
  p.push_back(ipv6(58, icmp(1, 4, concat(Bytes(4, 0), ipv6(132, Bytes(12, 0))))));
  for (uint8_t code = 0; code < 3; ++code) p.push_back(ipv6(58, icmp(3, code, concat(Bytes(4, 0), inner6))));
  for (uint8_t code = 0; code < 5; ++code) p.push_back(ipv6(58, icmp(4, code, concat({0, 0, 0, 7}, inner6))));
  p.push_back(ipv6(58, icmp(130, 0, concat({0, 10, 0, 0}, Bytes(16, 0)))));
  p.push_back(ipv6(58, icmp(130, 0, concat({0, 10, 0, 0}, concat(Bytes(16, 0), concat({2, 0x7d, 0, 1}, Bytes(16, 0)))))));
  p.push_back(ipv6(58, icmp(130, 0, concat({0x90, 10, 0, 0}, concat(target, concat({0x0a, 0x90, 0, 2},
                                                                                    concat(target, target)))))));
  p.push_back(ipv6(58, icmp(130, 0, concat({0, 10, 0, 0}, concat(target, {2, 0x7d, 0, 9})))));
  p.push_back(ipv6(58, icmp(130, 0, concat({0, 10, 0, 0}, Bytes(20, 0)))));
  p.push_back(ipv6(58, icmp(131, 0, concat({0, 10, 0, 0}, target))));
  p.push_back(ipv6(58, icmp(132, 0, concat({0, 10, 0, 0}, target))));
  Bytes record = concat(concat({4, 0, 0, 1}, target), target);
  p.push_back(ipv6(58, icmp(143, 0, concat({0, 0, 0, 2}, concat(record, concat({9, 0, 0, 0}, target))))));
  p.push_back(ipv6(58, icmp(143, 0, concat({0, 0, 0, 3}, record))));
  p.push_back(ipv6(58, icmp(144, 0, {0x12, 0x34, 0, 0})));
  p.push_back(ipv6(58, icmp(145, 0, concat({0x12, 0x34, 0, 0}, target))));
  p.push_back(ipv6(58, icmp(146, 0, {0x12, 0x34, 0, 0})));
  p.push_back(ipv6(58, icmp(147, 0, concat({0x12, 0x34, 0xc0, 0}, nd_option(3, prefix)))));
  for (uint8_t type : {141, 200, 250, 100}) p.push_back(ipv6(58, icmp(type, 0, text_bytes("abcdefgh"))));
  p.push_back(ipv6(58, {}));
  p.push_back(ipv6(58, {128, 0, 0}));
  p.push_back(ipv6(59, {}));
  p.push_back(ipv6(0, concat({17, 0, 1, 4, 0, 0, 0, 0}, udp(1, 2, text_bytes("hop")))));
  p.push_back(ipv6(60, concat({6, 0, 1, 4, 0, 0, 0, 0}, tcp(1, 2, 0x02, text_bytes("dst")))));
  p.push_back(ipv6(44, concat({17, 0, 0, 1, 0, 0, 0, 99}, udp(1, 2, text_bytes("frag")))));
  p.push_back(ipv6(44, concat({17, 0, 1, 0, 0, 0, 0, 99}, text_bytes("later fragment"))));
  p.push_back(ipv6(1, icmp(8, 0, Bytes(4, 0))));
  p.push_back(ipv6(2, Bytes(8, 0)));
  p.push_back(ipv6(4, ipv4(17, udp(5353, 53, text_bytes("abcd")))));
  p.push_back(ipv6(41, ipv6(6, tcp(9, 10, 0x12))));
  p.push_back(ipv6(253, Bytes(12, 1)));
  Bytes payload_too_long = ipv6(17, udp(1, 2, text_bytes("abc")));
  payload_too_long[5] = 100;
  p.push_back(payload_too_long);
  Bytes wrong_version = ipv6(17, udp(1, 2));
  wrong_version[0] = 0x50;
  p.push_back(wrong_version);
  return p;
}

uint16_t fold(uint32_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint32_t sum_words(const Bytes& b, size_t from, size_t to) {
  uint32_t sum = 0;
  for (size_t i = from; i < to; i += 2) sum += static_cast<uint32_t>(b[i] << 8 | (i + 1 < to ? b[i + 1] : 0));
  return sum;
}

void store16(Bytes& b, size_t at, uint16_t value) {
  b[at] = static_cast<uint8_t>(value >> 8);
  b[at + 1] = static_cast<uint8_t>(value);
}

}  // namespace

std::vector<Bytes> ip_datagrams() {
  std::vector<Bytes> all = ipv4_datagrams();
  for (Bytes& datagram : ipv6_datagrams()) all.push_back(std::move(datagram));
  return all;
}

std::vector<Bytes> arp_packets() {
  std::vector<Bytes> p;
  Bytes request = clitest::arp_request(0x0a000001, 0x0a000002);
  p.push_back(request);
  Bytes reply = request;
  reply[7] = 2;
  p.push_back(reply);
  Bytes with_target = request;
  with_target[18] = 0xaa;
  p.push_back(with_target);
  for (uint8_t operation : {3, 4, 8, 9, 10, 77}) {
    Bytes other = with_target;
    other[7] = operation;
    p.push_back(other);
  }
  Bytes ipv6_protocol = request;
  ipv6_protocol[2] = 0x86, ipv6_protocol[3] = 0xdd;
  p.push_back(ipv6_protocol);
  Bytes unknown_hardware = request;
  unknown_hardware[1] = 99;
  p.push_back(unknown_hardware);
  Bytes trailers = request;
  trailers[2] = 0x10, trailers[3] = 0x00;
  p.push_back(trailers);
  p.push_back(concat(request, Bytes(18, 0)));  // Ethernet padding
  return p;
}

Bytes with_checksums(Bytes datagram) {
  if (datagram.size() < 20) return datagram;
  if (datagram[0] >> 4 == 4) {
    size_t header = (datagram[0] & 0x0f) * 4u;
    if (header < 20 || header > datagram.size()) return datagram;
    store16(datagram, 10, 0);
    store16(datagram, 10, fold(sum_words(datagram, 0, header)));
    size_t total = std::min<size_t>(datagram.size(), static_cast<size_t>(datagram[2] << 8 | datagram[3]));
    if ((datagram[6] & 0x3f) != 0 || datagram[7] != 0 || total < header) return datagram;
    uint8_t protocol = datagram[9];
    size_t length = total - header;
    size_t field = protocol == 6 ? 16 : protocol == 17 ? 6 : protocol == 1 ? 2 : 0;
    if (field == 0 || length < field + 2) return datagram;
    store16(datagram, header + field, 0);
    uint32_t sum = sum_words(datagram, header, total);
    if (protocol != 1) sum += sum_words(datagram, 12, 20) + protocol + static_cast<uint32_t>(length);
    store16(datagram, header + field, fold(sum));
    return datagram;
  }
  if (datagram[0] >> 4 != 6 || datagram.size() < 40) return datagram;
  uint8_t next = datagram[6];
  size_t total = std::min<size_t>(datagram.size(), 40u + (datagram[4] << 8 | datagram[5]));
  size_t length = total - 40;
  size_t field = next == 6 ? 16 : next == 17 ? 6 : next == 58 ? 2 : 0;
  if (field == 0 || length < field + 2) return datagram;
  store16(datagram, 40 + field, 0);
  uint32_t sum = sum_words(datagram, 8, 40) + next + static_cast<uint32_t>(length) + sum_words(datagram, 40, total);
  store16(datagram, 40 + field, fold(sum));
  return datagram;
}

std::vector<Bytes> ethernet_frames() {
  std::vector<Bytes> frames;
  for (const Bytes& datagram : ip_datagrams()) {
    uint16_t type = datagram[0] >> 4 == 6 ? 0x86dd : 0x0800;
    frames.push_back(clitest::ethernet(type, datagram));
    frames.push_back(clitest::ethernet(type, with_checksums(datagram)));
  }
  for (const Bytes& arp : arp_packets()) frames.push_back(clitest::ethernet(0x0806, arp));
  Bytes rarp = arp_packets()[3];
  frames.push_back(clitest::ethernet(0x8035, rarp));
  Bytes udp_datagram = with_checksums(ipv4(17, udp(1, 80, text_bytes("tagged"))));
  frames.push_back(clitest::ethernet(0x0800, udp_datagram, {5}));
  frames.push_back(clitest::ethernet(0x0800, udp_datagram, {0xb00a}));  // priority 5, DEI
  frames.push_back(clitest::ethernet(0x86dd, ipv6(17, udp(1, 80)), {5, 7}));
  Bytes qinq = clitest::ethernet(0x0800, udp_datagram, {100, 200});
  qinq[12] = 0x88, qinq[13] = 0xa8;
  frames.push_back(qinq);
  Bytes tag9100 = clitest::ethernet(0x0806, arp_packets()[0], {9});
  tag9100[12] = 0x91, tag9100[13] = 0x00;
  frames.push_back(tag9100);
  frames.push_back(clitest::ethernet(0x88b5, text_bytes("abc"), {5}));
  frames.push_back(clitest::ethernet(0x88b5, {1, 2, 3, 4}));
  frames.push_back(clitest::ethernet(0x88b6, Bytes(30, 0)));
  frames.push_back(clitest::ethernet(0x0800, ipv4(17, udp(68, 67)), {}, Bytes(6, 0xff)));
  return frames;
}

std::vector<CapturedPacket> as_captured(const std::vector<Bytes>& packets, const std::vector<uint32_t>& caplens,
                                        int64_t first_ns) {
  std::vector<CapturedPacket> out;
  int64_t ts = first_ns;
  size_t n = 0;
  auto next_time = [&] {
    ++n;
    // Mostly forward by a second and a bit; every ninth packet a little back.
    ts += n % 9 == 0 ? -250000000 : 1000007001;
    return ts;
  };
  for (const Bytes& packet : packets) out.push_back({next_time(), packet, 0});
  for (const Bytes& packet : packets) {
    for (uint32_t caplen : caplens) {
      if (caplen >= packet.size()) continue;
      out.push_back({next_time(), Bytes(packet.begin(), packet.begin() + caplen), static_cast<uint32_t>(packet.size())});
    }
  }
  return out;
}

const std::vector<uint32_t>& interesting_caplens() {
  static const std::vector<uint32_t> caplens = {1,  4,  6,  13, 14, 16, 18, 20, 22, 24, 26, 30, 34, 38,  40,  42,
                                                46, 50, 54, 58, 62, 66, 70, 74, 78, 82, 86, 90, 96, 104, 118, 134};
  return caplens;
}

}  // namespace bpfc::dissecttest
