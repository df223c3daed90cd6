#include "packet_summary.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string_view>

#include "bpfc/frontend/linktype.h"

namespace bpfc::cli {
namespace {

// DLT_ values with a dissector here.
constexpr uint32_t kDltNull = 0;
constexpr uint32_t kDltEn10mb = 1;
constexpr uint32_t kDltRaw = 12;
constexpr uint32_t kDltLoop = 108;
constexpr uint32_t kDltLinuxSll = 113;
constexpr uint32_t kDltIpv4 = 228;
constexpr uint32_t kDltIpv6 = 229;
constexpr uint32_t kDltLinuxSll2 = 276;

// tcpdump's sanity limit on lengths (MAXIMUM_SNAPLEN).
constexpr uint32_t kMaximumSnaplen = 262144;
// Type/length fields up to this value are 802.3 lengths, not ethertypes.
constexpr uint16_t kMaxEthernetLength = 1500;

constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoIgmp = 2;
constexpr uint8_t kProtoIpip = 4;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoDccp = 33;
constexpr uint8_t kProtoIpv6 = 41;
constexpr uint8_t kProtoRouting = 43;
constexpr uint8_t kProtoFragment = 44;
constexpr uint8_t kProtoIcmpv6 = 58;
constexpr uint8_t kProtoNoNext = 59;
constexpr uint8_t kProtoDstOpts = 60;
constexpr uint8_t kProtoHopOpts = 0;
constexpr uint8_t kProtoNd = 77;
constexpr uint8_t kProtoSctp = 132;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// The captured bytes a dissector may look at. Like tcpdump, an IP layer
// narrows them to the end of its datagram, so padding is never parsed.
struct Bytes {
  const uint8_t* data = nullptr;
  uint32_t size = 0;

  bool has(uint32_t offset, uint32_t n) const { return offset <= size && n <= size - offset; }
  Bytes from(uint32_t offset) const {
    return offset <= size ? Bytes{data + offset, size - offset} : Bytes{data + size, 0};
  }
  Bytes clip(uint32_t n) const { return {data, std::min(size, n)}; }
  uint8_t u8(uint32_t offset) const { return data[offset]; }
  uint16_t u16(uint32_t offset) const { return be16(data + offset); }
  uint32_t u32(uint32_t offset) const { return be32(data + offset); }
  const uint8_t* at(uint32_t offset) const { return data + offset; }
};

// Appends to the output line.
class Text {
 public:
  explicit Text(std::string& out) : out_(out) {}

  Text& operator<<(std::string_view s) {
    out_.append(s);
    return *this;
  }
  Text& operator<<(char c) {
    out_.push_back(c);
    return *this;
  }
  Text& num(uint64_t value) {
    char digits[24];
    auto result = std::to_chars(digits, digits + sizeof digits, value);
    out_.append(digits, result.ptr);
    return *this;
  }
  // Lowercase hex, at least `width` digits.
  Text& hex(uint64_t value, int width) {
    static constexpr char kDigits[] = "0123456789abcdef";
    char digits[16];
    int n = 0;
    do {
      digits[n++] = kDigits[value & 0xf];
      value >>= 4;
    } while (value != 0 && n < 16);
    for (int i = n; i < width; ++i) out_.push_back('0');
    while (n > 0) out_.push_back(digits[--n]);
    return *this;
  }
  Text& ipv4(const uint8_t* p) {
    for (int i = 0; i < 4; ++i) {
      if (i > 0) out_.push_back('.');
      num(p[i]);
    }
    return *this;
  }
  Text& ipv6(const uint8_t* p);
  Text& mac(const uint8_t* p) { return bytes_with_colons(p, 6); }
  // tcpdump's linkaddr_string() for hardware addresses in ARP.
  Text& linkaddr(const uint8_t* p, uint32_t n) {
    if (n == 0) return *this << "<empty>";
    return bytes_with_colons(p, n);
  }
  // printf's %-Ns and %Ns.
  Text& left(std::string_view s, size_t width) {
    out_.append(s);
    if (s.size() < width) out_.append(width - s.size(), ' ');
    return *this;
  }
  Text& right(std::string_view s, size_t width) {
    if (s.size() < width) out_.append(width - s.size(), ' ');
    out_.append(s);
    return *this;
  }
  // tcpdump's mark for a header cut short by the capture length.
  void truncated(std::string_view protocol) { *this << " [|" << protocol << ']'; }
  // For taking back text that turned out not to be printable.
  size_t size() const { return out_.size(); }
  void cut_back_to(size_t size) { out_.resize(size); }

 private:
  Text& bytes_with_colons(const uint8_t* p, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      if (i > 0) out_.push_back(':');
      hex(p[i], 2);
    }
    return *this;
  }

  std::string& out_;
};

// RFC 5952-style text as tcpdump writes it: the longest run (first of equal
// ones) of at least two zero groups becomes "::", and an IPv4-compatible or
// IPv4-mapped address ends in dotted-quad form.
Text& Text::ipv6(const uint8_t* p) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = be16(p + 2 * i);
  int best_start = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int start = i;
    while (i < 8 && groups[i] == 0) ++i;
    if (i - start > best_length) {
      best_start = start;
      best_length = i - start;
    }
  }
  if (best_length < 2) best_start = -1;
  for (int i = 0; i < 8; ++i) {
    if (best_start >= 0 && i >= best_start && i < best_start + best_length) {
      if (i == best_start) *this << ':';
      continue;
    }
    if (i != 0) *this << ':';
    if (i == 6 && best_start == 0 && (best_length == 6 || (best_length == 5 && groups[5] == 0xffff))) {
      return ipv4(p + 12);
    }
    hex(groups[i], 1);
  }
  if (best_start >= 0 && best_start + best_length == 8) *this << ':';
  return *this;
}

// The IP header a transport header belongs to: where its addresses are and
// whether its own protocol field names the transport (tcpdump prints the
// addresses with the ports only then).
struct IpContext {
  const uint8_t* header = nullptr;
  bool v6 = false;

