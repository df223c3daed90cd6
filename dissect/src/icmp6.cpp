// ICMPv6 (RFC 4443, neighbour discovery, MLD) as `tcpdump -q` prints it: a
// table of message types with their names and a small function each for
// what follows the name.
#include "ip_protocols.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace icmp6 {
constexpr uint32_t kType = 0;
constexpr uint32_t kCode = 1;
constexpr uint32_t kMtu = 4;           // packet too big
constexpr uint32_t kPointer = 4;       // parameter problem
constexpr uint32_t kId = 4;            // echo, home agent discovery
constexpr uint32_t kSequence = 6;
constexpr uint32_t kMaxResponseDelay = 4;  // MLD
constexpr uint32_t kMldAddress = 8;
constexpr uint32_t kMld2SourceCount = 26;
constexpr uint32_t kMld2RecordCount = 6;
constexpr uint32_t kTarget = 8;        // neighbour solicitation/advertisement, redirect
constexpr uint32_t kRedirectDestination = 24;
// The IPv6 header of the datagram an error message quotes.
constexpr uint32_t kQuoted = 8;
constexpr uint32_t kQuotedSource = kQuoted + 8;
constexpr uint32_t kQuotedDestination = kQuoted + 24;
}  // namespace icmp6

// The TCP or UDP header quoted in an ICMPv6 error, after the quoted IPv6
// header and its extension headers: its protocol and offset. False when the
// quote holds no TCP/UDP header whose destination port was captured.
bool quoted_transport(const Bytes& b, uint32_t ip_offset, uint8_t& protocol, uint32_t& offset) {
  if (!b.has(ip_offset + 6, 1)) return false;
  uint8_t next = b.u8(ip_offset + 6);
  offset = ip_offset;
  uint32_t header_length = 40;
  while (offset < b.size) {
    offset += header_length;
    switch (next) {
      case ip_protocol::kTcp:
      case ip_protocol::kUdp:
        protocol = next;
        return b.has(offset, 4);
      case ip_protocol::kHopByHop:
      case ip_protocol::kDestinationOptions:
      case ip_protocol::kRouting:
        if (!b.has(offset, 2)) return false;
        next = b.u8(offset);
        header_length = (b.u8(offset + 1) + 1u) * 8;
        break;
      case ip_protocol::kFragment:
        if (!b.has(offset, 4) || (b.u16(offset + 2) & 0xfff8) != 0) return false;
        next = b.u8(offset);
        header_length = 8;
        break;
      case ip_protocol::kAh:
        if (!b.has(offset, 2)) return false;
        next = b.u8(offset);
        header_length = (b.u8(offset + 1) + 2u) * 4;
        break;
      default:
        return false;
    }
  }
  return false;
}

// What a describer reports: whether its fields were captured, and whether
// tcpdump ends the line with ", length N".
enum class Described { Truncated, WithLength, Complete };

using Describe = Described (*)(Text& o, const Bytes& b, uint8_t code, uint32_t length);

Described describe_unreachable(Text& o, const Bytes& b, uint8_t code, uint32_t) {
  static constexpr std::string_view kCodes[] = {"unreachable route", " unreachable prohibited", "beyond scope",
                                               "unreachable address", "unreachable port"};
  o << ", ";
  if (code < std::size(kCodes)) {
    o << kCodes[code];
  } else {
    o.print("unknown unreach code ({})", code);
  }
  switch (code) {
    case 0:
    case 1:
    case 3:
      if (!b.has(icmp6::kQuotedDestination, 16)) return Described::Truncated;
      o << ' ';
      o.ipv6(b.at(icmp6::kQuotedDestination));
      return Described::WithLength;
    case 2:
      if (!b.has(icmp6::kQuotedSource, 32)) return Described::Truncated;
      o << ' ';
      o.ipv6(b.at(icmp6::kQuotedDestination)) << ", source address ";
      o.ipv6(b.at(icmp6::kQuotedSource));
      return Described::WithLength;
    case 4: {
      uint8_t protocol = 0;
      uint32_t offset = 0;
      if (!quoted_transport(b, icmp6::kQuoted, protocol, offset)) return Described::Truncated;
      if (!b.has(icmp6::kQuotedDestination, 16)) return Described::Truncated;
      o << ", ";
      o.ipv6(b.at(icmp6::kQuotedDestination));
      o.print(" {} port {}", protocol == ip_protocol::kTcp ? "tcp" : "udp", b.u16(offset + 2));
      return Described::WithLength;
    }
    default:
      return Described::Complete;  // tcpdump adds a hex dump instead of the length
  }
}

