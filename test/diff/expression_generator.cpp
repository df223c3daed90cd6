#include "expression_generator.h"

#include <cstdio>
#include <string>

#include "rng.h"
#include "synthetic_packets.h"
#include "test_values.h"

namespace bpfc::difftest {
namespace {

using Strings = std::vector<std::string>;

std::string number(uint32_t value, Rng& rng) {
  if (rng.percent(25)) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%x", value);
    return text;
  }
  return std::to_string(value);
}

std::string direction(Rng& rng) {
  static const Strings kDirections = {"", "", "src ", "dst ", "src or dst ", "src and dst "};
  return rng.pick(kDirections);
}

std::string ipv4_address(Rng& rng) { return rng.pick(ipv4_pool()).text; }
std::string ipv6_address(Rng& rng) { return rng.pick(ipv6_pool()).text; }

std::string port_number(Rng& rng) { return std::to_string(rng.pick(port_pool())); }

std::string protocol_abbreviation(Rng& rng) {
  static const Strings kNames = {"ip",   "ip6", "arp", "rarp", "tcp", "udp",  "icmp", "icmp6",
                                 "sctp", "igmp", "ah", "esp",  "pim", "vrrp", "ether proto 0x800",
                                 "ether proto 0x86dd", "link proto 0x806"};
  uint32_t choice = rng.below(10);
  if (choice < 7) return rng.pick(kNames);
  std::string protocol = std::to_string(rng.pick(ip_protocol_pool()));
  if (choice == 7) return "ip proto " + protocol;
  if (choice == 8) return "ip6 proto " + protocol;
  return rng.percent(50) ? "proto " + protocol : (rng.percent(50) ? "ip" : "ip6") + std::string(" protochain ") + protocol;
}

std::string host_primitive(Rng& rng) {
  uint32_t choice = rng.below(10);
  if (choice < 2) return "ether " + direction(rng) + "host " + rng.pick(mac_pool()).text;
  if (choice == 2) return std::string(rng.percent(50) ? "ether src " : "ether dst ") + rng.pick(mac_pool()).text;
  static const Strings kIpv4Protocols = {"", "", "ip ", "arp ", "rarp "};
  if (choice < 7) {
    std::string text = rng.pick(kIpv4Protocols) + direction(rng) + "host " + ipv4_address(rng);
    if (rng.percent(15)) text += " or " + ipv4_address(rng);  // inherits the qualifiers
    return text;
  }
  // Mostly ip6 with an IPv6 address; sometimes a mismatch libpcap refuses.
  std::string qualifier = rng.percent(90) ? (rng.percent(50) ? "ip6 " : "") : "ip ";
  return qualifier + direction(rng) + "host " + ipv6_address(rng);
}

std::string net_primitive(Rng& rng) {
  static const Strings kIpv4Nets = {"10.0.0.0/8",    "10.0.0.0/24", "192.168.1.0/24", "10.1",
                                    "192.168",       "10.1.2.3/32", "172.16.0.0 mask 255.240.0.0",
                                    "224.0.0.0/4",   "10.0.0.0/31"};
  static const Strings kIpv6Nets = {"2001:db8::/32", "fe80::/10", "ff00::/8", "::/0", "2001:db8::1/128"};
  if (rng.percent(65)) {
    std::string text = std::string(rng.percent(30) ? "ip " : "") + direction(rng) + "net " + rng.pick(kIpv4Nets);
    if (rng.percent(10)) text += " or 192.168.1.0/24";
    return text;
  }
  return std::string(rng.percent(30) ? "ip6 " : "") + direction(rng) + "net " + rng.pick(kIpv6Nets);
}

std::string port_primitive(Rng& rng) {
  static const Strings kTransports = {"", "", "tcp ", "udp ", "sctp ", "ip ", "ip6 "};
  std::string prefix = rng.pick(kTransports) + direction(rng);
  if (rng.percent(25)) {
    return prefix + "portrange " + port_number(rng) + "-" + port_number(rng);
  }
  std::string text = prefix + "port " + port_number(rng);
  if (rng.percent(15)) text += " or " + port_number(rng);
  return text;
}

std::string encapsulation_primitive(Rng& rng) {
  switch (rng.below(7)) {
    case 0: return "vlan";
    case 1: return "vlan " + std::to_string(rng.pick(vlan_pool()));
    case 2: return "mpls";
    case 3: return "mpls " + std::to_string(rng.pick(mpls_label_pool()));
    case 4: return "pppoes";
    case 5: return "pppoes " + std::to_string(rng.pick(pppoe_session_pool()));
    default: return "pppoed";
  }
}

std::string length_primitive(Rng& rng) {
  static const Strings kOps = {"=", "!=", "<", "<=", ">", ">="};
  static const std::vector<uint32_t> kLengths = {0, 14, 20, 54, 60, 64, 100, 1500};
  switch (rng.below(3)) {
    case 0: return "less " + std::to_string(rng.pick(kLengths));
    case 1: return "greater " + std::to_string(rng.pick(kLengths));
    default: return "len " + rng.pick(kOps) + " " + std::to_string(rng.pick(kLengths));
  }
}

std::string broadcast_primitive(Rng& rng) {
  static const Strings kForms = {"ether broadcast", "ether multicast", "ip multicast", "ip6 multicast",
                                 "broadcast",       "multicast",       "ip broadcast"};
  return rng.pick(kForms);
}

// proto[index] / proto[index:size], the index sometimes computed.
std::string packet_access(Rng& rng) {
  static const Strings kProtocols = {"ether", "ip", "ip6", "tcp", "udp", "icmp", "icmp6", "arp", "sctp", "igmp"};
  std::string protocol = rng.pick(kProtocols);
  std::string index;
  switch (rng.below(6)) {
    case 0: index = "ip[0] & 0xf"; break;
    case 1: index = std::to_string(rng.below(8)) + " * 2"; break;
    default: index = std::to_string(rng.below(rng.percent(80) ? 24 : 64)); break;
  }
  static const Strings kSizes = {"", "", ":1", ":2", ":4"};
  return protocol + "[" + index + rng.pick(kSizes) + "]";
}

std::string arithmetic(Rng& rng, int depth) {
  uint32_t choice = rng.below(10);
  if (depth <= 0 || choice < 5) return packet_access(rng);
  if (choice == 5) return "len";
  if (choice == 6) return number(rng.below(300), rng);
  static const Strings kOps = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
  std::string op = rng.pick(kOps);
  std::string rhs;
  if (op == "/" || op == "%") {
    // A constant divisor, or one that may be zero at run time.
    rhs = rng.percent(60) ? std::to_string(1 + rng.below(16)) : "(" + packet_access(rng) + " & 3)";
  } else if (op == "<<" || op == ">>") {
    rhs = rng.percent(80) ? std::to_string(rng.below(36)) : "(" + packet_access(rng) + " & 0x3f)";
  } else {
    rhs = arithmetic(rng, depth - 1);
  }
  std::string lhs = arithmetic(rng, depth - 1);
  if (rng.percent(5)) lhs = "-" + lhs;
  return "(" + lhs + " " + op + " " + rhs + ")";
}

std::string relation_primitive(Rng& rng) {
  static const Strings kFixed = {
      "tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn", "tcp[13] & 2 != 0",
      "icmp[icmptype] = icmp-echo",                   "icmp[icmptype] != icmp-echoreply",
      "(ip[6:2] & 0x1fff) = 0",                       "ip[2:2] - ((ip[0] & 0xf) << 2) > 40",
      "tcp[12] >> 4 > 5",                             "ether[0] & 1 != 0",
      "ip6[6] = 58",                                  "udp[0:2] = 53",
      "ip[0] & 0xf > 5",                              "icmp6[icmp6type] = icmp6-echo"};
  if (rng.percent(30)) return rng.pick(kFixed);
  static const Strings kOps = {"=", "!=", "<", "<=", ">", ">="};
  std::string lhs = arithmetic(rng, 2);
  if (rng.percent(30)) lhs += " & " + number(rng.percent(50) ? 0xff : 1u << rng.below(16), rng);
  return lhs + " " + rng.pick(kOps) + " " + number(rng.percent(50) ? rng.below(256) : static_cast<uint32_t>(rng.next() >> 40), rng);
}

std::string primitive(Rng& rng, bool ethernet) {
  uint32_t choice = rng.below(100);
  if (choice < 16) return protocol_abbreviation(rng);
  if (choice < 32) return host_primitive(rng);
  if (choice < 42) return net_primitive(rng);
  if (choice < 56) return port_primitive(rng);
  if (choice < 66) {
    // Mostly on Ethernet, where libpcap supports them; elsewhere both
    // compilers must refuse them alike.
    if (ethernet || rng.percent(15)) return encapsulation_primitive(rng);
    return protocol_abbreviation(rng);
  }
  if (choice < 72) return length_primitive(rng);
  if (choice < 76) return broadcast_primitive(rng);
  return relation_primitive(rng);
}

// The primitives of one link type, which replace most generic primitives
// when set (generate_link_filters).
const Strings* link_primitives = nullptr;
bool only_link_primitives = false;

std::string any_primitive(Rng& rng, bool ethernet) {
  if (link_primitives != nullptr && (only_link_primitives || rng.percent(70))) return rng.pick(*link_primitives);
  return primitive(rng, ethernet);
}

std::string expression(Rng& rng, int depth, bool ethernet) {
  if (depth == 0 || rng.percent(30)) return any_primitive(rng, ethernet);
  if (rng.percent(15)) {
    std::string operand = expression(rng, depth - 1, ethernet);
    return (rng.percent(70) ? "not " : "!") + std::string("(") + operand + ")";
  }
  std::string op;
  if (rng.percent(50)) {
    op = rng.percent(80) ? "and" : "&&";
  } else {
    op = rng.percent(80) ? "or" : "||";
  }
  std::string lhs = expression(rng, depth - 1, ethernet);
  std::string rhs = expression(rng, depth - 1, ethernet);
  // Without parentheses libpcap's left-to-right grouping and qualifier
  // inheritance apply; both compilers see the same text either way.
  if (rng.percent(75)) return "(" + lhs + ") " + op + " (" + rhs + ")";
  return lhs + " " + op + " " + rhs;
}

uint32_t pick_linktype(Rng& rng) {
  uint32_t choice = rng.below(100);
  if (choice < 40) return kDltEn10mb;
  // 802.11: bare, behind radiotap (payload offset with padding) and Prism or
  // AVS headers (branching header length); FDDI for LLC without 802.11.
  if (choice < 43) return kDltIeee80211;
  if (choice < 47) return kDltIeee80211Radio;
  if (choice < 49) return kDltPrismHeader;
  if (choice < 50) return kDltFddi;
  if (choice < 60) return kDltRaw;
  if (choice < 70) return kDltLinuxSll;
  if (choice < 80) return kDltLinuxSll2;
  if (choice < 85) return kDltNull;
  if (choice < 90) return kDltLoop;
  if (choice < 95) return kDltIpv4;
  return kDltIpv6;
}

}  // namespace