  uint8_t protocol_field() const { return v6 ? header[6] : header[9]; }
  void addresses(Text& o) const {
    if (v6) {
      o.ipv6(header + 8) << " > ";
      o.ipv6(header + 24);
    } else {
      o.ipv4(header + 12) << " > ";
      o.ipv4(header + 16);
    }
  }
  void source(Text& o) const { v6 ? o.ipv6(header + 8) : o.ipv4(header + 12); }
  void destination(Text& o) const { v6 ? o.ipv6(header + 24) : o.ipv4(header + 16); }
};

void print_ip4(Text& o, Bytes b, uint32_t length);
void print_ip6(Text& o, Bytes b, uint32_t length);

void print_tcp(Text& o, Bytes b, uint32_t length, const IpContext& ip) {
  if (!b.has(0, 4)) {
    ip.addresses(o);
    o << ':';
    o.truncated("tcp");
    return;
  }
  if (ip.protocol_field() == kProtoTcp) {
    ip.source(o);
    o << '.';
    o.num(b.u16(0)) << ' ' << '>' << ' ';
    ip.destination(o);
    o << '.';
    o.num(b.u16(2)) << ": ";
  } else {
    o.num(b.u16(0)) << " > ";
    o.num(b.u16(2)) << ": ";
  }
  if (!b.has(0, 20)) return o.truncated("tcp");
  uint32_t header_length = (b.u8(12) >> 4) * 4u;
  if (header_length < 20) {
    o << " tcp ";
    o.num(static_cast<uint32_t>(length - header_length)) << " [bad hdr length ";
    o.num(header_length) << " - too short, < 20]";
    return;
  }
  o << "tcp ";
  o.num(static_cast<uint32_t>(length - header_length));
  if (header_length > length) {
    o << " [bad hdr length ";
    o.num(header_length) << " - too long, > ";
    o.num(length) << ']';
  }
}

void print_udp_addresses(Text& o, const IpContext& ip, const Bytes& b, bool with_ports) {
  if (ip.protocol_field() == kProtoUdp) {
    if (!with_ports) {
      ip.addresses(o);
      o << ": ";
      return;
    }
    ip.source(o);
    o << '.';
    o.num(b.u16(0)) << " > ";
    ip.destination(o);
    o << '.';
    o.num(b.u16(2)) << ": ";
  } else if (with_ports) {
    o.num(b.u16(0)) << " > ";
    o.num(b.u16(2)) << ": ";
  }
}

void print_udp(Text& o, Bytes b, uint32_t length, const IpContext& ip, bool fragmented) {
  if (!b.has(0, 4)) {
    print_udp_addresses(o, ip, b, false);
    return o.truncated("udp");
  }
  if (length < 8) {
    print_udp_addresses(o, ip, b, true);
    o << "truncated-udp ";
    o.num(length);
    return;
  }
  if (!b.has(4, 2)) {
    print_udp_addresses(o, ip, b, true);
    return o.truncated("udp");
  }
  uint32_t udp_length = b.u16(4);
  if (udp_length == 0 && length > 65535) udp_length = length;  // IPv6 jumbogram
  if (udp_length < 8) {
    print_udp_addresses(o, ip, b, true);
    o << "truncated-udplength ";
    o.num(udp_length);
    return;
  }
  udp_length -= 8;
  length -= 8;
  if (udp_length < length) length = udp_length;
  print_udp_addresses(o, ip, b, true);
  if (!b.has(0, 8)) return o.truncated("udp");
  if (udp_length > length && !fragmented) {
    o << "UDP, bad length ";
    o.num(udp_length) << " > ";
    o.num(length);
  } else {
    o << "UDP, length ";
    o.num(udp_length);
  }
}

// Milliseconds since midnight UTC as HH:MM:SS.mmm (ICMP timestamps).
void print_icmp_timestamp(Text& o, uint32_t ms) {
  uint32_t seconds = ms / 1000, minutes = seconds / 60, hours = minutes / 60;
  auto two = [&o](uint32_t v) {
    if (v < 10) o << '0';
    o.num(v);
  };
  two(hours);
  o << ':';
  two(minutes % 60);
  o << ':';
  two(seconds % 60);
  o << '.';
  if (ms % 1000 < 100) o << '0';
  if (ms % 1000 < 10) o << '0';
  o.num(ms % 1000);
}

// Destination-unreachable codes whose text is "<prefix><addr> unreachable<suffix>";
// `known` is cleared for the others.
std::string_view icmp_unreachable_suffix(uint8_t code, bool& known, std::string_view& prefix) {
  switch (code) {
    case 0: prefix = "net "; return "";
    case 1: prefix = "host "; return "";
    case 5: return " - source route failed";
    case 6: prefix = "net "; return " - unknown";
    case 7: prefix = "host "; return " - unknown";
    case 8: return " - source host isolated";
    case 9: prefix = "net "; return " - admin prohibited";
    case 10: prefix = "host "; return " - admin prohibited";
    case 11: prefix = "net "; return " - tos prohibited";
    case 12: prefix = "host "; return " - tos prohibited";
    case 13: prefix = "host "; return " - admin prohibited filter";
    case 14: prefix = "host "; return " - host precedence violation";
    case 15: prefix = "host "; return " - precedence cutoff";
    default: known = false; return {};
  }
}