Described describe_packet_too_big(Text& o, const Bytes& b, uint8_t, uint32_t) {
  if (!b.has(icmp6::kMtu, 4)) return Described::Truncated;
  o.print(", mtu {}", b.u32(icmp6::kMtu));
  return Described::WithLength;
}

Described describe_time_exceeded(Text& o, const Bytes& b, uint8_t code, uint32_t) {
  if (code == 0) {
    if (!b.has(icmp6::kQuotedDestination, 16)) return Described::Truncated;
    o << " for ";
    o.ipv6(b.at(icmp6::kQuotedDestination));
  } else if (code == 1) {
    o << " (reassembly)";
  } else {
    o.print(", unknown code ({})", code);
  }
  return Described::WithLength;
}

Described describe_parameter_problem(Text& o, const Bytes& b, uint8_t code, uint32_t) {
  if (!b.has(icmp6::kQuotedDestination, 16)) return Described::Truncated;
  static constexpr std::string_view kCodes[] = {", erroneous - octet ", ", next header - octet ",
                                               ", option - octet ", ", incomplete header chain - octet "};
  if (code < std::size(kCodes)) {
    o << kCodes[code];
    o.num(b.u32(icmp6::kPointer));
  } else {
    o.print(", code-#{}", code);
  }
  return Described::WithLength;
}

Described describe_echo(Text& o, const Bytes& b, uint8_t, uint32_t) {
  if (!b.has(icmp6::kId, 4)) return Described::Truncated;
  o.print(", id {}, seq {}", b.u16(icmp6::kId), b.u16(icmp6::kSequence));
  return Described::WithLength;
}

Described describe_mld(Text& o, const Bytes& b, uint8_t, uint32_t) {
  // tcpdump prints this without a separator after the type name.
  if (b.has(0, 24)) {
    o.print("max resp delay: {} addr: ", b.u16(icmp6::kMaxResponseDelay));
    o.ipv6(b.at(icmp6::kMldAddress));
  }
  return Described::WithLength;
}

Described describe_mld_query(Text& o, const Bytes& b, uint8_t code, uint32_t length) {
  if (length == 24) return describe_mld(o, b, code, length);
  if (length < 28) {
    o.print(" unknown-version (len {}) ", length);
    return Described::WithLength;
  }
  o << " v2";
  if (!b.has(icmp6::kMaxResponseDelay, 2) || !b.has(icmp6::kMldAddress, 16)) return Described::Truncated;
  o << " [gaddr ";
  o.ipv6(b.at(icmp6::kMldAddress));
  if (!b.has(icmp6::kMld2SourceCount, 2)) return Described::Truncated;
  uint32_t sources = b.u16(icmp6::kMld2SourceCount);
  if (sources > 0) {
    if (length < 28 + sources * 16) {
      o << " [invalid number of sources]";
    } else {
      o.print(", {} source(s)", sources);
    }
  }
  o << ']';
  return Described::WithLength;
}

Described describe_neighbor_solicitation(Text& o, const Bytes& b, uint8_t, uint32_t) {
  if (!b.has(icmp6::kTarget, 16)) return Described::Truncated;
  o << ", who has ";
  o.ipv6(b.at(icmp6::kTarget));
  return Described::WithLength;
}

Described describe_neighbor_advertisement(Text& o, const Bytes& b, uint8_t, uint32_t) {
  if (!b.has(icmp6::kTarget, 16)) return Described::Truncated;
  o << ", tgt is ";
  o.ipv6(b.at(icmp6::kTarget));
  return Described::WithLength;
}

