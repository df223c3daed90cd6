// Port and port-range tests.
#include "gencode/port.h"

#include <cctype>
#include <optional>
#include <string>

#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/protocols.h"

namespace bpfc::lower {

using namespace bpf;
using ast::Dir;
using ast::Proto;

namespace {

constexpr uint32_t kSrcPortOffset = 0;
constexpr uint32_t kDstPortOffset = 2;

[[noreturn]] void fail_port_dir(Codegen& cg, Dir dir, std::string_view what) {
  const std::string w(what);
  switch (dir) {
    case Dir::Addr1: cg.fail("'addr1' and 'address1' are not valid qualifiers for " + w);
    case Dir::Addr2: cg.fail("'addr2' and 'address2' are not valid qualifiers for " + w);
    case Dir::Addr3: cg.fail("'addr3' and 'address3' are not valid qualifiers for " + w);
    case Dir::Addr4: cg.fail("'addr4' and 'address4' are not valid qualifiers for " + w);
    case Dir::Ra: cg.fail("'ra' is not a valid qualifier for " + w);
    case Dir::Ta: cg.fail("'ta' is not a valid qualifier for " + w);
    default: cg.fail("syntax error in filter expression");
  }
}

// One port test per direction, combined as asked (source first).
template <typename Atom>
Fragment ports_by_direction(Codegen& cg, Dir dir, std::string_view what, Atom atom) {
  switch (dir) {
    case Dir::Src: return atom(kSrcPortOffset);
    case Dir::Dst: return atom(kDstPortOffset);
    case Dir::SrcAndDst: {
      Fragment src = atom(kSrcPortOffset);
      return gen_and(cg, std::move(src), atom(kDstPortOffset));
    }
    case Dir::Default:
    case Dir::SrcOrDst: {
      Fragment src = atom(kSrcPortOffset);
      return gen_or(cg, std::move(src), atom(kDstPortOffset));
    }
    default: fail_port_dir(cg, dir, what);
  }
}

Fragment range_atom(Codegen& cg, OffRel rel, uint32_t off, uint32_t v1, uint32_t v2) {
  if (v1 > v2) std::swap(v1, v2);
  Fragment lo = gen_cmp_ge(cg, rel, off, kH, v1);
  return gen_and(cg, std::move(lo), gen_cmp_le(cg, rel, off, kH, v2));
}

// IPv4 protocol `proto`, not a later fragment, then the port test.
template <typename Atom>
Fragment portop(Codegen& cg, uint32_t proto, Dir dir, std::string_view what, Atom atom) {
  Fragment is_proto = gen_cmp(cg, OffRel::LinkPl, 9, kB, proto);
  Fragment b0 = gen_and(cg, std::move(is_proto), gen_ipfrag(cg));
  Fragment b1 = ports_by_direction(cg, dir, what, atom);
  return gen_and(cg, std::move(b0), std::move(b1));
}

template <typename Atom>
Fragment portop6(Codegen& cg, uint32_t proto, Dir dir, std::string_view what, Atom atom) {
  Fragment b0 = gen_cmp(cg, OffRel::LinkPl, 6, kB, proto);
  Fragment b1 = ports_by_direction(cg, dir, what, atom);
  return gen_and(cg, std::move(b0), std::move(b1));
}

// Over one protocol, or TCP, UDP and SCTP (tested SCTP, TCP, UDP).
template <typename Op>
Fragment over_protocols(Codegen& cg, uint32_t ip_proto, Op op) {
  if (ip_proto != kAnyPortProto) return op(ip_proto);
  Fragment tmp = op(ipproto::kTcp);
  Fragment b1 = gen_or(cg, std::move(tmp), op(ipproto::kUdp));
  Fragment sctp = op(ipproto::kSctp);
  return gen_or(cg, std::move(sctp), std::move(b1));
}

uint32_t port_proto_for(Codegen& cg, Proto proto, std::string_view what) {
  switch (proto) {
    case Proto::Udp: return ipproto::kUdp;
    case Proto::Tcp: return ipproto::kTcp;
    case Proto::Sctp: return ipproto::kSctp;
    case Proto::Default: return kAnyPortProto;
    default: cg.fail("illegal qualifier of '" + std::string(what) + "'");
  }
}

struct NamedPort {
  uint32_t port;
  uint32_t proto;  // kAnyPortProto when the name means the same port for TCP and UDP
};

// services(5) lookup as libpcap's pcap_nametoport() does it: TCP, then UDP.
// Like getaddrinfo(), a decimal number names that port for both.
std::optional<NamedPort> port_by_name(Codegen& cg, std::string_view name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos) {
    uint32_t v = 0;
    for (char c : name) v = v * 10 + static_cast<uint32_t>(c - '0');
    return NamedPort{v & 0xffff, kAnyPortProto};
  }
  std::optional<uint16_t> tcp = cg.resolver().service(name, "tcp");
  std::optional<uint16_t> udp = cg.resolver().service(name, "udp");
  if (tcp) return NamedPort{*tcp, udp && *udp == *tcp ? kAnyPortProto : ipproto::kTcp};
  if (udp) return NamedPort{*udp, ipproto::kUdp};
  return std::nullopt;
}

// A transport qualifier must agree with the protocol a service name implies.
uint32_t reconcile_proto(Codegen& cg, Proto qualifier, uint32_t named, const std::string& what) {
  auto name_of = [](uint32_t p) { return p == ipproto::kTcp ? "tcp" : p == ipproto::kUdp ? "udp" : "sctp"; };
  uint32_t wanted;
  switch (qualifier) {
    case Proto::Udp: wanted = ipproto::kUdp; break;
    case Proto::Tcp: wanted = ipproto::kTcp; break;
    case Proto::Sctp: wanted = ipproto::kSctp; break;
    default: return named;
  }
  if (named != kAnyPortProto && named != wanted) cg.fail(what + " is " + name_of(named));
  return wanted;
}

// sscanf("%d") on the text at `pos`: optional blanks and sign, then digits.
std::optional<int64_t> scan_int(std::string_view s, size_t& pos) {
  while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  bool neg = false;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) neg = s[pos++] == '-';
  size_t start = pos;
  int64_t v = 0;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
    v = v * 10 + (s[pos++] - '0');
    if (v > 0xffffffffLL) v = 0xffffffffLL + 1;  // out of range either way
  }
  if (pos == start) return std::nullopt;
  return neg ? -v : v;
}