// The text between "ICMP " and ", length N"; false when the bytes it needs
// were not captured.
bool describe_icmp(Text& o, const Bytes& b) {
  uint8_t type = b.u8(0), code = b.u8(1);
  switch (type) {
    case 0:
    case 8:
      if (!b.has(4, 4)) return false;
      o << (type == 8 ? "echo request" : "echo reply") << ", id ";
      o.num(b.u16(4)) << ", seq ";
      o.num(b.u16(6));
      return true;
    case 3: {
      if (code == 2) {  // protocol unreachable
        if (!b.has(8, 20)) return false;
        o.ipv4(b.at(24)) << " protocol ";
        o.num(b.u8(17)) << " unreachable";
        return true;
      }
      if (code == 3) {  // port unreachable: the port of the quoted datagram
        if (!b.has(17, 1) || !b.has(8, 1)) return false;
        uint32_t inner_header = (b.u8(8) & 0x0f) * 4u;
        if (!b.has(8 + inner_header + 2, 2) || !b.has(24, 4)) return false;
        uint8_t protocol = b.u8(17);
        uint16_t port = b.u16(8 + inner_header + 2);
        o.ipv4(b.at(24));
        if (protocol == kProtoTcp || protocol == kProtoUdp) {
          o << (protocol == kProtoTcp ? " tcp port " : " udp port ");
          o.num(port) << " unreachable";
        } else {
          o << " protocol ";
          o.num(protocol) << " port ";
          o.num(port) << " unreachable";
        }
        return true;
      }
      if (code == 4) {  // fragmentation needed
        if (!b.has(6, 2) || !b.has(24, 4)) return false;
        uint16_t mtu = b.u16(6);
        o.ipv4(b.at(24)) << " unreachable - need to frag";
        if (mtu != 0) {
          o << " (mtu ";
          o.num(mtu) << ')';
        }
        return true;
      }
      if (!b.has(24, 4)) return false;
      bool known = true;
      std::string_view prefix;
      std::string_view suffix = icmp_unreachable_suffix(code, known, prefix);
      if (!known) {
        o.ipv4(b.at(24)) << " unreachable - #";
        o.num(code);
        return true;
      }
      o << prefix;
      o.ipv4(b.at(24)) << " unreachable" << suffix;
      return true;
    }
    case 5: {
      if (!b.has(24, 4) || !b.has(4, 4)) return false;
      static constexpr std::string_view kRedirects[] = {"redirect ", "redirect ", "redirect-tos ", "redirect-tos "};
      static constexpr std::string_view kTargets[] = {" to net ", " to host ", " to net ", " to host "};
      if (code < 4) {
        o << kRedirects[code];
        o.ipv4(b.at(24)) << kTargets[code];
      } else {
        o << "redirect-#";
        o.num(code) << ' ';
        o.ipv4(b.at(24)) << " to ";
      }
      o.ipv4(b.at(4));
      return true;
    }
    case 9: {  // router advertisement
      if (!b.has(4, 4)) return false;
      o << "router advertisement lifetime ";
      uint32_t lifetime = b.u16(6);
      auto two = [&o](uint32_t v) {
        if (v < 10) o << '0';
        o.num(v);
      };
      if (lifetime < 60) {
        o.num(lifetime);
      } else if (lifetime < 3600) {
        o.num(lifetime / 60) << ':';
        two(lifetime % 60);
      } else {
        o.num(lifetime / 3600) << ':';
        two(lifetime % 3600 / 60);
        o << ':';
        two(lifetime % 60);
      }
      uint32_t count = b.u8(4), entry_size = b.u8(5);
      o << ' ';
      o.num(count) << ':';
      if (entry_size != 2) {
        o << " [size ";
        o.num(entry_size) << ']';
        return true;
      }
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t offset = 8 + 8 * i;
        if (!b.has(offset, 8)) return false;
        o << " {";
        o.ipv4(b.at(offset)) << ' ';
        o.num(b.u32(offset + 4)) << '}';
      }
      return true;
    }
    case 11:
      if (!b.has(24, 4)) return false;
      if (code == 0) {
        o << "time exceeded in-transit";
      } else if (code == 1) {
        o << "ip reassembly time exceeded";
      } else {
        o << "time exceeded-#";
        o.num(code);
      }
      return true;
    case 12:
      if (code != 0) {
        o << "parameter problem - code ";
        o.num(code);
        return true;
      }
      if (!b.has(4, 1)) return false;
      o << "parameter problem - octet ";
      o.num(b.u8(4));
      return true;
    case 13:
      if (!b.has(4, 4)) return false;
      o << "time stamp query id ";
      o.num(b.u16(4)) << " seq ";
      o.num(b.u16(6));
      return true;
    case 14:
      if (!b.has(4, 16)) return false;
      o << "time stamp reply id ";
      o.num(b.u16(4)) << " seq ";
      o.num(b.u16(6)) << ": org ";
      print_icmp_timestamp(o, b.u32(8));
      o << ", recv ";
      print_icmp_timestamp(o, b.u32(12));
      o << ", xmit ";
      print_icmp_timestamp(o, b.u32(16));
      return true;
    case 18:
      if (!b.has(8, 4)) return false;
      o << "address mask is 0x";
      o.hex(b.u32(8), 8);
      return true;
    case 4: o << "source quench"; return true;
    case 10: o << "router solicitation"; return true;
    case 15: o << "information request"; return true;
    case 16: o << "information reply"; return true;
    case 17: o << "address mask request"; return true;
    default:
      o << "type-#";
      o.num(type);
      return true;
  }
}

void print_icmp(Text& o, Bytes b, uint32_t length) {
  if (!b.has(0, 2)) return o.truncated("icmp");
  // tcpdump prints nothing of the description when a field it needs is
  // missing.
  size_t start = o.size();
  o << "ICMP ";
  if (!describe_icmp(o, b)) {
    o.cut_back_to(start);
    return o.truncated("icmp");
  }
  o << ", length ";
  o.num(length);
}

