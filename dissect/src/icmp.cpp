// ICMP (RFC 792 and its extensions) as `tcpdump -q` prints it: a table of
// message types, each with a small function for the text after "ICMP ".
#include <span>

#include "ip_protocols.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace icmp {
constexpr uint32_t kType = 0;
constexpr uint32_t kCode = 1;
constexpr uint32_t kId = 4;             // echo, timestamp
constexpr uint32_t kSequence = 6;
constexpr uint32_t kGateway = 4;        // redirect
constexpr uint32_t kNextHopMtu = 6;     // fragmentation needed
constexpr uint32_t kPointer = 4;        // parameter problem
constexpr uint32_t kAddressCount = 4;   // router advertisement
constexpr uint32_t kAddressEntrySize = 5;
constexpr uint32_t kLifetime = 6;
constexpr uint32_t kRouterEntries = 8;
constexpr uint32_t kOriginateTime = 8;  // timestamp
constexpr uint32_t kReceiveTime = 12;
constexpr uint32_t kTransmitTime = 16;
constexpr uint32_t kAddressMask = 8;
// The IP header of the datagram an error message quotes, and its fields.
constexpr uint32_t kQuoted = 8;
constexpr uint32_t kQuotedProtocol = kQuoted + 9;
constexpr uint32_t kQuotedDestination = kQuoted + 16;
}  // namespace icmp

// Destination-unreachable codes whose text is "[net |host ]<addr> unreachable<suffix>".
struct UnreachableText {
  uint8_t code;
  std::string_view prefix;
  std::string_view suffix;
};
constexpr UnreachableText kUnreachable[] = {
    {0, "net ", ""},
    {1, "host ", ""},
    {5, "", " - source route failed"},
    {6, "net ", " - unknown"},
    {7, "host ", " - unknown"},
    {8, "", " - source host isolated"},
    {9, "net ", " - admin prohibited"},
    {10, "host ", " - admin prohibited"},
    {11, "net ", " - tos prohibited"},
    {12, "host ", " - tos prohibited"},
    {13, "host ", " - admin prohibited filter"},
    {14, "host ", " - host precedence violation"},
    {15, "host ", " - precedence cutoff"},
};

// Each describer writes the text between "ICMP " and ", length N"; false
// when a field it needs was not captured (tcpdump then prints nothing of it).
using Describe = bool (*)(Text& o, const Bytes& b, uint8_t code);

bool describe_echo(Text& o, const Bytes& b, uint8_t, std::string_view name) {
  if (!b.has(icmp::kId, 4)) return false;
  o.print("{}, id {}, seq {}", name, b.u16(icmp::kId), b.u16(icmp::kSequence));
  return true;
}
bool describe_echo_request(Text& o, const Bytes& b, uint8_t code) { return describe_echo(o, b, code, "echo request"); }
bool describe_echo_reply(Text& o, const Bytes& b, uint8_t code) { return describe_echo(o, b, code, "echo reply"); }

bool describe_unreachable(Text& o, const Bytes& b, uint8_t code) {
  switch (code) {
    case 2:  // protocol unreachable
      if (!b.has(icmp::kQuoted, 20)) return false;
      o.ipv4(b.at(icmp::kQuotedDestination));
      o.print(" protocol {} unreachable", b.u8(icmp::kQuotedProtocol));
      return true;
    case 3: {  // port unreachable: the port of the quoted datagram
      if (!b.has(icmp::kQuotedProtocol, 1) || !b.has(icmp::kQuoted, 1)) return false;
      uint32_t inner_header = (b.u8(icmp::kQuoted) & 0x0f) * 4u;
      uint32_t port_offset = icmp::kQuoted + inner_header + 2;
      if (!b.has(port_offset, 2) || !b.has(icmp::kQuotedDestination, 4)) return false;
      uint8_t protocol = b.u8(icmp::kQuotedProtocol);
      o.ipv4(b.at(icmp::kQuotedDestination));
      if (protocol == ip_protocol::kTcp || protocol == ip_protocol::kUdp) {
        o.print(" {} port {} unreachable", protocol == ip_protocol::kTcp ? "tcp" : "udp", b.u16(port_offset));
      } else {
        o.print(" protocol {} port {} unreachable", protocol, b.u16(port_offset));
      }
      return true;
    }
    case 4: {  // fragmentation needed
      if (!b.has(icmp::kNextHopMtu, 2) || !b.has(icmp::kQuotedDestination, 4)) return false;
      uint16_t mtu = b.u16(icmp::kNextHopMtu);
      o.ipv4(b.at(icmp::kQuotedDestination)) << " unreachable - need to frag";
      if (mtu != 0) o.print(" (mtu {})", mtu);
      return true;
    }
    default:
      break;
  }
  if (!b.has(icmp::kQuotedDestination, 4)) return false;
  for (const UnreachableText& text : kUnreachable) {
    if (text.code != code) continue;
    o << text.prefix;
    o.ipv4(b.at(icmp::kQuotedDestination)) << " unreachable" << text.suffix;
    return true;
  }
  o.ipv4(b.at(icmp::kQuotedDestination));
  o.print(" unreachable - #{}", code);
  return true;
}

