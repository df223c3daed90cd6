// ICMP (RFC 792 and its extensions) as `tcpdump -q` prints it: a table of
// message types, each with a small function for the text after "ICMP ".
#include <span>

#include "icmp6.h"
#include "ip_protocols.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace icmp {
constexpr uint32_t kType = 0;
constexpr uint32_t kCode = 1;
constexpr uint32_t kChecksum = 2;
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

// What a describer found: tcpdump checks some fields before it reads them
// (and then prints [|icmp]) and reads others unchecked (and then gives up
// on the packet). Either way it prints nothing of the description.
enum class Described { Complete, Truncated, GaveUp };

// Each describer writes the text between "ICMP " and ", length N".
using Describe = Described (*)(Text& o, const Bytes& b, uint8_t code);

Described describe_echo(Text& o, const Bytes& b, uint8_t, std::string_view name) {
  if (!b.has(icmp::kId, 4)) return Described::GaveUp;
  o << name << ", id ";
  o.num(b.u16(icmp::kId)) << ", seq ";
  o.num(b.u16(icmp::kSequence));
  return Described::Complete;
}
Described describe_echo_request(Text& o, const Bytes& b, uint8_t code) { return describe_echo(o, b, code, "echo request"); }
Described describe_echo_reply(Text& o, const Bytes& b, uint8_t code) { return describe_echo(o, b, code, "echo reply"); }

Described describe_unreachable(Text& o, const Bytes& b, uint8_t code) {
  switch (code) {
    case 2:  // protocol unreachable
      if (!b.has(icmp::kQuotedDestination, 4) || !b.has(icmp::kQuotedProtocol, 1)) return Described::GaveUp;
      o.ipv4(b.at(icmp::kQuotedDestination));
      o.print(" protocol {} unreachable", b.u8(icmp::kQuotedProtocol));
      return Described::Complete;
    case 3: {  // port unreachable: the port of the quoted datagram
      if (!b.has(icmp::kQuotedProtocol, 1)) return Described::Truncated;
      uint32_t inner_header = (b.u8(icmp::kQuoted) & 0x0f) * 4u;
      uint32_t port_offset = icmp::kQuoted + inner_header + 2;
      if (!b.has(port_offset, 2) || !b.has(icmp::kQuotedDestination, 4)) return Described::GaveUp;
      uint8_t protocol = b.u8(icmp::kQuotedProtocol);
      o.ipv4(b.at(icmp::kQuotedDestination));
      if (protocol == ip_protocol::kTcp || protocol == ip_protocol::kUdp) {
        o.print(" {} port {} unreachable", protocol == ip_protocol::kTcp ? "tcp" : "udp", b.u16(port_offset));
      } else {
        o.print(" protocol {} port {} unreachable", protocol, b.u16(port_offset));
      }
      return Described::Complete;
    }
    case 4: {  // fragmentation needed
      if (!b.has(icmp::kNextHopMtu, 2) || !b.has(icmp::kQuotedDestination, 4)) return Described::GaveUp;
      uint16_t mtu = b.u16(icmp::kNextHopMtu);
      o.ipv4(b.at(icmp::kQuotedDestination)) << " unreachable - need to frag";
      if (mtu != 0) o.print(" (mtu {})", mtu);
      return Described::Complete;
    }
    default:
      break;
  }
  if (!b.has(icmp::kQuotedDestination, 4)) return Described::GaveUp;
  for (const UnreachableText& text : kUnreachable) {
    if (text.code != code) continue;
    o << text.prefix;
    o.ipv4(b.at(icmp::kQuotedDestination)) << " unreachable" << text.suffix;
    return Described::Complete;
  }
  o.ipv4(b.at(icmp::kQuotedDestination));
  o.print(" unreachable - #{}", code);
  return Described::Complete;
}