std::string_view icmp6_type_name(uint8_t type) {
  switch (type) {
    case 1: return "destination unreachable";
    case 2: return "packet too big";
    case 3: return "time exceeded in-transit";
    case 4: return "parameter problem";
    case 128: return "echo request";
    case 129: return "echo reply";
    case 130: return "multicast listener query";
    case 131: return "multicast listener report";
    case 132: return "multicast listener done";
    case 133: return "router solicitation";
    case 134: return "router advertisement";
    case 135: return "neighbor solicitation";
    case 136: return "neighbor advertisement";
    case 137: return "redirect";
    case 138: return "router renumbering";
    case 139: return "who-are-you request";
    case 140: return "who-are-you reply";
    case 141: return "inverse neighbor solicitation";
    case 142: return "inverse neighbor advertisement";
    case 143: return "multicast listener report v2";
    case 144: return "ha discovery request";
    case 145: return "ha discovery reply";
    case 146: return "mobile router solicitation";
    case 147: return "mobile router advertisement";
    case 155: return "RPL";
    case 200: return "mtrace response";
    case 201: return "mtrace message";
    default: return {};
  }
}

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
      case kProtoTcp:
      case kProtoUdp:
        protocol = next;
        return b.has(offset, 4);
      case kProtoHopOpts:
      case kProtoDstOpts:
      case kProtoRouting:
        if (!b.has(offset, 2)) return false;
        next = b.u8(offset);
        header_length = (b.u8(offset + 1) + 1u) * 8;
        break;
      case kProtoFragment:
        if (!b.has(offset, 4) || (b.u16(offset + 2) & 0xfff8) != 0) return false;
        next = b.u8(offset);
        header_length = 8;
        break;
      case 51:  // AH
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

// Everything after "ICMP6, <name>"; false when a needed field is missing.
// `done` is set when tcpdump prints no trailing ", length N".
bool describe_icmp6(Text& o, const Bytes& b, uint32_t length, bool& done) {
  uint8_t type = b.u8(0);
  if (!b.has(1, 1)) return false;
  uint8_t code = b.u8(1);
  switch (type) {
    case 1: {
      static constexpr std::string_view kCodes[] = {"unreachable route", " unreachable prohibited", "beyond scope",
                                                   "unreachable address", "unreachable port"};
      o << ", ";
      if (code < 5) {
        o << kCodes[code];
      } else {
        o << "unknown unreach code (";
        o.num(code) << ')';
      }
      switch (code) {
        case 0:
        case 1:
        case 3:
          if (!b.has(32, 16)) return false;
          o << ' ';
          o.ipv6(b.at(32));
          return true;
        case 2:
          if (!b.has(16, 32)) return false;
          o << ' ';
          o.ipv6(b.at(32)) << ", source address ";
          o.ipv6(b.at(16));
          return true;
        case 4: {
          uint8_t protocol = 0;
          uint32_t offset = 0;
          if (!quoted_transport(b, 8, protocol, offset)) return false;
          if (!b.has(32, 16)) return false;
          o << ", ";
          o.ipv6(b.at(32)) << (protocol == kProtoTcp ? " tcp port " : " udp port ");
          o.num(b.u16(offset + 2));
          return true;
        }
        default:
          done = true;  // tcpdump adds a hex dump instead of the length
          return true;
      }
    }
    case 2:
      if (!b.has(4, 4)) return false;
      o << ", mtu ";
      o.num(b.u32(4));
      return true;
    case 3:
      if (code == 0) {
        if (!b.has(32, 16)) return false;
        o << " for ";
        o.ipv6(b.at(32));
      } else if (code == 1) {
        o << " (reassembly)";
      } else {
        o << ", unknown code (";
        o.num(code) << ')';
      }
      return true;
    case 4: {
      if (!b.has(32, 16)) return false;
      static constexpr std::string_view kCodes[] = {", erroneous - octet ", ", next header - octet ",
                                                   ", option - octet ", ", incomplete header chain - octet "};
      if (code < 4) {
        o << kCodes[code];
        o.num(b.u32(4));
      } else {
        o << ", code-#";
        o.num(code);
      }
      return true;
    }
    case 128:
    case 129:
      if (!b.has(4, 4)) return false;
      o << ", id ";
      o.num(b.u16(4)) << ", seq ";
      o.num(b.u16(6));
      return true;
    case 130:
    case 131:
    case 132:
      if (type == 130 && length != 24) {
        if (length >= 28) {
          o << " v2";
          if (!b.has(4, 2) || !b.has(8, 16)) return false;
          o << " [gaddr ";
          o.ipv6(b.at(8));
          if (!b.has(26, 2)) return false;
          uint32_t sources = b.u16(26);
          if (sources > 0) {
            if (length < 28 + sources * 16) {
              o << " [invalid number of sources]";
            } else {
              o << ", ";
              o.num(sources) << " source(s)";
            }
          }
          o << ']';
        } else {
          o << " unknown-version (len ";
          o.num(length) << ") ";
        }
        return true;
      }
      // tcpdump prints this without a separator after the type name.
      if (b.has(0, 24)) {
        o << "max resp delay: ";
        o.num(b.u16(4)) << " addr: ";
        o.ipv6(b.at(8));
      }
      return true;
    case 135:
      if (!b.has(8, 16)) return false;
      o << ", who has ";
      o.ipv6(b.at(8));
      return true;
    case 136:
      if (!b.has(8, 16)) return false;
      o << ", tgt is ";
      o.ipv6(b.at(8));
      return true;
    case 137:
      if (!b.has(8, 32)) return false;
      o << ", ";
      o.ipv6(b.at(24)) << " to ";
      o.ipv6(b.at(8));
      return true;
    case 143:
      if (length < 8) {
        o << " [invalid len ";
        o.num(length) << ']';
        return true;
      }
      if (!b.has(6, 2)) return false;
      o << ", ";
      o.num(b.u16(6)) << " group record(s)";
      return true;
    case 144:
    case 146:
      if (!b.has(4, 2)) return false;
      o << ", id 0x";
      o.hex(b.u16(4), 4);
      return true;
    case 133:
    case 134:
    case 141:
    case 142:
    case 145:
    case 147:
    // Router renumbering, node information and RPL messages have detailed
    // tcpdump dissectors that bpfc does not reproduce.
    case 138:
    case 139:
    case 140:
    case 155:
      return true;
    default:
      o << ", length ";
      o.num(length);
      done = true;
      return true;
  }
}