void check_port_range(Codegen& cg, int64_t port) {
  if (port < 0) cg.fail("illegal port number " + std::to_string(port) + " < 0");
  if (port > 65535) cg.fail("illegal port number " + std::to_string(port) + " > 65535");
}

}  // namespace

Fragment gen_ipfrag(Codegen& cg) { return gen_not(gen_jset(cg, OffRel::LinkPl, 6, kH, 0x1fff)); }

Fragment gen_port(Codegen& cg, uint32_t port, uint32_t ip_proto, Dir dir) {
  Fragment b0 = gen_linktype(cg, ethertype::kIp);
  Fragment b1 = over_protocols(cg, ip_proto, [&](uint32_t p) {
    return portop(cg, p, dir, "ports",
                  [&](uint32_t off) { return gen_cmp(cg, OffRel::TranIpv4, off, kH, port); });
  });
  return gen_and(cg, std::move(b0), std::move(b1));
}

Fragment gen_port6(Codegen& cg, uint32_t port, uint32_t ip_proto, Dir dir) {
  Fragment b0 = gen_linktype(cg, ethertype::kIpv6);
  Fragment b1 = over_protocols(cg, ip_proto, [&](uint32_t p) {
    return portop6(cg, p, dir, "ports",
                   [&](uint32_t off) { return gen_cmp(cg, OffRel::TranIpv6, off, kH, port); });
  });
  return gen_and(cg, std::move(b0), std::move(b1));
}

Fragment gen_portrange(Codegen& cg, uint32_t port1, uint32_t port2, uint32_t ip_proto, Dir dir) {
  Fragment b0 = gen_linktype(cg, ethertype::kIp);
  Fragment b1 = over_protocols(cg, ip_proto, [&](uint32_t p) {
    return portop(cg, p, dir, "port ranges",
                  [&](uint32_t off) { return range_atom(cg, OffRel::TranIpv4, off, port1, port2); });
  });
  return gen_and(cg, std::move(b0), std::move(b1));
}

