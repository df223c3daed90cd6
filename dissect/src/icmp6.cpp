// ICMPv6 (RFC 4443, neighbour discovery RFC 4861, MLD RFC 2710/3810) as
// `tcpdump -n -q` prints it: a table of message types with their names and
// a small function each for what follows the name.
#include "icmp6.h"

#include "ip_protocols.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace icmp6 {
constexpr uint32_t kType = 0;
constexpr uint32_t kCode = 1;
constexpr uint32_t kChecksum = 2;
constexpr uint32_t kMtu = 4;           // packet too big
constexpr uint32_t kPointer = 4;       // parameter problem
constexpr uint32_t kId = 4;            // echo, home agent discovery
constexpr uint32_t kSequence = 6;
constexpr uint32_t kMldMaxDelay = 4;
constexpr uint32_t kMldAddress = 8;
constexpr uint32_t kMld = 24;          // an MLDv1 message
constexpr uint32_t kMld2QueryMinimum = 28;
constexpr uint32_t kMld2QueryFlags = 24;  // S flag, robustness
constexpr uint32_t kMld2QueryInterval = 25;
constexpr uint32_t kMld2SourceCount = 26;
constexpr uint32_t kMld2Sources = 28;
constexpr uint32_t kMld2RecordCount = 6;
constexpr uint32_t kMld2Records = 8;
constexpr uint32_t kTarget = 8;        // neighbour solicitation/advertisement, redirect
constexpr uint32_t kAdvertFlags = 4;
constexpr uint32_t kRedirectDestination = 24;
constexpr uint32_t kRaHopLimit = 4;
constexpr uint32_t kRaFlags = 5;
constexpr uint32_t kRaLifetime = 6;
constexpr uint32_t kRaReachable = 8;
constexpr uint32_t kRaRetransmit = 12;
// Where each neighbour discovery message's options start.
constexpr uint32_t kRouterSolicitationOptions = 8;
constexpr uint32_t kRouterAdvertisementOptions = 16;
constexpr uint32_t kNeighborOptions = 24;
constexpr uint32_t kRedirectOptions = 40;
constexpr uint32_t kMobilePrefixOptions = 8;
// The IPv6 header of the datagram an error message quotes.
constexpr uint32_t kQuoted = 8;
constexpr uint32_t kQuotedSource = kQuoted + 8;
constexpr uint32_t kQuotedDestination = kQuoted + 24;
}  // namespace icmp6

enum Type : uint8_t {
  kUnreachable = 1,
  kPacketTooBig = 2,
  kTimeExceeded = 3,
  kParameterProblem = 4,
  kEchoRequest = 128,
  kEchoReply = 129,
  kMldQuery = 130,
  kMldReport = 131,
  kMldDone = 132,
  kRouterSolicitation = 133,
  kRouterAdvertisement = 134,
  kNeighborSolicitation = 135,
  kNeighborAdvertisement = 136,
  kRedirect = 137,
  kMld2Report = 143,
  kHomeAgentRequest = 144,
  kHomeAgentReply = 145,
  kMobilePrefixSolicitation = 146,
  kMobilePrefixAdvertisement = 147,
};

constexpr Name kUnreachableCodes[] = {
    {0, "unreachable route"}, {1, " unreachable prohibited"}, {2, "beyond scope"},
    {3, "unreachable address"}, {4, "unreachable port"},
};
constexpr Name kParameterProblemCodes[] = {
    {0, ", erroneous - octet "},
    {1, ", next header - octet "},
    {2, ", option - octet "},
    {3, ", incomplete header chain - octet "},
};
constexpr Name kRouterAdvertisementFlags[] = {
    {0x80, "managed"}, {0x40, "other stateful"}, {0x20, "home agent"}, {0x02, "ipv6 only"}};
constexpr Name kNeighborAdvertisementFlags[] = {
    {0x80000000, "router"}, {0x40000000, "solicited"}, {0x20000000, "override"}};
constexpr Name kMld2RecordTypes[] = {{1, "is_in"}, {2, "is_ex"}, {3, "to_in"}, {4, "to_ex"}, {5, "allow"},
                                     {6, "block"}};
constexpr std::string_view kRoutePreferences[] = {"medium", "high", "rsv", "low"};

// What a message printer leaves to print_icmp6().
enum class Next {
  Length,  // ", length N" ends the line (without -v)
  Done,    // the printer ended the line itself, or gave up
};

struct Message {
  Context& c;
  const Bytes& b;
  uint8_t code;
  uint32_t length;