void print_icmp6(Text& o, Bytes b, uint32_t length) {
  if (length == 0) {
    o << "ICMP6, length 0 (invalid)";
    return;
  }
  if (!b.has(0, 1)) return o.truncated("icmp6");
  o << "ICMP6, ";
  std::string_view name = icmp6_type_name(b.u8(0));
  if (name.empty()) {
    o << "unknown icmp6 type (";
    o.num(b.u8(0)) << ')';
  } else {
    o << name;
  }
  // Unlike ICMPv4, tcpdump prints ICMPv6 details as it goes, so a missing
  // field cuts the line where it is.
  bool done = false;
  if (!describe_icmp6(o, b, length, done)) return o.truncated("icmp6");
  if (!done) {
    o << ", length ";
    o.num(length);
  }
}

// The layer above IP, chosen by the protocol field (IPv4) or the last next
// header (IPv6).
void print_demux(Text& o, Bytes b, uint32_t length, bool v6, bool fragmented, uint8_t protocol,
                 const IpContext& ip) {
  switch (protocol) {
    case kProtoTcp:
      return print_tcp(o, b, length, ip);
    case kProtoUdp:
      return print_udp(o, b, length, ip, fragmented);
    case kProtoIcmp:
      if (v6) {
        o << "[ICMP requires IPv4] (invalid)";
        return;
      }
      return print_icmp(o, b, length);
    case kProtoIcmpv6:
      if (!v6) {
        o << "[ICMPv6 requires IPv6] (invalid)";
        return;
      }
      return print_icmp6(o, b, length);
    case kProtoIgmp:
      if (v6) {
        o << "[IGMP requires IPv4] (invalid)";
        return;
      }
      break;
    case kProtoIpip:
      return print_ip4(o, b, length);
    case kProtoIpv6:
      return print_ip6(o, b, length);
    case kProtoNoNext:
      o << "no next header";
      return;
    case kProtoNd:
      o << " nd ";
      o.num(length);
      return;
    case kProtoSctp:
    case kProtoDccp:
      // tcpdump prints these with ports; bpfc does not dissect them, but
      // still shows the addresses.
      ip.addresses(o);
      o << ": ";
      break;
    default:
      break;
  }
  o << " ip-proto-";
  o.num(protocol) << ' ';
  o.num(length);
}

void print_ip4(Text& o, Bytes b, uint32_t length) {
  if (!b.has(0, 1)) return o.truncated("ip");
  unsigned version = b.u8(0) >> 4;
  if (version != 4) {
    if (version == 6) {
      o << "IP6, wrong link-layer encapsulation (invalid)";
    } else {
      o << "IP";
      o.num(version) << " (invalid)";
    }
    return;
  }
  o << "IP ";
  if (!b.has(0, 20)) return o.truncated("ip");
  if (length < 20) {
    o << "truncated-ip ";
    o.num(length);
    return;
  }
  uint32_t header_length = (b.u8(0) & 0x0f) * 4u;
  if (header_length < 20) {
    o << "bad-hlen ";
    o.num(header_length);
    return;
  }
  uint32_t total_length = b.u16(2);
  if (length < total_length) {
    o << "truncated-ip - ";
    o.num(total_length - length) << " bytes missing! ";
  }
  if (total_length < header_length) {
    o << "bad-len ";
    o.num(total_length);
    return;
  }
  b = b.clip(total_length);
  IpContext ip{b.data, false};
  uint16_t fragment = b.u16(6);
  uint8_t protocol = b.u8(9);
  if ((fragment & 0x1fff) != 0) {
    ip.addresses(o);
    o << ": ip-proto-";
    o.num(protocol);
    return;
  }
  if (protocol != kProtoTcp && protocol != kProtoUdp && protocol != kProtoSctp && protocol != kProtoDccp) {
    ip.addresses(o);
    o << ": ";
  }
  if (!b.has(0, header_length)) {
    o << " [remaining caplen(";
    o.num(b.size) << ") < header length(";
    o.num(header_length) << ")]";
    return o.truncated("ip");
  }
  bool more_fragments = (fragment & 0x2000) != 0;
  print_demux(o, b.from(header_length), total_length - header_length, false, more_fragments, protocol, ip);
}

void print_ip6(Text& o, Bytes b, uint32_t length) {
  if (!b.has(0, 40)) return o.truncated("ip6");
  if (length < 40) {
    o << "truncated-ip6 ";
    o.num(length);
    return;
  }
  o << "IP6 ";
  if ((b.u8(0) >> 4) != 6) {
    o << "version error: ";
    o.num(b.u8(0) >> 4) << " != 6";
    return;
  }
  uint32_t payload_length = b.u16(4);
  uint32_t remaining;
  if (payload_length != 0) {
    remaining = payload_length + 40;
    if (length < remaining) {
      o << "truncated-ip6 - ";
      o.num(remaining - length) << " bytes missing!";
    }
  } else {
    remaining = length + 40;  // tcpdump's provisional length while it looks for a jumbo option
  }
  uint8_t next = b.u8(6);
  b = b.clip(remaining);
  IpContext ip{b.data, true};
  uint32_t offset = 0, advance = 40;
  bool previous_was_header = true, seen_hop_by_hop = false, seen_extension = false, fragmented = false;
  while (offset < b.size && advance > 0) {
    if (remaining < advance) return o.truncated("ip6");
    offset += advance;
    remaining -= advance;
    if (offset == 40 && next != kProtoTcp && next != kProtoUdp && next != kProtoDccp && next != kProtoSctp) {
      ip.addresses(o);
      o << ": ";
    }
    switch (next) {
      case kProtoHopOpts: {
        if (seen_hop_by_hop) {
          o << "[The Hop-by-Hop Options header was already found] (invalid)";
          return;
        }
        if (!previous_was_header) {
          o << "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
          return;
        }
        if (!b.has(offset, 2)) return o.truncated("hbhopt");
        uint32_t size = (b.u8(offset + 1) + 1u) * 8;
        if (!b.has(offset, size)) return o.truncated("hbhopt");
        o << "HBH ";
        if (payload_length == 0) {
          o << "[No valid Jumbo Payload Hop-by-Hop option found] (invalid)";
          return;
        }
        advance = size;
        seen_hop_by_hop = seen_extension = true;
        next = b.u8(offset);
        break;
      }
      case kProtoDstOpts: {
        if (!b.has(offset, 2)) return o.truncated("dstopt");
        uint32_t size = (b.u8(offset + 1) + 1u) * 8;
        if (!b.has(offset, size)) return o.truncated("dstopt");
        o << "DSTOPT ";
        advance = size;
        seen_extension = true;
        next = b.u8(offset);
        break;
      }
      case kProtoFragment: {
        if (!b.has(offset, 4)) return o.truncated("frag6");
        uint32_t fragment_offset = b.u16(offset + 2) & 0xfff8;
        o << "frag (";
        o.num(fragment_offset) << '|';
        o.num(static_cast<uint64_t>(40 + payload_length) - offset - 8) << ')';
        if (fragment_offset != 0) return;  // a later fragment: no transport header
        o << ' ';
        advance = 8;
        if (b.size <= offset + advance) return;
        seen_extension = fragmented = true;
        next = b.u8(offset);
        break;
      }
      default:
        if (payload_length == 0) {
          if (seen_extension) return o.truncated("ip6");
          b = b.clip(40);
          remaining = 0;
        }
        return print_demux(o, b.from(offset), remaining, true, fragmented, next, ip);
    }
    previous_was_header = false;
  }
}

