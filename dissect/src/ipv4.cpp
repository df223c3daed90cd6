// IPv4 (RFC 791) as `tcpdump -n -q` prints it, and raw IP captures.
#include "ip_options.h"
#include "ip_protocols.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace ipv4 {
constexpr uint32_t kVersionAndHeaderLength = 0;
constexpr uint32_t kTos = 1;
constexpr uint32_t kTotalLength = 2;
constexpr uint32_t kId = 4;
constexpr uint32_t kFragment = 6;  // flags and offset
constexpr uint32_t kTtl = 8;
constexpr uint32_t kProtocol = 9;
constexpr uint32_t kChecksum = 10;
constexpr uint32_t kMinimumHeader = 20;
constexpr uint16_t kMoreFragments = 0x2000;
constexpr uint16_t kOffsetMask = 0x1fff;
}  // namespace ipv4

constexpr Name kFragmentFlags[] = {{0x2000, "+"}, {0x4000, "DF"}, {0x8000, "rsvd"}};
constexpr std::string_view kEcnNames[] = {"", ",ECT(1)", ",ECT(0)", ",CE"};

// -v: the header's fields in parentheses, then the addresses on an
// indented line. False when tcpdump stops there (options cut short).
bool print_header_fields(Context& c, const Bytes& b, uint32_t header_length) {
  Text& o = c.o;
  uint8_t tos = b.u8(ipv4::kTos);
  o << "(tos 0x";
  o.hex(tos) << kEcnNames[tos & 0x03];
  uint8_t ttl = b.u8(ipv4::kTtl);
  if (ttl >= 1) o.print(", ttl {}", ttl);
  uint16_t fragment = b.u16(ipv4::kFragment);
  o.print(", id {}, offset {}, flags [", b.u16(ipv4::kId), (fragment & ipv4::kOffsetMask) * 8);
  std::string_view separator = "";
  for (const Name& flag : kFragmentFlags) {
    if ((fragment & flag.value) == 0) continue;
    o << separator << flag.text;
    separator = ", ";
  }
  if (separator.empty()) o << "none";
  uint8_t protocol = b.u8(ipv4::kProtocol);
  std::string_view protocol_name = ip_protocol_name(protocol);
  o.print("], proto {} ({}), length {}", protocol_name.empty() ? "unknown" : protocol_name, protocol,
          b.u16(ipv4::kTotalLength));
  bool truncated = false;
  if (header_length > ipv4::kMinimumHeader) {
    o << ", options (";
    switch (print_ip_options(c, b.from(ipv4::kMinimumHeader), header_length - ipv4::kMinimumHeader)) {
      case OptionsPrinted::Complete:
        break;
      case OptionsPrinted::Truncated:
        o << " [truncated-option]";
        truncated = true;
        break;
      case OptionsPrinted::GaveUp:
        return false;
    }
    o << ')';
  }
  if (b.has(0, header_length)) {
    Checksum sum;
    sum.add(b.clip(header_length));
    if (uint16_t result = sum.result(); result != 0) {
      uint16_t field = b.u16(ipv4::kChecksum);
      o << ", bad cksum ";
      o.hex(field) << " (->";
      o.hex(checksum_should_be(field, result)) << ")!";
    }
  }
  o << ")\n    ";
  if (truncated) {
    IpHeader{b.data, false, b}.addresses(o);
    o << ": ";
    o.truncated("ip");
    return false;
  }
  return true;
}

}  // namespace

void print_ipv4(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, 1)) return c.give_up("ip");
  unsigned version = b.u8(ipv4::kVersionAndHeaderLength) >> 4;
  if (version != 4) {
    if (version == 6) {
      o << "IP6, wrong link-layer encapsulation";
    } else {
      o.print("IP{}", version);
    }
    return o.invalid();
  }
  // With -e, the link layer has named the protocol already.
  if (!c.options.link_header) o << "IP ";
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
  IpHeader ip{b.data, false, b};
  if (c.facts != nullptr) {
    c.facts->set_addresses("IPv4", b.at(12), b.at(16), 4);
    c.facts->ip_protocol = b.u8(ipv4::kProtocol);
  }
  if (c.options.verbosity > 0 && !print_header_fields(c, b, header_length)) return;
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
  c.link_header_length = 0;
  if (c.options.link_header) c.o << "ip: ";
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