Described describe_redirect(Text& o, const Bytes& b, uint8_t code) {
  if (!b.has(icmp::kQuotedDestination, 4) || !b.has(icmp::kGateway, 4)) return Described::GaveUp;
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
  return Described::Complete;
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

Described describe_router_advertisement(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kAddressCount, 4)) return Described::Truncated;
  o << "router advertisement lifetime ";
  print_lifetime(o, b.u16(icmp::kLifetime));
  uint32_t count = b.u8(icmp::kAddressCount), entry_size = b.u8(icmp::kAddressEntrySize);
  o.print(" {}:", count);
  if (entry_size != 2) {
    o.print(" [size {}]", entry_size);
    return Described::Complete;
  }
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t offset = icmp::kRouterEntries + 8 * i;
    if (!b.has(offset, 8)) return Described::Truncated;
    o << " {";
    o.ipv4(b.at(offset));
    o.print(" {}}}", b.u32(offset + 4));
  }
  return Described::Complete;
}

Described describe_time_exceeded(Text& o, const Bytes& b, uint8_t code) {
  if (!b.has(icmp::kQuotedDestination, 4)) return Described::Truncated;
  if (code == 0) {
    o << "time exceeded in-transit";
  } else if (code == 1) {
    o << "ip reassembly time exceeded";
  } else {
    o.print("time exceeded-#{}", code);
  }
  return Described::Complete;
}

Described describe_parameter_problem(Text& o, const Bytes& b, uint8_t code) {
  if (code != 0) {
    o.print("parameter problem - code {}", code);
    return Described::Complete;
  }
  if (!b.has(icmp::kPointer, 1)) return Described::GaveUp;
  o.print("parameter problem - octet {}", b.u8(icmp::kPointer));
  return Described::Complete;
}

Described describe_timestamp_request(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kId, 4)) return Described::GaveUp;
  o.print("time stamp query id {} seq {}", b.u16(icmp::kId), b.u16(icmp::kSequence));
  return Described::Complete;
}

// Milliseconds since midnight UTC as HH:MM:SS.mmm.
void print_milliseconds(Text& o, uint32_t ms) {
  uint32_t seconds = ms / 1000;
  o.print("{:02}:{:02}:{:02}.{:03}", seconds / 3600, seconds / 60 % 60, seconds % 60, ms % 1000);
}

Described describe_timestamp_reply(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kTransmitTime, 4)) return Described::Truncated;
  o.print("time stamp reply id {} seq {}: org ", b.u16(icmp::kId), b.u16(icmp::kSequence));
  print_milliseconds(o, b.u32(icmp::kOriginateTime));
  o << ", recv ";
  print_milliseconds(o, b.u32(icmp::kReceiveTime));
  o << ", xmit ";
  print_milliseconds(o, b.u32(icmp::kTransmitTime));
  return Described::Complete;
}

Described describe_mask_reply(Text& o, const Bytes& b, uint8_t) {
  if (!b.has(icmp::kAddressMask, 4)) return Described::GaveUp;
  o << "address mask is 0x";
  o.hex8(b.u32(icmp::kAddressMask));
  return Described::Complete;
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

// The types that quote the datagram they are about.
bool is_error(uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }

// RFC 4884 multi-part messages: extensions after 128 bytes of quoted
// datagram (destination unreachable, time exceeded, parameter problem).
namespace extension {
constexpr uint32_t kOriginalLength = 5;  // the quote's length in words; 0 in pre-RFC 4884 senders
constexpr uint32_t kHeader = 136;        // ICMP header and the 128-byte quote
constexpr uint32_t kChecksum = 138;
constexpr uint32_t kObjects = 140;
constexpr uint32_t kCapturedMinimum = 141;  // what tcpdump checks is captured first
constexpr uint8_t kVersion = 2;
constexpr uint8_t kMplsStackEntry = 1;
}  // namespace extension

bool has_extensions(uint8_t type) { return type == 3 || type == 11 || type == 12; }

void print_extensions(Context& c, const Bytes& b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, extension::kCapturedMinimum)) return o.truncated("icmp");
  uint32_t extension_length = length - extension::kHeader;
  // Without a length field, only a valid checksum says an extension is there.
  if (b.u8(extension::kOriginalLength) == 0 && b.has(extension::kHeader, extension_length)) {
    Checksum sum;
    sum.add(b.from(extension::kHeader).clip(extension_length));
    if (sum.result() != 0) return;
  }
  uint8_t version = b.u8(extension::kHeader) >> 4;
  o.print("\n\tICMP Multi-Part extension v{}", version);
  if (version != extension::kVersion) {
    o << " packet not supported";
    return;
  }
  if (b.has(extension::kHeader, extension_length)) {
    Checksum sum;
    sum.add(b.from(extension::kHeader).clip(extension_length));
    o.print(", checksum 0x{:04x} ({}correct), length {}", b.u16(extension::kChecksum), sum.result() != 0 ? "in" : "",
            extension_length);
  }
  uint32_t left = extension_length - 4;
  uint32_t at = extension::kObjects;
  while (left > 4) {
    if (!b.has(at, 4)) return o.truncated("icmp");
    uint32_t object_length = b.u16(at);
    uint8_t class_number = b.u8(at + 2), class_type = b.u8(at + 3);
    o.print("\n\t  {} Object ({}), Class-Type: {}, length {}",
            class_number == 1 ? "MPLS Stack Entry" : class_number == 2 ? "Interface Identification" : "unknown",
            class_number, class_type, object_length);
    at += 4;
    left -= 4;
    if (class_number == 0 || object_length < 4) return;
    object_length -= 4;
    if (class_number == extension::kMplsStackEntry && class_type == 1) {
      if (!b.has(at, 4)) return c.give_up("icmp");
      uint32_t entry = b.u32(at);
      o.print("\n\t    label {}, tc {}", entry >> 12, (entry >> 9) & 7);
      if ((entry & 0x100) != 0) o << ", [S]";
      o.print(", ttl {}", entry & 0xff);
    } else {
      print_unknown_data(o, b.from(at), object_length, "\n\t    ");
    }
    if (left < object_length) break;
    left -= object_length;
    at += object_length;
  }
}