// Raw IP: the version nibble decides.
void print_ip_any(Text& o, Bytes b, uint32_t length) {
  if (length < 1) {
    o << "truncated-ip ";
    o.num(length);
    return;
  }
  if (!b.has(0, 1)) return o.truncated("ipn");
  switch (b.u8(0) & 0xf0) {
    case 0x40:
      return print_ip4(o, b, length);
    case 0x60:
      return print_ip6(o, b, length);
    default:
      o << "unknown ip ";
      o.num(b.u8(0) >> 4);
  }
}

std::string_view arp_hardware_name(uint16_t hardware) {
  switch (hardware) {
    case 1: return "Ethernet";
    case 6: return "TokenRing";
    case 7: return "ArcNet";
    case 15: return "FrameRelay";
    case 23: return "Strip";
    case 24: return "IEEE 1394";
    case 19: return "ATM";
    case 32: return "InfiniBand";
    default: return {};
  }
}

std::string_view ethertype_name(uint16_t type);

void print_arp(Text& o, Bytes b, uint32_t length) {
  if (!b.has(0, 8)) return o.truncated("arp");
  uint16_t hardware = b.u16(0), protocol = b.u16(2), operation = b.u16(6);
  uint32_t hardware_length = b.u8(4), protocol_length = b.u8(5);
  if (hardware == 19) {
    // ATM ARP (RFC 2225) has its own layout, which bpfc does not dissect.
    o << "ARP, ATM, length ";
    o.num(length);
    return;
  }
  uint32_t sender_hw = 8, sender_proto = sender_hw + hardware_length;
  uint32_t target_hw = sender_proto + protocol_length, target_proto = target_hw + hardware_length;
  if (!b.has(target_proto, protocol_length)) return o.truncated("arp");
  o << "ARP, ";
  bool ip_addresses = (protocol == 0x0800 || protocol == 0x1000) && protocol_length == 4;
  if (!ip_addresses || hardware_length == 0) {
    std::string_view hardware_name = arp_hardware_name(hardware);
    if (hardware_name.empty()) {
      o << "Unknown Hardware (";
      o.num(hardware) << ')';
    } else {
      o << hardware_name;
    }
    o << " (len ";
    o.num(hardware_length) << "), ";
    std::string_view protocol_name = ethertype_name(protocol);
    if (protocol_name.empty()) {
      o << "Unknown Protocol (0x";
      o.hex(protocol, 4) << ')';
    } else {
      o << protocol_name;
    }
    o << " (len ";
    o.num(protocol_length) << "), length ";
    o.num(length);
    return;
  }
  auto protocol_address = [&](uint32_t offset) { o.ipv4(b.at(offset)); };
  auto hardware_address = [&](uint32_t offset) { o.linkaddr(b.at(offset), hardware_length); };
  switch (operation) {
    case 1: {
      o << "Request who-has ";
      protocol_address(target_proto);
      bool target_known = false;
      for (uint32_t i = 0; i < hardware_length; ++i) target_known |= b.u8(target_hw + i) != 0;
      if (target_known) {
        o << " (";
        hardware_address(target_hw);
        o << ')';
      }
      o << " tell ";
      protocol_address(sender_proto);
      break;
    }
    case 2:
      o << "Reply ";
      protocol_address(sender_proto);
      o << " is-at ";
      hardware_address(sender_hw);
      break;
    case 3:
    case 8:
      o << (operation == 3 ? "Reverse Request who-is " : "Inverse Request who-is ");
      hardware_address(target_hw);
      o << " tell ";
      hardware_address(sender_hw);
      break;
    case 4:
      o << "Reverse Reply ";
      hardware_address(target_hw);
      o << " at ";
      protocol_address(target_proto);
      break;
    case 9:
      o << "Inverse Reply ";
      hardware_address(sender_hw);
      o << " at ";
      protocol_address(sender_proto);
      break;
    case 10:
      o << "NACK Reply ";  // tcpdump follows this with a hex dump
      return;
    default:
      o << "Unknown (";
      o.num(operation) << ") ";
      return;
  }
  o << ", length ";
  o.num(length);
}