Described describe_redirect(Text& o, const Bytes& b, uint8_t, uint32_t) {
  if (!b.has(icmp6::kTarget, 32)) return Described::Truncated;
  o << ", ";
  o.ipv6(b.at(icmp6::kRedirectDestination)) << " to ";
  o.ipv6(b.at(icmp6::kTarget));
  return Described::WithLength;
}

Described describe_mld2_report(Text& o, const Bytes& b, uint8_t, uint32_t length) {
  if (length < 8) {
    o.print(" [invalid len {}]", length);
    return Described::WithLength;
  }
  if (!b.has(icmp6::kMld2RecordCount, 2)) return Described::Truncated;
  o.print(", {} group record(s)", b.u16(icmp6::kMld2RecordCount));
  return Described::WithLength;
}

Described describe_home_agent_id(Text& o, const Bytes& b, uint8_t, uint32_t) {
  if (!b.has(icmp6::kId, 2)) return Described::Truncated;
  o << ", id 0x";
  o.hex4(b.u16(icmp6::kId));
  return Described::WithLength;
}

// Messages whose detailed tcpdump dissection (options, router renumbering,
// node information, RPL) bpfc leaves out: the name and length only.
Described describe_nothing(Text&, const Bytes&, uint8_t, uint32_t) { return Described::WithLength; }

struct Icmp6Type {
  uint8_t type;
  std::string_view name;
  Describe describe;
};

constexpr Icmp6Type kTypes[] = {
    {1, "destination unreachable", describe_unreachable},
    {2, "packet too big", describe_packet_too_big},
    {3, "time exceeded in-transit", describe_time_exceeded},
    {4, "parameter problem", describe_parameter_problem},
    {128, "echo request", describe_echo},
    {129, "echo reply", describe_echo},
    {130, "multicast listener query", describe_mld_query},
    {131, "multicast listener report", describe_mld},
    {132, "multicast listener done", describe_mld},
    {133, "router solicitation", describe_nothing},
    {134, "router advertisement", describe_nothing},
    {135, "neighbor solicitation", describe_neighbor_solicitation},
    {136, "neighbor advertisement", describe_neighbor_advertisement},
    {137, "redirect", describe_redirect},
    {138, "router renumbering", describe_nothing},
    {139, "who-are-you request", describe_nothing},
    {140, "who-are-you reply", describe_nothing},
    {141, "inverse neighbor solicitation", describe_nothing},
    {142, "inverse neighbor advertisement", describe_nothing},
    {143, "multicast listener report v2", describe_mld2_report},
    {144, "ha discovery request", describe_home_agent_id},
    {145, "ha discovery reply", describe_nothing},
    {146, "mobile router solicitation", describe_home_agent_id},
    {147, "mobile router advertisement", describe_nothing},
    {155, "RPL", describe_nothing},
    {200, "mtrace response", nullptr},
    {201, "mtrace message", nullptr},
};

const Icmp6Type* find_type(uint8_t type) {
  for (const Icmp6Type& entry : kTypes) {
    if (entry.type == type) return &entry;
  }
  return nullptr;
}

}  // namespace

void print_icmp6(Context& c, Bytes b, uint32_t length, const IpHeader&, bool) {
  Text& o = c.o;
  if (length == 0) {
    o << "ICMP6, length 0 (invalid)";
    return;
  }
  if (!b.has(0, 1)) return o.truncated("icmp6");
  o << "ICMP6, ";
  uint8_t type = b.u8(icmp6::kType);
  const Icmp6Type* entry = find_type(type);
  if (entry == nullptr) {
    o.print("unknown icmp6 type ({})", type);
  } else {
    o << entry->name;
  }
  // Unlike ICMPv4, tcpdump prints ICMPv6 details as it goes, so a missing
  // field cuts the line where it is.
  if (!b.has(icmp6::kCode, 1)) return o.truncated("icmp6");
  Described described = Described::WithLength;
  if (entry == nullptr || entry->describe == nullptr) {
    o.print(", length {}", length);
    return;
  }
  described = entry->describe(o, b, b.u8(icmp6::kCode), length);
  if (described == Described::Truncated) return o.truncated("icmp6");
  if (described == Described::WithLength) o.print(", length {}", length);
}

}  // namespace bpfc::dissect