  Text& o() { return c.o; }
  bool verbose() const { return c.options.verbosity > 0; }
  // A field tcpdump reads unchecked: when it was not captured, tcpdump
  // gives up on the packet.
  bool need(uint32_t offset, uint32_t n) {
    if (b.has(offset, n)) return true;
    c.give_up("icmp6");
    return false;
  }
};

// bittok2str(): the names of the set flags, ", "-separated, or "none".
void print_flags(Text& o, std::span<const Name> names, uint32_t value) {
  std::string_view separator;
  for (const Name& flag : names) {
    if ((value & flag.value) != flag.value) continue;
    o << separator << flag.text;
    separator = ", ";
  }
  if (separator.empty()) o << "none";
}

// The TCP or UDP header quoted in an ICMPv6 error, after the quoted IPv6
// header and its extension headers: its protocol and offset. False when the
// quote holds no TCP/UDP header whose destination port was captured.
bool quoted_transport(const Bytes& b, uint8_t& protocol, uint32_t& offset) {
  if (!b.has(icmp6::kQuoted + 6, 1)) return false;
  uint8_t next = b.u8(icmp6::kQuoted + 6);
  offset = icmp6::kQuoted;
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

Next unreachable(Message& m) {
  std::string_view name = name_of(kUnreachableCodes, m.code);
  m.o() << ", ";
  if (name.empty()) {
    m.o().print("unknown unreach code ({})", m.code);
  } else {
    m.o() << name;
  }
  switch (m.code) {
    case 0:
    case 1:
    case 3:
      if (!m.need(icmp6::kQuotedDestination, 16)) return Next::Done;
      m.o() << ' ';
      m.o().ipv6(m.b.at(icmp6::kQuotedDestination));
      return Next::Length;
    case 2:
      if (!m.need(icmp6::kQuotedSource, 32)) return Next::Done;
      m.o() << ' ';
      m.o().ipv6(m.b.at(icmp6::kQuotedDestination)) << ", source address ";
      m.o().ipv6(m.b.at(icmp6::kQuotedSource));
      return Next::Length;
    case 4: {
      uint8_t protocol = 0;
      uint32_t offset = 0;
      if (!quoted_transport(m.b, protocol, offset)) {
        m.o().truncated("icmp6");
        return Next::Done;
      }
      if (!m.need(icmp6::kQuotedDestination, 16)) return Next::Done;
      m.o() << ", ";
      m.o().ipv6(m.b.at(icmp6::kQuotedDestination));
      m.o().print(" {} port {}", protocol == ip_protocol::kTcp ? "tcp" : "udp", m.b.u16(offset + 2));
      return Next::Length;
    }
    default:
      if (m.c.options.verbosity > 1) return Next::Length;
      print_unknown_data(m.o(), m.b, m.length, "\n\t");
      return Next::Done;
  }
}

Next packet_too_big(Message& m) {
  if (!m.need(icmp6::kMtu, 4)) return Next::Done;
  m.o().print(", mtu {}", m.b.u32(icmp6::kMtu));
  return Next::Length;
}

Next time_exceeded(Message& m) {
  if (m.code == 0) {
    if (!m.need(icmp6::kQuotedDestination, 16)) return Next::Done;
    m.o() << " for ";
    m.o().ipv6(m.b.at(icmp6::kQuotedDestination));
  } else if (m.code == 1) {
    m.o() << " (reassembly)";
  } else {
    m.o().print(", unknown code ({})", m.code);
  }
  return Next::Length;
}

Next parameter_problem(Message& m) {
  if (!m.b.has(icmp6::kQuotedDestination, 16)) {
    m.o().truncated("icmp6");
    return Next::Done;
  }
  std::string_view name = name_of(kParameterProblemCodes, m.code);
  if (name.empty()) {
    m.o().print(", code-#{}", m.code);
    return Next::Length;
  }
  if (!m.need(icmp6::kPointer, 4)) return Next::Done;
  m.o() << name;
  m.o().num(m.b.u32(icmp6::kPointer));
  return Next::Length;
}

Next echo(Message& m) {
  if (!m.need(icmp6::kId, 4)) return Next::Done;
  m.o().print(", id {}, seq {}", m.b.u16(icmp6::kId), m.b.u16(icmp6::kSequence));
  return Next::Length;
}

Next mld(Message& m) {
  // tcpdump prints this without a separator after the type name, and
  // nothing when the message is short.
  if (m.b.has(0, icmp6::kMld)) {
    m.o().print("max resp delay: {} addr: ", m.b.u16(icmp6::kMldMaxDelay));
    m.o().ipv6(m.b.at(icmp6::kMldAddress));
  }
  return Next::Length;
}

Next mld_query(Message& m) {
  if (m.length == icmp6::kMld) return mld(m);
  if (m.length < icmp6::kMld2QueryMinimum) {
    m.o().print(" unknown-version (len {}) ", m.length);
    return Next::Length;
  }
  m.o() << " v2";
  if (!m.need(icmp6::kMldMaxDelay, 2)) return Next::Done;
  uint32_t code = m.b.u16(icmp6::kMldMaxDelay);
  uint32_t max_delay = code < 32768 ? code : ((code & 0x0fff) | 0x1000) << (((code & 0x7000) >> 12) + 3);
  if (m.verbose()) m.o().print(" [max resp delay={}]", max_delay);
  if (!m.need(icmp6::kMldAddress, 16)) return Next::Done;
  m.o() << " [gaddr ";
  m.o().ipv6(m.b.at(icmp6::kMldAddress));
  if (m.verbose()) {
    if (!m.need(icmp6::kMld2QueryFlags, 1)) return Next::Done;
    uint8_t flags = m.b.u8(icmp6::kMld2QueryFlags);
    if ((flags & 0x08) != 0) m.o() << " sflag";
    if ((flags & 0x07) != 0) m.o().print(" robustness={}", flags & 0x07);
    if (!m.need(icmp6::kMld2QueryInterval, 1)) return Next::Done;
    uint8_t interval = m.b.u8(icmp6::kMld2QueryInterval);
    uint32_t query_interval = interval < 128 ? interval : ((interval & 0x0f) | 0x10) << (((interval & 0x70) >> 4) + 3);
    m.o().print(" qqi={}", query_interval);
  }
  if (!m.need(icmp6::kMld2SourceCount, 2)) return Next::Done;
  uint32_t sources = m.b.u16(icmp6::kMld2SourceCount);
  if (sources > 0) {
    if (m.length < icmp6::kMld2Sources + sources * 16) {
      m.o() << " [invalid number of sources]";
    } else if (m.c.options.verbosity > 1) {
      m.o() << " {";
      for (uint32_t i = 0; i < sources; ++i) {
        if (!m.need(icmp6::kMld2Sources + 16 * i, 16)) return Next::Done;
        m.o() << ' ';
        m.o().ipv6(m.b.at(icmp6::kMld2Sources + 16 * i));
      }
      m.o() << " }";
    } else {
      m.o().print(", {} source(s)", sources);
    }
  }
  m.o() << ']';
  return Next::Length;
}

Next mld2_report(Message& m) {
  if (m.length < 8) {
    m.o().print(" [invalid len {}]", m.length);
    return Next::Length;
  }
  if (!m.need(icmp6::kMld2RecordCount, 2)) return Next::Done;
  uint32_t groups = m.b.u16(icmp6::kMld2RecordCount);
  m.o().print(", {} group record(s)", groups);
  if (!m.verbose()) return Next::Length;
  uint32_t record = icmp6::kMld2Records;
  for (uint32_t i = 0; i < groups; ++i) {
    if (m.length < record + 20) {
      m.o() << " [invalid number of groups]";
      return Next::Length;
    }
    if (!m.need(record, 20)) return Next::Done;
    m.o() << " [gaddr ";
    m.o().ipv6(m.b.at(record + 4));
    std::string_view type = name_of(kMld2RecordTypes, m.b.u8(record));
    if (type.empty()) {
      m.o().print("  [v2-report-#{}]", m.b.u8(record));
    } else {
      m.o() << ' ' << type;
    }
    uint32_t sources = m.b.u16(record + 2);
    if (m.length < record + 20 + sources * 16) {
      m.o().print(" [invalid number of sources {}]", sources);
      return Next::Length;
    }
    if (m.c.options.verbosity == 1) {
      m.o().print(", {} source(s)", sources);
    } else {
      m.o() << " {";
      for (uint32_t j = 0; j < sources; ++j) {
        if (!m.need(record + 20 + 16 * j, 16)) return Next::Done;
        m.o() << ' ';
        m.o().ipv6(m.b.at(record + 20 + 16 * j));
      }
      m.o() << " }";
    }
    record += 20 + sources * 16;
    m.o() << ']';
  }
  return Next::Length;
}

// -v: the options of a neighbour discovery message.
Next nd_options(Message& m, uint32_t offset) {
  if (m.verbose() && !print_nd_options(m.c, m.b, offset, m.length)) {
    if (!m.c.gave_up) m.o().truncated("icmp6");
    return Next::Done;
  }
  return Next::Length;
}

Next router_solicitation(Message& m) { return nd_options(m, icmp6::kRouterSolicitationOptions); }

Next router_advertisement(Message& m) {
  if (!m.verbose()) return Next::Length;
  if (!m.need(icmp6::kRaHopLimit, 12)) return Next::Done;
  uint8_t flags = m.b.u8(icmp6::kRaFlags);
  m.o().print("\n\thop limit {}, Flags [", m.b.u8(icmp6::kRaHopLimit));
  print_flags(m.o(), kRouterAdvertisementFlags, flags);
  m.o().print("], pref {}, router lifetime {}s, reachable time {}ms, retrans timer {}ms",
              kRoutePreferences[(flags >> 3) & 0x03], m.b.u16(icmp6::kRaLifetime), m.b.u32(icmp6::kRaReachable),
              m.b.u32(icmp6::kRaRetransmit));
  return nd_options(m, icmp6::kRouterAdvertisementOptions);
}

Next neighbor_solicitation(Message& m) {
  if (!m.need(icmp6::kTarget, 16)) return Next::Done;
  m.o() << ", who has ";
  m.o().ipv6(m.b.at(icmp6::kTarget));
  return nd_options(m, icmp6::kNeighborOptions);
}

Next neighbor_advertisement(Message& m) {
  if (!m.need(icmp6::kTarget, 16)) return Next::Done;
  m.o() << ", tgt is ";
  m.o().ipv6(m.b.at(icmp6::kTarget));
  if (m.verbose()) {
    m.o() << ", Flags [";
    print_flags(m.o(), kNeighborAdvertisementFlags, m.b.u32(icmp6::kAdvertFlags));
    m.o() << ']';
  }
  return nd_options(m, icmp6::kNeighborOptions);
}

Next redirect(Message& m) {
  if (!m.need(icmp6::kRedirectDestination, 16)) return Next::Done;
  m.o() << ", ";
  m.o().ipv6(m.b.at(icmp6::kRedirectDestination));
  if (!m.need(icmp6::kTarget, 16)) return Next::Done;
  m.o() << " to ";
  m.o().ipv6(m.b.at(icmp6::kTarget));
  return nd_options(m, icmp6::kRedirectOptions);
}

Next home_agent_id(Message& m) {
  if (!m.need(icmp6::kId, 2)) return Next::Done;
  m.o().print(", id 0x{:04x}", m.b.u16(icmp6::kId));
  return Next::Length;
}

Next home_agent_reply(Message& m) {
  if (!m.verbose()) return Next::Length;
  if (!m.need(icmp6::kId, 2)) return Next::Done;
  m.o().print(", id 0x{:04x}", m.b.u16(icmp6::kId));
  for (uint32_t at = 8; at < m.length; at += 16) {
    if (!m.need(at, 16)) return Next::Done;
    m.o() << ", ";
    m.o().ipv6(m.b.at(at));
  }
  return Next::Length;
}

Next mobile_prefix_advertisement(Message& m) {
  if (!m.verbose()) return Next::Length;
  if (!m.need(icmp6::kId, 2)) return Next::Done;
  m.o().print(", id 0x{:04x}", m.b.u16(icmp6::kId));
  if (!m.need(icmp6::kId + 2, 2)) return Next::Done;
  uint16_t flags = m.b.u16(icmp6::kId + 2);
  if ((flags & 0xc000) != 0) m.o() << ' ';
  if ((flags & 0x8000) != 0) m.o() << 'M';
  if ((flags & 0x4000) != 0) m.o() << 'O';
  return nd_options(m, icmp6::kMobilePrefixOptions);
}

// Router renumbering, node information, RPL and inverse neighbour
// discovery have detailed tcpdump dissectors that bpfc does not reproduce:
// the name and the length only.
Next name_only(Message&) { return Next::Length; }

using Describe = Next (*)(Message& m);

struct Icmp6Type {
  uint8_t type;
  std::string_view name;
  Describe describe;  // null: an unknown type to tcpdump's switch (it dumps the message)
  // -v prints ", length N" right after the name, not at the end.
  bool early_length = false;
};

constexpr Icmp6Type kTypes[] = {
    {kUnreachable, "destination unreachable", unreachable},
    {kPacketTooBig, "packet too big", packet_too_big},
    {kTimeExceeded, "time exceeded in-transit", time_exceeded},
    {kParameterProblem, "parameter problem", parameter_problem},
    {kEchoRequest, "echo request", echo},
    {kEchoReply, "echo reply", echo},
    {kMldQuery, "multicast listener query", mld_query},
    {kMldReport, "multicast listener report", mld},
    {kMldDone, "multicast listener done", mld},
    {kRouterSolicitation, "router solicitation", router_solicitation, true},
    {kRouterAdvertisement, "router advertisement", router_advertisement, true},
    {kNeighborSolicitation, "neighbor solicitation", neighbor_solicitation, true},
    {kNeighborAdvertisement, "neighbor advertisement", neighbor_advertisement, true},
    {kRedirect, "redirect", redirect, true},
    {138, "router renumbering", name_only},
    {139, "who-are-you request", name_only},
    {140, "who-are-you reply", name_only},
    {141, "inverse neighbor solicitation", name_only},
    {142, "inverse neighbor advertisement", name_only},
    {kMld2Report, "multicast listener report v2", mld2_report},
    {kHomeAgentRequest, "ha discovery request", home_agent_id},
    {kHomeAgentReply, "ha discovery reply", home_agent_reply, true},
    {kMobilePrefixSolicitation, "mobile router solicitation", home_agent_id},
    {kMobilePrefixAdvertisement, "mobile router advertisement", mobile_prefix_advertisement, true},
    {155, "RPL", name_only},
    {200, "mtrace response", nullptr},
    {201, "mtrace message", nullptr},
};

const Icmp6Type* find_type(uint8_t type) {
  for (const Icmp6Type& entry : kTypes) {
    if (entry.type == type) return &entry;
  }
  return nullptr;
}

// -v: the checksum over the pseudo-header and the whole message. False
// when tcpdump gives up on the packet (a message too short for the field).
bool print_checksum(Context& c, const Bytes& b, uint32_t length, const IpHeader& ip) {
  Text& o = c.o;
  if (!b.has(0, length)) return true;
  if (!b.has(icmp6::kChecksum, 2)) {
    c.give_up("icmp6");
    return false;
  }
  Checksum sum;
  ip.add_pseudo_header(sum, ip_protocol::kIcmpv6, length);
  sum.add(b.clip(length));
  if (uint16_t result = sum.result(); result != 0) {
    uint16_t field = b.u16(icmp6::kChecksum);
    o.print("[bad icmp6 cksum 0x{:04x} -> 0x{:04x}!] ", field, checksum_should_be(field, result));
  } else {
    o << "[icmp6 sum ok] ";
  }
  return true;
}

}  // namespace