std::string_view ethertype_name(uint16_t type) {
  switch (type) {
    case 0x0800: return "IPv4";
    case 0x8847: return "MPLS unicast";
    case 0x8848: return "MPLS multicast";
    case 0x86dd: return "IPv6";
    case 0x8100: return "802.1Q";
    case 0x9100: return "802.1Q-9100";
    case 0x88a8: return "802.1Q-QinQ";
    case 0x9200: return "802.1Q-9200";
    case 0x88e5: return "802.1AE MACsec";
    case 0x0200: return "PUP";
    case 0x0806: return "ARP";
    case 0x8035: return "Reverse ARP";
    case 0x0600: return "NS";
    case 0x0500: return "Sprite";
    case 0x1000: return "Trail";
    case 0x6001: return "MOP DL";
    case 0x6002: return "MOP RC";
    case 0x6003: return "DN";
    case 0x6004: return "LAT";
    case 0x6007: return "SCA";
    case 0x6558: return "TEB";
    case 0x8038: return "Lanbridge";
    case 0x803c: return "DEC DNS";
    case 0x803e: return "DEC DTS";
    case 0x805b: return "VEXP";
    case 0x805c: return "VPROD";
    case 0x809b: return "Appletalk";
    case 0x80f3: return "Appletalk ARP";
    case 0x8137: return "IPX";
    case 0x880b: return "PPP";
    case 0x8808: return "MPCP";
    case 0x8809: return "Slow Protocols";
    case 0x8863: return "PPPoE D";
    case 0x8864: return "PPPoE S";
    case 0x888e: return "EAPOL";
    case 0x8899: return "Realtek protocols";
    case 0x886f: return "MS NLB heartbeat";
    case 0x8870: return "Jumbo";
    case 0x894f: return "NSH";
    case 0x9000: return "Loopback";
    case 0xfefe: return "OSI";
    case 0x00fe: return "GRE-OSI";
    case 0xabcd: return "CFM (old)";
    case 0x8902: return "CFM";
    case 0x893a: return "IEEE1905.1";
    case 0x88cc: return "LLDP";
    case 0x88ca: return "TIPC";
    case 0x0707: return "GeoNet (old)";
    case 0x8947: return "GeoNet";
    case 0x1111: return "CALM FAST";
    case 0x88a2: return "AoE";
    case 0x88f7: return "PTP";
    case 0xd28b: return "Arista Vendor Specific Protocol";
    default: return {};
  }
}

// What follows a link layer whose type field is an ethertype. Returns false
// for an ethertype bpfc does not dissect.
bool print_ethertype(Text& o, uint16_t type, Bytes b, uint32_t length) {
  switch (type) {
    case 0x0800:
      print_ip4(o, b, length);
      return true;
    case 0x86dd:
      print_ip6(o, b, length);
      return true;
    case 0x0806:
    case 0x8035:
      print_arp(o, b, length);
      return true;
    default:
      return false;
  }
}

bool is_vlan_tpid(uint16_t type) { return type == 0x8100 || type == 0x9100 || type == 0x9200 || type == 0x88a8; }

void print_ethernet(Text& o, Bytes b, uint32_t length) {
  if (b.size < 14) return o.truncated("ether");
  uint32_t frame_length = length;
  const uint8_t* destination = b.at(0);
  const uint8_t* source = b.at(6);
  uint16_t type = b.u16(12);
  b = b.from(14);
  length -= 14;
  while (is_vlan_tpid(type)) {
    if (b.size < 4 || length < 4) return o.truncated("vlan");
    type = b.u16(2);
    b = b.from(4);
    length -= 4;
  }
  if (type <= kMaxEthernetLength) {
    // 802.3 with an LLC header: tcpdump dissects LLC/SNAP; bpfc names the
    // frame only.
    o.mac(source) << " > ";
    o.mac(destination) << ", 802.3, length ";
    o.num(std::min<uint32_t>(type, length));
    return;
  }
  if (print_ethertype(o, type, b, length)) return;
  o.mac(source) << " > ";
  o.mac(destination) << ", ";
  std::string_view name = ethertype_name(type);
  if (name.empty()) {
    o << "Unknown Ethertype (0x";
    o.hex(type, 4) << ')';
  } else {
    o << name;
  }
  o << ", length ";
  o.num(frame_length) << ": ";
}

std::string_view sll_packet_type(uint32_t type) {
  switch (type) {
    case 0: return "In";
    case 1: return "B";
    case 2: return "M";
    case 3: return "P";
    case 4: return "Out";
    default: return "?";
  }
}

// The part of an SLL/SLL2 line after the cooked header: `type` is its
// protocol field. `describe` prints tcpdump's header summary for an
// ethertype it cannot dissect.
template <typename DescribeHeader>
void print_cooked_payload(Text& o, uint16_t type, Bytes b, uint32_t length, DescribeHeader describe) {
  while (true) {
    if (type <= kMaxEthernetLength) {
      // 802.2 LLC, Novell 802.3 and other non-ethertype payloads: tcpdump
      // dissects LLC and IPX, bpfc names them.
      o << (type == 0x0001 ? "802.3" : type == 0x0004 ? "802.2" : "non-ethertype payload") << ", length ";
      o.num(length);
      return;
    }
    if (type != 0x8100) break;
    if (b.size < 4) return o.truncated("vlan");
    type = b.u16(2);
    if (type <= kMaxEthernetLength) type = 0x0004;
    b = b.from(4);
    length -= 4;
  }
  if (!print_ethertype(o, type, b, length)) describe();
}

void print_sll(Text& o, Bytes b, uint32_t length) {
  if (!b.has(0, 16)) return o.truncated("sll");
  Bytes header = b;
  b = b.from(16);
  length -= 16;
  print_cooked_payload(o, header.u16(14), b, length, [&] {
    o.right(sll_packet_type(header.u16(0)), 3) << ' ';
    if (header.u16(4) == 6) o.mac(header.at(6)) << ' ';
  });
}

