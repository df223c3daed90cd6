// UDP as `tcpdump -q` prints it: ports and payload length.
#include "ip_protocols.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace udp {
constexpr uint32_t kSourcePort = 0;
constexpr uint32_t kDestinationPort = 2;
constexpr uint32_t kLength = 4;
constexpr uint32_t kChecksum = 6;
constexpr uint32_t kHeader = 8;
}  // namespace udp

// -v checks the checksum of UDP over IPv6 (where it is mandatory), -vv
// over IPv4 as well, when the whole datagram was captured.
void print_checksum(Context& c, const Bytes& b, uint32_t payload_length, const IpHeader& ip) {
  Text& o = c.o;
  if (!ip.v6 && c.options.verbosity < 2) return;
  uint16_t field = b.u16(udp::kChecksum);
  if (!ip.v6 && field == 0) {
    o << "[no cksum] ";
    return;
  }
  if (!b.has(udp::kHeader, payload_length)) return;
  Checksum sum;
  ip.add_pseudo_header(sum, ip_protocol::kUdp, payload_length + udp::kHeader);
  sum.add(b.clip(payload_length + udp::kHeader));
  if (uint16_t result = sum.result(); result != 0) {
    o.print("[bad udp cksum 0x{:04x} -> 0x{:04x}!] ", field, checksum_should_be(field, result));
  } else {
    o << "[udp sum ok] ";
  }
}

void print_addresses(Text& o, const IpHeader& ip, const Bytes& b, bool with_ports) {
  if (ip.protocol_field() == ip_protocol::kUdp) {
    if (!with_ports) {
      ip.addresses(o);
      o << ": ";
      return;
    }
    ip.source(o);
    o << '.';
    o.num(b.u16(udp::kSourcePort)) << " > ";
    ip.destination(o);
    o << '.';
    o.num(b.u16(udp::kDestinationPort)) << ": ";
  } else if (with_ports) {
    o.print("{} > {}: ", b.u16(udp::kSourcePort), b.u16(udp::kDestinationPort));
  }
}

}  // namespace

void print_udp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented) {
  Text& o = c.o;
  if (!b.has(0, 4)) {
    print_addresses(o, ip, b, false);
    return o.truncated("udp");
  }
  if (length < udp::kHeader) {
    print_addresses(o, ip, b, true);
    o.print("truncated-udp {}", length);
    return;
  }
  if (!b.has(udp::kLength, 2)) {
    print_addresses(o, ip, b, true);
    return o.truncated("udp");
  }
  uint32_t udp_length = b.u16(udp::kLength);
  if (udp_length == 0 && length > 65535) udp_length = length;  // IPv6 jumbogram
  if (udp_length < udp::kHeader) {
    print_addresses(o, ip, b, true);
    o.print("truncated-udplength {}", udp_length);
    return;
  }
  udp_length -= udp::kHeader;
  length -= udp::kHeader;
  if (c.facts != nullptr) {
    c.facts->transport = "udp";
    c.facts->source_port = b.u16(udp::kSourcePort);
    c.facts->destination_port = b.u16(udp::kDestinationPort);
    c.facts->length = udp_length;
  }
  if (udp_length < length) length = udp_length;
  print_addresses(o, ip, b, true);
  if (!b.has(0, udp::kHeader)) return o.truncated("udp");
  if (c.options.verbosity > 0 && !fragmented) print_checksum(c, b, length, ip);
  if (udp_length > length && !fragmented) {
    o.print("UDP, bad length {} > {}", udp_length, length);
  } else {
    o << "UDP, length ";
    o.num(udp_length);
  }
}

}  // namespace bpfc::dissect