bool describe_redirect(Text& o, const Bytes& b, uint8_t code) {
  if (!b.has(icmp::kQuotedDestination, 4) || !b.has(icmp::kGateway, 4)) return false;
  static constexpr std::string_view kKinds[] = {"redirect ", "redirect ", "redirect-tos ", "redirect-tos "};
  static constexpr std::string_view kTargets[] = {" to net ", " to host ", " to net ", " to host "};
  if (code < 4) {
    o << kKinds[code];
    o.ipv4(b.at(icmp::kQuotedDestination)) << kTargets[code];
  } else {
    o.print("redirect-#{} ", code);
    o.ipv4(b.at(icmp::kQuotedDestination)) << " to ";
  }
  o.ipv4(b.at(icmp::kGateway));
  return true;
}

// tcpdump's unsigned_relts_print() for lifetimes of up to 18 hours.
void print_lifetime(Text& o, uint32_t seconds) {
  if (seconds < 60) {
    o.num(seconds);
  } else if (seconds < 3600) {
    o.print("{}:{:02}", seconds / 60, seconds % 60);
  } else {
    o.print("{}:{:02}:{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60);
  }
}

bool describe_router_advertisement(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kAddressCount, 4)) return false;
  o << "router advertisement lifetime ";
  print_lifetime(o, b.u16(icmp::kLifetime));
  uint32_t count = b.u8(icmp::kAddressCount), entry_size = b.u8(icmp::kAddressEntrySize);
  o.print(" {}:", count);
  if (entry_size != 2) {
    o.print(" [size {}]", entry_size);
    return true;
  }
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t offset = icmp::kRouterEntries + 8 * i;
    if (!b.has(offset, 8)) return false;
    o << " {";
    o.ipv4(b.at(offset));
    o.print(" {}}}", b.u32(offset + 4));
  }
  return true;
}

bool describe_time_exceeded(Text& o, const Bytes& b, uint8_t code) {
  if (!b.has(icmp::kQuotedDestination, 4)) return false;
  if (code == 0) {
    o << "time exceeded in-transit";
  } else if (code == 1) {
    o << "ip reassembly time exceeded";
  } else {
    o.print("time exceeded-#{}", code);
  }
  return true;
}

bool describe_parameter_problem(Text& o, const Bytes& b, uint8_t code) {
  if (code != 0) {
    o.print("parameter problem - code {}", code);
    return true;
  }
  if (!b.has(icmp::kPointer, 1)) return false;
  o.print("parameter problem - octet {}", b.u8(icmp::kPointer));
  return true;
}

bool describe_timestamp_request(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kId, 4)) return false;
  o.print("time stamp query id {} seq {}", b.u16(icmp::kId), b.u16(icmp::kSequence));
  return true;
}

// Milliseconds since midnight UTC as HH:MM:SS.mmm.
void print_milliseconds(Text& o, uint32_t ms) {
  uint32_t seconds = ms / 1000;
  o.print("{:02}:{:02}:{:02}.{:03}", seconds / 3600, seconds / 60 % 60, seconds % 60, ms % 1000);
}

bool describe_timestamp_reply(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kId, 16)) return false;
  o.print("time stamp reply id {} seq {}: org ", b.u16(icmp::kId), b.u16(icmp::kSequence));
  print_milliseconds(o, b.u32(icmp::kOriginateTime));
  o << ", recv ";
  print_milliseconds(o, b.u32(icmp::kReceiveTime));
  o << ", xmit ";
  print_milliseconds(o, b.u32(icmp::kTransmitTime));
  return true;
}

bool describe_mask_reply(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kAddressMask, 4)) return false;
  o << "address mask is 0x";
  o.hex8(b.u32(icmp::kAddressMask));
  return true;
}

struct IcmpType {
  uint8_t type;
  Describe describe;     // null: the name alone
  std::string_view name;
};

constexpr IcmpType kTypes[] = {
    {0, describe_echo_reply, {}},
    {3, describe_unreachable, {}},
    {4, nullptr, "source quench"},
    {5, describe_redirect, {}},
    {8, describe_echo_request, {}},
    {9, describe_router_advertisement, {}},
    {10, nullptr, "router solicitation"},
    {11, describe_time_exceeded, {}},
    {12, describe_parameter_problem, {}},
    {13, describe_timestamp_request, {}},
    {14, describe_timestamp_reply, {}},
    {15, nullptr, "information request"},
    {16, nullptr, "information reply"},
    {17, nullptr, "address mask request"},
    {18, describe_mask_reply, {}},
};

bool describe(Text& o, const Bytes& b) {
  uint8_t type = b.u8(icmp::kType), code = b.u8(icmp::kCode);
  for (const IcmpType& entry : kTypes) {
    if (entry.type != type) continue;
    if (entry.describe == nullptr) {
      o << entry.name;
      return true;
    }
    return entry.describe(o, b, code);
  }
  o.print("type-#{}", type);
  return true;
}

}  // namespace

void print_icmp(Context& c, Bytes b, uint32_t length, const IpHeader&, bool) {
  Text& o = c.o;
  if (!b.has(0, 2)) return o.truncated("icmp");
  size_t start = o.size();
  o << "ICMP ";
  if (!describe(o, b)) {
    o.cut_back_to(start);
    return o.truncated("icmp");
  }
  o.print(", length {}", length);
}

}  // namespace bpfc::dissect