void print_sll2(Text& o, Bytes b, uint32_t length) {
  if (!b.has(0, 20)) return o.truncated("sll2");
  Bytes header = b;
  char interface[16] = "if";
  auto end = std::to_chars(interface + 2, interface + sizeof interface, header.u32(4)).ptr;
  o.left(std::string_view(interface, static_cast<size_t>(end - interface)), 5) << ' ';
  o.left(sll_packet_type(header.u8(10)), 3) << ' ';
  b = b.from(20);
  length -= 20;
  print_cooked_payload(o, header.u16(0), b, length, [&] {
    o << "ifindex ";
    o.num(header.u32(4)) << ' ';
    if (header.u8(11) == 6) o.mac(header.at(12)) << ' ';
  });
}

// BSD loopback: a 4-byte address family in the byte order of the machine
// that captured it (DLT_NULL) or in network order (DLT_LOOP).
void print_null(Text& o, Bytes b, uint32_t length) {
  if (!b.has(0, 4)) return o.truncated("null");
  uint32_t family = static_cast<uint32_t>(b.u8(0)) | static_cast<uint32_t>(b.u8(1)) << 8 |
                    static_cast<uint32_t>(b.u8(2)) << 16 | static_cast<uint32_t>(b.u8(3)) << 24;
  if ((family & 0xffff0000) != 0) family = __builtin_bswap32(family);
  b = b.from(4);
  length -= 4;
  switch (family) {
    case 2:
      return print_ip4(o, b, length);
    case 24:
    case 28:
    case 30:
      return print_ip6(o, b, length);
    case 7:
      o << "ISO";
      break;
    case 16:
      o << "Appletalk";
      break;
    case 23:
      o << "IPX";
      break;
    case 6:
      o << "NS";
      break;
    default:
      o << "Unknown AF ";
      o.num(family);
  }
  o << ", length ";
  o.num(length + 4) << ": ";
}

void print_other_linktype(Text& o, uint32_t dlt, uint32_t length) {
  o << "link-type ";
  auto name = linktype_name(dlt);
  if (name) {
    o << *name;
  } else {
    o.num(dlt);
  }
  o << ", length ";
  o.num(length);
}

}  // namespace

void PacketSummary::append_time(std::string& out, int64_t timestamp_ns) {
  int64_t second = timestamp_ns / 1000000000;
  int64_t fraction_ns = timestamp_ns % 1000000000;
  if (fraction_ns < 0) {
    fraction_ns += 1000000000;
    --second;
  }
  // tcpdump refuses times whose low 32 bits look negative.
  if ((static_cast<uint32_t>(second) & 0x80000000u) != 0) {
    out.append("[Error converting time] ");
    return;
  }
  if (second != cached_second_) {
    time_t t = static_cast<time_t>(second);
    struct tm local {};
    if (localtime_r(&t, &local) == nullptr) {
      out.append("[Error converting time] ");
      return;
    }
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    std::copy(text, text + 8, cached_clock_);
    cached_second_ = second;
  }
  out.append(cached_clock_, 8);
  char fraction[12];
  uint64_t value = nanosecond_ ? static_cast<uint64_t>(fraction_ns) : static_cast<uint64_t>(fraction_ns) / 1000;
  int digits = nanosecond_ ? 9 : 6;
  fraction[0] = '.';
  for (int i = digits; i >= 1; --i) {
    fraction[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  fraction[digits + 1] = ' ';
  out.append(fraction, static_cast<size_t>(digits + 2));
}

void PacketSummary::append(std::string& out, const capture::Packet& packet, uint32_t dlt) {
  Text o(out);
  // tcpdump's sanity checks come before the timestamp.
  uint32_t caplen = packet.caplen, length = packet.wirelen;
  if (caplen == 0 || length == 0 || length < caplen || caplen > kMaximumSnaplen || length > kMaximumSnaplen) {
    o << "[Invalid header:";
    bool first = true;
    auto problem = [&](auto&& write) {
      o << (first ? " " : ", ");
      first = false;
      write();
    };
    if (caplen == 0) problem([&] { o << "caplen==0"; });
    if (length == 0) {
      problem([&] { o << "len==0"; });
    } else if (length < caplen) {
      problem([&] {
        o << "len(";
        o.num(length) << ") < caplen(";
        o.num(caplen) << ')';
      });
    }
    if (caplen > kMaximumSnaplen) {
      problem([&] {
        o << "caplen(";
        o.num(caplen) << ") > ";
        o.num(kMaximumSnaplen);
      });
    }
    if (length > kMaximumSnaplen) {
      problem([&] {
        o << "len(";
        o.num(length) << ") > ";
        o.num(kMaximumSnaplen);
      });
    }
    o << "]\n";
    return;
  }
  append_time(out, packet.timestamp_ns);
  Bytes bytes{packet.data, caplen};
  switch (dlt) {
    case kDltEn10mb:
      print_ethernet(o, bytes, length);
      break;
    case kDltRaw:
    case kDltIpv4:
    case kDltIpv6:
      print_ip_any(o, bytes, length);
      break;
    case kDltLinuxSll:
      print_sll(o, bytes, length);
      break;
    case kDltLinuxSll2:
      print_sll2(o, bytes, length);
      break;
    case kDltNull:
    case kDltLoop:
      print_null(o, bytes, length);
      break;
    default:
      print_other_linktype(o, dlt, length);
      break;
  }
  out.push_back('\n');
}

SummaryWriter::SummaryWriter(std::FILE* out, bool nanosecond) : out_(out), summary_(nanosecond) {}

SummaryWriter::~SummaryWriter() { flush(); }

bool SummaryWriter::write(const capture::Packet& packet, uint32_t dlt) {
  if (failed_) return false;
  // Room for a whole batch once, so that lines are appended without
  // reallocating (a line is far shorter than the slack).
  if (buffer_.capacity() < kBatchBytes) buffer_.reserve(kBatchBytes + 4096);
  summary_.append(buffer_, packet, dlt);
  if (buffer_.size() >= kBatchBytes) return flush();
  return true;
}

bool SummaryWriter::flush() {
  if (failed_) return false;
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) failed_ = true;
  buffer_.clear();
  if (std::fflush(out_) != 0) failed_ = true;
  return !failed_;
}

}  // namespace bpfc::cli
