// Protocol keyword, `proto` and `protochain` tests.
#include "gencode/proto.h"

#include <string>

#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/protocols.h"

namespace bpfc::lower {

using namespace bpf;
using ast::Proto;

namespace {

[[noreturn]] void fail_not_encapsulating(Codegen& cg, Proto proto) {
  switch (proto) {
    case Proto::Arp: cg.fail("arp does not encapsulate another protocol");
    case Proto::Rarp: cg.fail("rarp does not encapsulate another protocol");
    case Proto::Atalk: cg.fail("AppleTalk encapsulation is not specifiable");
    case Proto::Decnet: cg.fail("DECNET encapsulation is not specifiable");
    case Proto::Lat: cg.fail("LAT does not encapsulate another protocol");
    case Proto::Sca: cg.fail("SCA does not encapsulate another protocol");
    case Proto::Moprc: cg.fail("MOPRC does not encapsulate another protocol");
    case Proto::Mopdl: cg.fail("MOPDL does not encapsulate another protocol");
    case Proto::Clnp: cg.fail("'clnp proto' is not supported");
    case Proto::Undef: cg.fail("syntax error in filter expression");
    default: cg.fail("'" + std::string(proto_keyword(proto)) + " proto' is bogus");
  }
}

Fragment iso_proto(Codegen& cg, uint32_t v) {
  require_link_layer(cg);
  // The NLPID itself is what Frame Relay's OSI test checks.
  if (cg.layout().linktype == dlt::kFrelay) return gen_frelay_nlpid(cg, v);
  if (is_cisco_hdlc_link(cg.layout())) {
    // Cisco HDLC uses 0xfefe for OSI and stuffs a fudge byte before the NLPID.
    Fragment b0 = gen_linktype(cg, (llcsap::kIsoNs << 8) | llcsap::kIsoNs);
    return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::LinkPlNoSnap, 1, kB, v));
  }
  Fragment b0 = gen_linktype(cg, llcsap::kIsoNs);
  return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::LinkPlNoSnap, 0, kB, v));
}

// The header walk for one IP version, ANDed after the version test: libpcap
// sets A to the first next-protocol field and X to the length of the fixed
// header, runs its loop, and tests whether the protocol it stopped at is `v`.
Fragment protochain_walk(Codegen& cg, uint32_t v, bool ipv6, int reg2) {
  Layout& l = cg.layout();
  const uint32_t base = l.off_linkpl.constant_part + l.off_nl;

  Fragment version = gen_linktype(cg, ipv6 ? ethertype::kIpv6 : ethertype::kIp);

  std::vector<Stmt> walk;
  if (ipv6) {
    walk = {stmt(kLd | kAbs | kB, base + 6), stmt(kLdx | kImm, 40)};
  } else {
    walk = {stmt(kLd | kAbs | kB, base + 9), stmt(kLdx | kMsh | kB, base)};
  }
  auto& walks = cg.program().walks;
  walks.push_back(ProtochainWalk{static_cast<uint8_t>(ipv6 ? 6 : 4), base, v, reg2});
  walk.push_back(stmt(kProtochainWalk, static_cast<uint32_t>(walks.size() - 1)));
  return gen_and(cg, std::move(version), cg.test(kJmp | kJeq | kK, v, std::move(walk)));
}

}  // namespace

