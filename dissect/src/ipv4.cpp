// IPv4 (RFC 791) as `tcpdump -n -q` prints it, and raw IP captures.
#include "ip_protocols.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace ipv4 {
constexpr uint32_t kVersionAndHeaderLength = 0;
constexpr uint32_t kTotalLength = 2;
constexpr uint32_t kFragment = 6;  // flags and offset
constexpr uint32_t kProtocol = 9;
constexpr uint32_t kMinimumHeader = 20;
constexpr uint16_t kMoreFragments = 0x2000;
constexpr uint16_t kOffsetMask = 0x1fff;
}  // namespace ipv4

}  // namespace

void print_ipv4(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, 1)) return o.truncated("ip");
  unsigned version = b.u8(ipv4::kVersionAndHeaderLength) >> 4;
  if (version != 4) {
    if (version == 6) {
      o << "IP6, wrong link-layer encapsulation";
    } else {
      o.print("IP{}", version);
    }
    return o.invalid();
  }
  o << "IP ";
  if (!b.has(0, ipv4::kMinimumHeader)) return o.truncated("ip");
  if (length < ipv4::kMinimumHeader) {
    o.print("truncated-ip {}", length);
    return;
  }
  uint32_t header_length = (b.u8(ipv4::kVersionAndHeaderLength) & 0x0f) * 4u;
  if (header_length < ipv4::kMinimumHeader) {
    o.print("bad-hlen {}", header_length);
    return;
  }
  uint32_t total_length = b.u16(ipv4::kTotalLength);
  if (length < total_length) o.print("truncated-ip - {} bytes missing! ", total_length - length);
  if (total_length < header_length) {
    o.print("bad-len {}", total_length);
    return;
  }
  b = b.clip(total_length);
  IpHeader ip{b.data, false};
  uint16_t fragment = b.u16(ipv4::kFragment);
  uint8_t protocol = b.u8(ipv4::kProtocol);
  if ((fragment & ipv4::kOffsetMask) != 0) {
    // A later fragment: no transport header to show.
    ip.addresses(o);
    o.print(": ip-proto-{}", protocol);
    return;
  }
  if (!ip_protocol::prints_own_addresses(protocol)) {
    ip.addresses(o);
    o << ": ";
  }
  if (!b.has(0, header_length)) {
    o.print(" [remaining caplen({}) < header length({})]", b.size, header_length);
    return c.give_up("ip");
  }
  bool more_fragments = (fragment & ipv4::kMoreFragments) != 0;
  print_ip_payload(c, protocol, b.from(header_length), total_length - header_length, ip, more_fragments);
}

void print_raw_ip(Context& c, Bytes b, uint32_t length) {
  if (length < 1) {
    c.o.print("truncated-ip {}", length);
    return;
  }
  if (!b.has(0, 1)) return c.o.truncated("ipn");
  switch (b.u8(0) >> 4) {
    case 4:
      return print_ipv4(c, b, length);
    case 6:
      return print_ipv6(c, b, length);
    default:
      c.o.print("unknown ip {}", b.u8(0) >> 4);
  }
}

}  // namespace bpfc::dissect
