// Qualified primitives.
#include "gencode/primitive.h"

#include <algorithm>
#include <string>

#include "gencode/access.h"
#include "gencode/host.h"
#include "gencode/linklayer.h"
#include "gencode/mac8.h"
#include "gencode/port.h"
#include "gencode/proto.h"

namespace bpfc::lower {

using ast::AddrType;
using ast::Proto;

namespace {

[[noreturn]] void fail_syntax(Codegen& cg) { cg.fail("syntax error in filter expression"); }

// libpcap's __pcap_atodn(): sscanf("%d.%d") as area and node.
std::optional<uint32_t> decnet_address(const std::string& text) {
  unsigned area = 0, node = 0;
  size_t pos = 0;
  auto number = [&](unsigned& out) {
    size_t start = pos;
    bool neg = false;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) neg = text[pos++] == '-';
    unsigned v = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      v = v * 10 + unsigned(text[pos++] - '0');
    out = neg ? 0u - v : v;
    return pos > start + (neg ? 1u : 0u);
  };
  if (!number(area) || pos >= text.size() || text[pos++] != '.' || !number(node)) return std::nullopt;
  return ((area << 10) & 0176000u) | (node & 01777u);
}

Fragment ether_host(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir) {
  return gen_mac48host(cg, mac, dir);
}

// `gateway NAME`: the Ethernet address is the host's, but none of its IPv4
// addresses is (so the packet went through it as a router). libpcap 1.10.3
// refuses `gateway` when built with IPv6 support; this is the meaning newer
// libpcap gives it.
Fragment gen_gateway(Codegen& cg, std::string_view name, const ast::Qualifiers& q) {
  if (q.dir != ast::Dir::Default) cg.fail("direction applied to 'gateway'");
  switch (q.proto) {
    case Proto::Default:
    case Proto::Ip:
    case Proto::Arp:
    case Proto::Rarp: break;
    default: cg.fail("illegal modifier of 'gateway'");
  }
  require_link_layer(cg);
  const Layout& l = cg.layout();
  if (l.label_stack_depth > 0) cg.fail("'gateway' cannot be used within MPLS");
  if (l.is_geneve || l.is_vxlan) cg.fail("'gateway' cannot be used within VXLAN or Geneve");
  if (!is_mac48_link(l)) {
    cg.fail("'gateway' supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel");
  }
  std::optional<MacAddr> mac = cg.resolver().ether(name);
  if (!mac) cg.fail("unknown ether host: " + std::string(name));
  std::vector<Ipv4Addr> addrs = cg.resolver().host_ipv4(name);
  if (addrs.empty()) cg.fail("unknown host '" + std::string(name) + "'");
  std::sort(addrs.begin(), addrs.end());
  Fragment b0 = ether_host(cg, *mac, ast::Dir::SrcOrDst);
  return gen_and(cg, std::move(b0), gen_none_of_hosts(cg, addrs, q.proto));
}

// libpcap's gen_scode: a name.
Fragment lower_name(Codegen& cg, const ast::Name& name, const ast::Qualifiers& q) {
  const std::string& n = name.text;
  switch (q.type) {
    case AddrType::Net: return gen_net_by_name(cg, n, q);
    case AddrType::Default:
    case AddrType::Host:
      if (q.proto == Proto::Link) {
        require_link_layer(cg);
        if (!is_mac48_link(cg.layout())) {
          cg.fail(
              "only ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel supports link-level host name");
        }
        std::optional<MacAddr> mac = cg.resolver().ether(n);
        if (!mac) cg.fail("unknown ether host '" + n + "'");
        return ether_host(cg, *mac, q.dir);
      }
      if (q.proto == Proto::Decnet) {
        cg.fail("decnet name support not included, '" + n + "' cannot be translated\n");
      }
      return gen_host_by_name(cg, n, q);
    case AddrType::Port: return gen_port_name(cg, n, q);
    case AddrType::PortRange: return gen_portrange_name(cg, n, q);
    case AddrType::Gateway: return gen_gateway(cg, n, q);
    case AddrType::Proto: return gen_proto(cg, lookup_proto(cg, n, q.proto), q.proto, q.dir);
    case AddrType::Protochain: return gen_protochain(cg, lookup_proto(cg, n, q.proto), q.proto);
    case AddrType::Undef: break;
  }
  fail_syntax(cg);
}

// libpcap's gen_ncode: a number (`text` empty) or a dotted IPv4 address.
Fragment lower_number(Codegen& cg, uint32_t v, const std::string* text, int components,
                      const ast::Qualifiers& q) {
  uint32_t vlen = 32;
  if (text) {
    if (q.proto == Proto::Decnet) {
      std::optional<uint32_t> dn = decnet_address(*text);
      if (!dn) cg.fail("malformed decnet address '" + *text + "'");
      v = *dn;
    } else {
      if (components <= 0) cg.fail("invalid IPv4 address '" + *text + "'");
      vlen = 8 * static_cast<uint32_t>(components);
    }
  }
  switch (q.type) {
    case AddrType::Default:
    case AddrType::Host:
    case AddrType::Net: {
      if (q.proto == Proto::Decnet) return gen_host(cg, v, 0, q.proto, q.dir, q.type);
      if (q.proto == Proto::Link) cg.fail("illegal link layer address");
      uint32_t mask = 0xffffffffu;
      if (!text && q.type == AddrType::Net) {
        // A bare network number: left-justify its significant bytes.
        while (v != 0 && (v & 0xff000000u) == 0) {
          v <<= 8;
          mask <<= 8;
        }
      } else if (vlen < 32) {
        // A short dotted address names the leading bytes.
        v <<= 32 - vlen;
        mask <<= 32 - vlen;
      }
      return gen_host(cg, v, mask, q.proto, q.dir, q.type);
    }
    case AddrType::Port: return gen_port_number(cg, v, q);
    case AddrType::PortRange: return gen_portrange_number(cg, v, q);
    case AddrType::Gateway: cg.fail("'gateway' requires a name");
    case AddrType::Proto: return gen_proto(cg, v, q.proto, q.dir);
    case AddrType::Protochain: return gen_protochain(cg, v, q.proto);
    case AddrType::Undef: break;
  }
  fail_syntax(cg);
}

// libpcap's gen_mcode: `net A.B.C.D/LEN` and `net A.B.C.D mask M`.
Fragment lower_ipv4_net(Codegen& cg, const ast::Ipv4& addr, const ast::Ipv4* mask_addr, uint32_t masklen,
                        const ast::Qualifiers& q) {
  if (addr.components <= 0) cg.fail("invalid IPv4 address '" + addr.text + "'");
  uint32_t n = addr.components >= 4 ? addr.value : addr.value << (32 - 8 * addr.components);
  uint32_t m;
  if (mask_addr) {
    if (mask_addr->components <= 0) cg.fail("invalid IPv4 address '" + mask_addr->text + "'");
    m = mask_addr->components >= 4 ? mask_addr->value : mask_addr->value << (32 - 8 * mask_addr->components);
    if ((n & ~m) != 0) {
      cg.fail("non-network bits set in \"" + addr.text + " mask " + mask_addr->text + "\"");
    }
  } else {
    if (masklen > 32) cg.fail("mask length must be <= 32");
    m = masklen == 0 ? 0 : 0xffffffffu << (32 - masklen);
    if ((n & ~m) != 0) {
      cg.fail("non-network bits set in \"" + addr.text + "/" + std::to_string(masklen) + "\"");
    }
  }
  if (q.type != AddrType::Net) cg.fail("Mask syntax for networks only");
  return gen_host(cg, n, m, q.proto, q.dir, AddrType::Net);
}

// libpcap's gen_mcode6: an IPv6 address, with a prefix length (128 if none).
Fragment lower_ipv6(Codegen& cg, const ast::Ipv6& addr, uint32_t masklen, const ast::Qualifiers& q) {
  if (masklen > 128) cg.fail("mask length must be <= 128");
  Ipv6Addr mask{};
  for (uint32_t i = 0; i < 16; ++i) {
    if (masklen >= 8 * (i + 1)) {
      mask[i] = 0xff;
    } else if (masklen > 8 * i) {
      mask[i] = static_cast<uint8_t>(0xff << (8 - masklen % 8));
    }
  }
  for (size_t i = 0; i < 16; ++i) {
    if ((addr.bytes[i] & ~mask[i]) != 0) {
      cg.fail("non-network bits set in \"" + addr.text + "/" + std::to_string(masklen) + "\"");
    }
  }
  switch (q.type) {
    case AddrType::Default:
    case AddrType::Host:
      if (masklen != 128) cg.fail("Mask syntax for networks only");
      [[fallthrough]];
    case AddrType::Net: return gen_host6(cg, addr.bytes, mask, q.proto, q.dir, q.type);
    default: cg.fail("invalid qualifier against IPv6 address");
  }
}

// libpcap's gen_ecode: a MAC address.
Fragment lower_mac(Codegen& cg, const ast::Mac& mac, const ast::Qualifiers& q) {
  if ((q.type == AddrType::Host || q.type == AddrType::Default) && q.proto == Proto::Link) {
    require_link_layer(cg);
    if (!is_mac48_link(cg.layout())) {
      cg.fail("ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel");
    }
    return ether_host(cg, mac.bytes, q.dir);
  }
  cg.fail("ethernet address used in non-ether expression");
}

// The grammar refuses these for a dotted IPv4 address.
void check_ipv4_address_type(Codegen& cg, AddrType type) {
  switch (type) {
    case AddrType::Port: cg.fail("'port' modifier applied to ip host");
    case AddrType::PortRange: cg.fail("'portrange' modifier applied to ip host");
    case AddrType::Proto: cg.fail("'proto' modifier applied to ip host");
    case AddrType::Protochain: cg.fail("'protochain' modifier applied to ip host");
    default: break;
  }
}

}  // namespace