void print_unknown_data(Text& o, Bytes b, uint32_t length, std::string_view indent) {
  b = b.clip(length);
  for (uint32_t i = 0; i < b.size; ++i) {
    if (i % 16 == 0) {
      o.trim_trailing_spaces();
      o << indent;
      o.print("0x{:04x}: ", i);
    }
    if (i % 2 == 0) o << ' ';
    o.hex2(b.u8(i));
  }
}

void print_icmp6(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented) {
  Text& o = c.o;
  if (length == 0) {
    o << "ICMP6, length 0";
    return o.invalid();
  }
  const bool verbose = c.options.verbosity > 0;
  if (verbose && !fragmented && !print_checksum(c, b, length, ip)) return;
  if (!b.has(icmp6::kType, 1)) return c.give_up("icmp6");
  uint8_t type = b.u8(icmp6::kType);
  const Icmp6Type* entry = find_type(type);
  if (c.facts != nullptr) {
    c.facts->transport = "icmp6";
    c.facts->length = length;
  }
  o << "ICMP6, ";
  if (entry == nullptr) {
    o.print("unknown icmp6 type ({})", type);
  } else {
    o << entry->name;
  }
  if (verbose && entry != nullptr && entry->early_length) o.print(", length {}", length);
  if (!b.has(icmp6::kCode, 1)) return c.give_up("icmp6");
  if (entry == nullptr || entry->describe == nullptr) {
    o.print(", length {}", length);
    if (c.options.verbosity <= 1) print_unknown_data(o, b, length, "\n\t");
    return;
  }
  Message message{c, b, b.u8(icmp6::kCode), length};
  if (entry->describe(message) == Next::Length && !verbose) {
    o << ", length ";
    o.num(length);
  }
}

}  // namespace bpfc::dissect