std::vector<GeneratedFilter> generate_link_filters(uint32_t linktype, const std::vector<std::string>& primitives,
                                                   bool only_own, int count, uint64_t seed) {
  Rng rng(seed ^ (uint64_t{linktype} << 32));
  link_primitives = &primitives;
  only_link_primitives = only_own;
  std::vector<GeneratedFilter> filters;
  for (int i = 0; i < count; ++i) {
    GeneratedFilter filter;
    filter.linktype = linktype;
    filter.expr = expression(rng, static_cast<int>(rng.below(4)), false);
    filters.push_back(std::move(filter));
  }
  link_primitives = nullptr;
  return filters;
}

std::vector<GeneratedFilter> generate_filters(int count, uint64_t seed) {
  Rng rng(seed);
  std::vector<GeneratedFilter> filters;
  for (int i = 0; i < count; ++i) {
    GeneratedFilter filter;
    filter.linktype = pick_linktype(rng);
    filter.expr = expression(rng, static_cast<int>(rng.below(5)), filter.linktype == kDltEn10mb);
    if (rng.percent(10)) filter.snaplen = rng.percent(50) ? 96 : 65535;
    if (rng.percent(10)) filter.netmask = 0xffffff00;
    filters.push_back(std::move(filter));
  }
  return filters;
}

}  // namespace bpfc::difftest