// -v: the checksum, when the whole message was captured.
void print_checksum(Context& c, const Bytes& b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, length)) return;
  Checksum sum;
  sum.add(b.clip(length));
  if (uint16_t result = sum.result(); result != 0) {
    if (!b.has(icmp::kChecksum, 2)) return c.give_up("icmp");
    uint16_t field = b.u16(icmp::kChecksum);
    o << " (wrong icmp cksum ";
    o.hex(field) << " (->";
    o.hex(checksum_should_be(field, result)) << ")!)";
  }
}

Described describe(Text& o, const Bytes& b) {
  uint8_t type = b.u8(icmp::kType), code = b.u8(icmp::kCode);
  for (const IcmpType& entry : kTypes) {
    if (entry.type != type) continue;
    if (entry.describe == nullptr) {
      o << entry.name;
      return Described::Complete;
    }
    return entry.describe(o, b, code);
  }
  o.print("type-#{}", type);
  return Described::Complete;
}

}  // namespace

void print_icmp(Context& c, Bytes b, uint32_t length, const IpHeader&, bool fragmented) {
  Text& o = c.o;
  // tcpdump reads every field it describes unchecked, and gives up on the
  // packet when one is missing, before it prints any of the description.
  if (!b.has(0, 2)) return c.give_up("icmp");
  size_t start = o.size();
  o << "ICMP ";
  switch (describe(o, b)) {
    case Described::Complete:
      break;
    case Described::Truncated:
      o.cut_back_to(start);
      return o.truncated("icmp");
    case Described::GaveUp:
      o.cut_back_to(start);
      return c.give_up("icmp");
  }
  o << ", length ";
  o.num(length);
  if (c.facts != nullptr) {
    c.facts->transport = "icmp";
    c.facts->length = length;
  }
  if (c.options.verbosity == 0) return;
  if (!fragmented) print_checksum(c, b, length);
  if (c.gave_up || !is_error(b.u8(icmp::kType))) return;
  // The quoted datagram, as far as its own length says.
  o << "\n\t";
  if (!b.has(icmp::kQuoted + 2, 2)) return c.give_up("icmp");
  uint32_t quoted_length = b.u16(icmp::kQuoted + 2);
  print_ipv4(c, b.from(icmp::kQuoted).clip(quoted_length), quoted_length);
  if (c.gave_up) return;
  if (length > extension::kHeader && has_extensions(b.u8(icmp::kType))) print_extensions(c, b, length);
}

}  // namespace bpfc::dissect
