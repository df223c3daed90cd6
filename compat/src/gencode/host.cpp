// Host and network address tests.
#include "gencode/host.h"

#include <bit>
#include <string>

#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/protocols.h"

namespace bpfc::lower {

using namespace bpf;
using ast::AddrType;
using ast::Dir;
using ast::Proto;

namespace {

// Where each address-bearing protocol keeps its source and destination.
struct AddressFields {
  uint32_t ll_proto;
  uint32_t src_off;
  uint32_t dst_off;
};
constexpr AddressFields kIpv4Fields{ethertype::kIp, 12, 16};
constexpr AddressFields kArpFields{ethertype::kArp, 14, 24};
constexpr AddressFields kRarpFields{ethertype::kRevArp, 14, 24};
constexpr AddressFields kIpv6Fields{ethertype::kIpv6, 8, 24};

[[noreturn]] void fail_not_802_11_address(Codegen& cg, Dir dir) {
  switch (dir) {
    case Dir::Addr1:
      cg.fail(
          "'addr1' and 'address1' are not valid qualifiers for addresses other than 802.11 MAC addresses");
    case Dir::Addr2:
      cg.fail(
          "'addr2' and 'address2' are not valid qualifiers for addresses other than 802.11 MAC addresses");
    case Dir::Addr3:
      cg.fail(
          "'addr3' and 'address3' are not valid qualifiers for addresses other than 802.11 MAC addresses");
    case Dir::Addr4:
      cg.fail(
          "'addr4' and 'address4' are not valid qualifiers for addresses other than 802.11 MAC addresses");
    case Dir::Ra: cg.fail("'ra' is not a valid qualifier for addresses other than 802.11 MAC addresses");
    case Dir::Ta: cg.fail("'ta' is not a valid qualifier for addresses other than 802.11 MAC addresses");
    default: cg.fail("syntax error in filter expression");
  }
}

// Runs `one(offset)` for the source, the destination, or both combined as
// the direction asks (source first).
template <typename OneDirection>
Fragment by_direction(Codegen& cg, Dir dir, const AddressFields& f, OneDirection one) {
  switch (dir) {
    case Dir::Src: return one(f.src_off);
    case Dir::Dst: return one(f.dst_off);
    case Dir::SrcAndDst: {
      Fragment src = one(f.src_off);
      return gen_and(cg, std::move(src), one(f.dst_off));
    }
    case Dir::Default:
    case Dir::SrcOrDst: {
      Fragment src = one(f.src_off);
      return gen_or(cg, std::move(src), one(f.dst_off));
    }
    default: fail_not_802_11_address(cg, dir);
  }
}

Fragment gen_hostop(Codegen& cg, uint32_t addr, uint32_t mask, Dir dir, const AddressFields& f) {
  return by_direction(cg, dir, f, [&](uint32_t offset) {
    Fragment type = gen_linktype(cg, f.ll_proto);
    return gen_and(cg, std::move(type), gen_mcmp(cg, OffRel::LinkPl, offset, kW, addr, mask));
  });
}

uint32_t word_at(const Ipv6Addr& a, size_t i) {
  return (uint32_t{a[i * 4]} << 24) | (uint32_t{a[i * 4 + 1]} << 16) | (uint32_t{a[i * 4 + 2]} << 8) |
         a[i * 4 + 3];
}

Fragment gen_hostop6(Codegen& cg, const Ipv6Addr& addr, const Ipv6Addr& mask, Dir dir,
                     const AddressFields& f) {
  return by_direction(cg, dir, f, [&](uint32_t offset) {
    // Built last word first, evaluated type first, then words 0..3.
    Fragment b1 = gen_mcmp(cg, OffRel::LinkPl, offset + 12, kW, word_at(addr, 3), word_at(mask, 3));
    for (int w = 2; w >= 0; --w) {
      auto i = static_cast<size_t>(w);
      Fragment b0 = gen_mcmp(cg, OffRel::LinkPl, offset + 4 * static_cast<uint32_t>(w), kW, word_at(addr, i),
                             word_at(mask, i));
      b1 = gen_and(cg, std::move(b0), std::move(b1));
    }
    Fragment type = gen_linktype(cg, f.ll_proto);
    return gen_and(cg, std::move(type), std::move(b1));
  });
}

std::string type_word(AddrType type) { return type == AddrType::Net ? "net" : "host"; }

// libpcap byte-swaps DECnet values with ntohs(), which depends on the
// compiling host (DECnet puts them on the wire little-endian).
uint32_t host_ntohs(uint32_t v) {
  v &= 0xffff;
  if constexpr (std::endian::native == std::endian::little) return ((v & 0xff) << 8) | (v >> 8);
  return v;
}

// A DECnet address in the routing header: long or short header, with or
// without a padding byte.
Fragment gen_dnhostop(Codegen& cg, uint32_t addr, Dir dir) {
  uint32_t offset_sh;  // after the flags (short header)
  uint32_t offset_lh;  // after flags, destination area and subarea, HIORD (long header)
  switch (dir) {
    case Dir::Dst:
      offset_sh = 1;
      offset_lh = 7;
      break;
    case Dir::Src:
      offset_sh = 3;
      offset_lh = 15;
      break;
    case Dir::SrcAndDst: {
      Fragment src = gen_dnhostop(cg, addr, Dir::Src);
      return gen_and(cg, std::move(src), gen_dnhostop(cg, addr, Dir::Dst));
    }
    case Dir::Default:
    case Dir::SrcOrDst: {
      Fragment src = gen_dnhostop(cg, addr, Dir::Src);
      return gen_or(cg, std::move(src), gen_dnhostop(cg, addr, Dir::Dst));
    }
    default: fail_not_802_11_address(cg, dir);
  }
  const uint32_t a = host_ntohs(addr);
  Fragment b0 = gen_linktype(cg, ethertype::kDecnet);
  // Padding byte present, long header.
  Fragment tmp = gen_mcmp(cg, OffRel::LinkPl, 2, kH, host_ntohs(0x0681), host_ntohs(0x07ff));
  Fragment b1 = gen_and(cg, std::move(tmp), gen_cmp(cg, OffRel::LinkPl, 2 + 1 + offset_lh, kH, a));
  // No padding, long header.
  tmp = gen_mcmp(cg, OffRel::LinkPl, 2, kB, 0x06, 0x07);
  Fragment b2 = gen_and(cg, std::move(tmp), gen_cmp(cg, OffRel::LinkPl, 2 + offset_lh, kH, a));
  b1 = gen_or(cg, std::move(b2), std::move(b1));
  // Padding byte present, short header.
  tmp = gen_mcmp(cg, OffRel::LinkPl, 2, kH, host_ntohs(0x0281), host_ntohs(0x07ff));
  b2 = gen_and(cg, std::move(tmp), gen_cmp(cg, OffRel::LinkPl, 2 + 1 + offset_sh, kH, a));
  b1 = gen_or(cg, std::move(b2), std::move(b1));
  // No padding, short header.
  tmp = gen_mcmp(cg, OffRel::LinkPl, 2, kB, 0x02, 0x07);
  b2 = gen_and(cg, std::move(tmp), gen_cmp(cg, OffRel::LinkPl, 2 + offset_sh, kH, a));
  b1 = gen_or(cg, std::move(b2), std::move(b1));
  return gen_and(cg, std::move(b0), std::move(b1));
}

}  // namespace

Fragment gen_host(Codegen& cg, uint32_t addr, uint32_t mask, Proto proto, Dir dir, AddrType type) {
  const std::string t = type_word(type);
  switch (proto) {
    case Proto::Default: {
      Fragment b0 = gen_host(cg, addr, mask, Proto::Ip, dir, type);
      // Inside MPLS only IPv4 can carry the address.
      if (cg.layout().label_stack_depth == 0) {
        Fragment b1 = gen_host(cg, addr, mask, Proto::Arp, dir, type);
        b1 = gen_or(cg, std::move(b0), std::move(b1));
        Fragment rarp = gen_host(cg, addr, mask, Proto::Rarp, dir, type);
        b0 = gen_or(cg, std::move(b1), std::move(rarp));
      }
      return b0;
    }
    case Proto::Link: cg.fail("link-layer modifier applied to " + t);
    case Proto::Ip: return gen_hostop(cg, addr, mask, dir, kIpv4Fields);
    case Proto::Rarp: return gen_hostop(cg, addr, mask, dir, kRarpFields);
    case Proto::Arp: return gen_hostop(cg, addr, mask, dir, kArpFields);
    case Proto::Atalk: cg.fail("AppleTalk host filtering not implemented");
    case Proto::Decnet: return gen_dnhostop(cg, addr, dir);
    case Proto::Lat: cg.fail("LAT host filtering not implemented");
    case Proto::Sca: cg.fail("SCA host filtering not implemented");
    case Proto::Moprc: cg.fail("MOPRC host filtering not implemented");
    case Proto::Mopdl: cg.fail("MOPDL host filtering not implemented");
    case Proto::Ip6: cg.fail("'ip6' modifier applied to ip host");
    case Proto::Aarp: cg.fail("AARP host filtering not implemented");
    case Proto::Iso: cg.fail("ISO host filtering not implemented");
    case Proto::Ipx: cg.fail("IPX host filtering not implemented");
    case Proto::Undef: cg.fail("syntax error in filter expression");
    default: cg.fail("'" + std::string(proto_keyword(proto)) + "' modifier applied to " + t);
  }
}

Fragment gen_host6(Codegen& cg, const Ipv6Addr& addr, const Ipv6Addr& mask, Proto proto, Dir dir,
                   AddrType type) {
  const std::string t = type_word(type);
  switch (proto) {
    case Proto::Default:
    case Proto::Ip6: return gen_hostop6(cg, addr, mask, dir, kIpv6Fields);
    case Proto::Link: cg.fail("link-layer modifier applied to ip6 " + t);
    case Proto::Atalk: cg.fail("AppleTalk modifier applied to ip6 " + t);
    case Proto::Undef: cg.fail("syntax error in filter expression");
    default: cg.fail("'" + std::string(proto_keyword(proto)) + "' modifier applied to ip6 " + t);
  }
}

Fragment gen_none_of_hosts(Codegen& cg, const std::vector<uint32_t>& addrs, Proto proto) {
  // Newer libpcap's shape: per protocol, the type test and then no address
  // (its only users are `gateway` filters, which libpcap 1.10.3 refuses).
  auto one_protocol = [&](const AddressFields& f) {
    Fragment type = gen_linktype(cg, f.ll_proto);
    Fragment any = gen_false(cg);
    for (uint32_t a : addrs) {
      Fragment src = gen_mcmp(cg, OffRel::LinkPl, f.src_off, kW, a, 0xffffffffu);
      Fragment either =
          gen_or(cg, std::move(src), gen_mcmp(cg, OffRel::LinkPl, f.dst_off, kW, a, 0xffffffffu));
      any = gen_or(cg, std::move(any), std::move(either));
    }
    return gen_and(cg, std::move(type), gen_not(std::move(any)));
  };
  switch (proto) {
    case Proto::Ip: return one_protocol(kIpv4Fields);
    case Proto::Arp: return one_protocol(kArpFields);
    case Proto::Rarp: return one_protocol(kRarpFields);
    default: {
      Fragment b0 = one_protocol(kIpv4Fields);
      if (cg.layout().label_stack_depth == 0) {
        Fragment b1 = gen_or(cg, std::move(b0), one_protocol(kArpFields));
        b0 = gen_or(cg, std::move(b1), one_protocol(kRarpFields));
      }
      return b0;
    }
  }
}

Fragment gen_host_by_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q) {
  const std::vector<Ipv4Addr> v4 = cg.resolver().host_ipv4(name);
  const std::vector<Ipv6Addr> v6 = cg.resolver().host_ipv6(name);
  if (v4.empty() && v6.empty()) cg.fail("unknown host '" + std::string(name) + "'");
  Proto tproto = q.proto;
  Proto tproto6 = q.proto;
  // Link layers without a type field carry only IP: no ARP/RARP alternatives.
  if (cg.layout().off_linktype.constant_part == kOffsetNotSet && q.proto == Proto::Default) {
    tproto = Proto::Ip;
    tproto6 = Proto::Ip6;
  }
  Fragment result;
  bool have = false;
  auto add = [&](Fragment f) {
    result = have ? gen_or(cg, std::move(result), std::move(f)) : std::move(f);
    have = true;
  };
  for (Ipv4Addr a : v4) {
    if (tproto == Proto::Ip6) continue;
    add(gen_host(cg, a, 0xffffffffu, tproto, q.dir, q.type));
  }
  Ipv6Addr all_ones;
  all_ones.fill(0xff);
  for (const Ipv6Addr& a : v6) {
    // IPv6 addresses cannot match an IPv4, ARP or RARP header (libpcap
    // 1.10.3 refuses `arp host NAME` for such names; newer versions skip
    // the IPv6 addresses, as here).
    if (tproto6 == Proto::Ip || tproto6 == Proto::Arp || tproto6 == Proto::Rarp) continue;
    add(gen_host6(cg, a, all_ones, tproto6, q.dir, q.type));
  }
  if (!have) {
    cg.fail("unknown host '" + std::string(name) + "'" +
            (q.proto == Proto::Default ? "" : " for specified address family"));
  }
  return result;
}

Fragment gen_net_by_name(Codegen& cg, std::string_view name, const ast::Qualifiers& q) {
  uint32_t addr = cg.resolver().network(name).value_or(0);
  if (addr == 0) cg.fail("unknown network '" + std::string(name) + "'");
  // Left-justify the network number and mask only its significant bytes.
  uint32_t mask = 0xffffffffu;
  while (addr != 0 && (addr & 0xff000000u) == 0) {
    addr <<= 8;
    mask <<= 8;
  }
  return gen_host(cg, addr, mask, q.proto, q.dir, AddrType::Net);
}

}  // namespace bpfc::lower