Fragment gen_portrange6(Codegen& cg, uint32_t port1, uint32_t port2, uint32_t ip_proto, Dir dir) {
  Fragment b0 = gen_linktype(cg, ethertype::kIpv6);
  Fragment b1 = over_protocols(cg, ip_proto, [&](uint32_t p) {
    return portop6(cg, p, dir, "port ranges",
                   [&](uint32_t off) { return range_atom(cg, OffRel::TranIpv6, off, port1, port2); });
  });
  return gen_and(cg, std::move(b0), std::move(b1));
}

Fragment gen_port_number(Codegen& cg, uint32_t port, const ast::Qualifiers& q) {
  uint32_t proto = port_proto_for(cg, q.proto, "port");
  if (port > 65535) cg.fail("illegal port number " + std::to_string(port) + " > 65535");
  Fragment v4 = gen_port(cg, port, proto, q.dir);
  Fragment v6 = gen_port6(cg, port, proto, q.dir);
  return gen_or(cg, std::move(v6), std::move(v4));
}

Fragment gen_portrange_number(Codegen& cg, uint32_t port, const ast::Qualifiers& q) {
  uint32_t proto = port_proto_for(cg, q.proto, "portrange");
  if (port > 65535) cg.fail("illegal port number " + std::to_string(port) + " > 65535");
  Fragment v4 = gen_portrange(cg, port, port, proto, q.dir);
  Fragment v6 = gen_portrange6(cg, port, port, proto, q.dir);
  return gen_or(cg, std::move(v6), std::move(v4));
}

Fragment gen_port_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q) {
  port_proto_for(cg, q.proto, "port");
  std::optional<NamedPort> named = port_by_name(cg, name);
  if (!named) cg.fail("unknown port '" + std::string(name) + "'");
  uint32_t proto = reconcile_proto(cg, q.proto, named->proto, "port '" + std::string(name) + "'");
  check_port_range(cg, named->port);
  Fragment v4 = gen_port(cg, named->port, proto, q.dir);
  Fragment v6 = gen_port6(cg, named->port, proto, q.dir);
  return gen_or(cg, std::move(v6), std::move(v4));
}

Fragment gen_portrange_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q) {
  port_proto_for(cg, q.proto, "portrange");
  const std::string text(name);
  int64_t p1 = 0, p2 = 0;
  uint32_t named_proto = kAnyPortProto;
  size_t pos = 0;
  std::optional<int64_t> n1 = scan_int(name, pos);
  bool numeric = false;
  if (n1 && pos < name.size() && name[pos] == '-') {
    ++pos;
    if (std::optional<int64_t> n2 = scan_int(name, pos)) {
      // %d stores into an unsigned: negative numbers wrap, as in libpcap.
      p1 = static_cast<int32_t>(static_cast<uint32_t>(*n1));
      p2 = static_cast<int32_t>(static_cast<uint32_t>(*n2));
      numeric = true;
    }
  }
  if (!numeric) {
    size_t dash = name.find('-');
    if (dash == std::string_view::npos) cg.fail("unknown port in range '" + text + "'");
    std::optional<NamedPort> a = port_by_name(cg, name.substr(0, dash));
    std::optional<NamedPort> b = a ? port_by_name(cg, name.substr(dash + 1)) : std::nullopt;
    if (!a || !b) cg.fail("unknown port in range '" + text + "'");
    p1 = a->port;
    p2 = b->port;
    named_proto = a->proto == b->proto ? b->proto : kAnyPortProto;
  }
  uint32_t proto = reconcile_proto(cg, q.proto, named_proto, "port in range '" + text + "'");
  check_port_range(cg, p1);
  check_port_range(cg, p2);
  auto u1 = static_cast<uint32_t>(p1);
  auto u2 = static_cast<uint32_t>(p2);
  Fragment v4 = gen_portrange(cg, u1, u2, proto, q.dir);
  Fragment v6 = gen_portrange6(cg, u1, u2, proto, q.dir);
  return gen_or(cg, std::move(v6), std::move(v4));
}

}  // namespace bpfc::lower