Fragment gen_proto(Codegen& cg, uint32_t v, Proto proto, ast::Dir dir) {
  if (dir != ast::Dir::Default) cg.fail("direction applied to 'proto'");
  switch (proto) {
    case Proto::Default: {
      Fragment b0 = gen_proto(cg, v, Proto::Ip, dir);
      return gen_or(cg, std::move(b0), gen_proto(cg, v, Proto::Ip6, dir));
    }
    case Proto::Link: return gen_linktype(cg, v);
    case Proto::Ip: {
      Fragment b0 = gen_linktype(cg, ethertype::kIp);
      return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::LinkPl, 9, kB, v));
    }
    case Proto::Ip6: {
      // The next header, or the one after a fragment header.
      Fragment b0 = gen_linktype(cg, ethertype::kIpv6);
      Fragment frag = gen_cmp(cg, OffRel::LinkPl, 6, kB, ipproto::kFragment);
      Fragment b1 = gen_and(cg, std::move(frag), gen_cmp(cg, OffRel::LinkPl, 40, kB, v));
      Fragment direct = gen_cmp(cg, OffRel::LinkPl, 6, kB, v);
      b1 = gen_or(cg, std::move(direct), std::move(b1));
      return gen_and(cg, std::move(b0), std::move(b1));
    }
    case Proto::Iso: return iso_proto(cg, v);
    case Proto::Isis: {
      // 4 is the offset of the PDU type in the IS-IS header; on Cisco HDLC
      // the fudge byte before the NLPID moves it by one.
      Fragment b0 = gen_proto(cg, osi::kIsis, Proto::Iso, ast::Dir::Default);
      const uint32_t pdu_type = is_cisco_hdlc_link(cg.layout()) ? 5 : 4;
      return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::LinkPlNoSnap, pdu_type, kB, v));
    }
    default: fail_not_encapsulating(cg, proto);
  }
}

Fragment gen_proto_abbrev(Codegen& cg, Proto proto) {
  if (proto == Proto::Link) cg.fail("link layer applied in wrong context");
  if (proto == Proto::Radio) cg.fail("'radio' is not a valid protocol type");
  const ProtoMeaning m = proto_meaning(proto);
  switch (m.kind) {
    case ProtoMeaning::Kind::LinkType: return gen_linktype(cg, m.value);
    case ProtoMeaning::Kind::NetProto: return gen_proto(cg, m.value, m.over, ast::Dir::Default);
    case ProtoMeaning::Kind::IsisPdus: {
      // The first two in order, then each further one tested before the rest.
      Fragment b0 = gen_proto(cg, m.pdus[0], Proto::Isis, ast::Dir::Default);
      Fragment b1 = gen_or(cg, std::move(b0), gen_proto(cg, m.pdus[1], Proto::Isis, ast::Dir::Default));
      for (size_t i = 2; i < m.pdus.size(); ++i) {
        Fragment more = gen_proto(cg, m.pdus[i], Proto::Isis, ast::Dir::Default);
        b1 = gen_or(cg, std::move(more), std::move(b1));
      }
      return b1;
    }
    case ProtoMeaning::Kind::Invalid: break;
  }
  cg.fail("syntax error in filter expression");
}

Fragment gen_protochain(Codegen& cg, uint32_t v, Proto proto) {
  // libpcap allocates the scratch register first, even for the combined
  // form (which then never frees it); keep its register numbering.
  const int reg2 = cg.alloc_reg();
  switch (proto) {
    case Proto::Ip:
    case Proto::Ip6: break;
    case Proto::Default: {
      Fragment b0 = gen_protochain(cg, v, Proto::Ip);
      return gen_or(cg, std::move(b0), gen_protochain(cg, v, Proto::Ip6));
    }
    default: cg.fail("bad protocol applied for 'protochain'");
  }
  require_link_layer(cg);
  if (cg.layout().off_linkpl.is_variable) {
    cg.fail("'protochain' not supported with variable length headers");
  }
  // libpcap's walk is a loop, which its optimizer cannot handle.
  cg.disable_optimizer();
  Fragment f = protochain_walk(cg, v, proto == Proto::Ip6, reg2);
  cg.free_reg(reg2);
  return f;
}

uint32_t lookup_proto(Codegen& cg, std::string_view name, Proto proto) {
  const std::string n(name);
  switch (proto) {
    case Proto::Default:
    case Proto::Ip:
    case Proto::Ip6:
      if (std::optional<uint8_t> p = cg.resolver().protocol(name)) return *p;
      cg.fail("unknown ip proto '" + n + "'");
    case Proto::Link:
      if (std::optional<uint32_t> p = ether_proto_by_name(name)) return *p;
      cg.fail("unknown ether proto '" + n + "'");
    case Proto::Iso:
      if (std::optional<uint32_t> p = osi_proto_by_name(name)) return *p;
      cg.fail("unknown osi proto '" + n + "'");
    default: cg.fail("unknown protocol: " + n);
  }
}

}  // namespace bpfc::lower