Fragment lower_qualified(Codegen& cg, const ast::Qualified& node) {
  const ast::Qualifiers& q = node.q;
  return std::visit(
      [&](const auto& v) -> Fragment {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ast::Name>) {
          return lower_name(cg, v, q);
        } else if constexpr (std::is_same_v<T, ast::Number>) {
          return lower_number(cg, v.value, nullptr, 4, q);
        } else if constexpr (std::is_same_v<T, ast::Ipv4>) {
          check_ipv4_address_type(cg, q.type);
          return lower_number(cg, v.value, &v.text, v.components, q);
        } else if constexpr (std::is_same_v<T, ast::Ipv6>) {
          return lower_ipv6(cg, v, 128, q);
        } else if constexpr (std::is_same_v<T, ast::NetPrefix>) {
          if (const auto* v4 = std::get_if<ast::Ipv4>(&v.addr)) {
            return lower_ipv4_net(cg, *v4, nullptr, v.prefix_len, q);
          }
          return lower_ipv6(cg, std::get<ast::Ipv6>(v.addr), v.prefix_len, q);
        } else if constexpr (std::is_same_v<T, ast::NetMask>) {
          return lower_ipv4_net(cg, v.addr, &v.mask, 0, q);
        } else if constexpr (std::is_same_v<T, ast::Mac>) {
          return lower_mac(cg, v, q);
        } else {
          // A MAC-8 address, `link host $XX`.
          if ((q.type != AddrType::Host && q.type != AddrType::Default) || q.proto != Proto::Link)
            cg.fail("'link' is the only valid proto qualifier for 'host $XX'");
          return gen_mac8host(cg, v.address, q.dir);
        }
      },
      node.value);
}

}  // namespace bpfc::lower
