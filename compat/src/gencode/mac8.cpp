// MAC-8 addresses and ARCnet system codes.
#include "gencode/mac8.h"

#include "bpfc/linktype/linktype.h"
#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/protocols.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

// ARCnet system codes (RFC 1201; RFC 1051's IP and ARP codes, 240 and 241,
// are not tested: the payload offsets are RFC 1201's).
constexpr uint32_t kArcTypeIp = 212, kArcTypeArp = 213, kArcTypeRevarp = 214, kArcTypeAtalk = 221,
                   kArcTypeInet6 = 0xc4;
constexpr uint8_t kArcnetBroadcast = 0x00, kMstpBroadcast = 0xff;

struct Mac8Offsets {
  uint32_t src, dst;
};

Mac8Offsets offsets(Codegen& cg) {
  switch (cg.layout().linktype) {
    case dlt::kArcnet:
    case dlt::kArcnetLinux: return {0, 1};
    // MS/TP: two preamble bytes and the frame type first.
    case dlt::kBacnetMsTp: return {4, 3};
    default: break;
  }
  cg.fail("'link host $XX' not supported on " + linktype_display(cg.layout().linktype));
}

}  // namespace

bool is_mac8_link(const Layout& l) {
  return l.linktype == dlt::kArcnet || l.linktype == dlt::kArcnetLinux || l.linktype == dlt::kBacnetMsTp;
}

Fragment gen_mac8host(Codegen& cg, uint8_t mac8, ast::Dir dir) {
  const Mac8Offsets o = offsets(cg);
  switch (dir) {
    case ast::Dir::Src: return gen_cmp(cg, OffRel::LinkHdr, o.src, kB, mac8);
    case ast::Dir::Dst: return gen_cmp(cg, OffRel::LinkHdr, o.dst, kB, mac8);
    case ast::Dir::SrcAndDst: {
      Fragment src = gen_cmp(cg, OffRel::LinkHdr, o.src, kB, mac8);
      return gen_and(cg, std::move(src), gen_cmp(cg, OffRel::LinkHdr, o.dst, kB, mac8));
    }
    case ast::Dir::Default:
    case ast::Dir::SrcOrDst: {
      Fragment src = gen_cmp(cg, OffRel::LinkHdr, o.src, kB, mac8);
      return gen_or(cg, std::move(src), gen_cmp(cg, OffRel::LinkHdr, o.dst, kB, mac8));
    }
    default: break;
  }
  cg.fail("syntax error in filter expression");
}

Fragment gen_mac8_broadcast(Codegen& cg) {
  const uint8_t all = cg.layout().linktype == dlt::kBacnetMsTp ? kMstpBroadcast : kArcnetBroadcast;
  return gen_mac8host(cg, all, ast::Dir::Dst);
}

Fragment gen_arcnet_linktype(Codegen& cg, uint32_t ll_proto) {
  switch (ll_proto) {
    case ethertype::kIpv6: return gen_cmp(cg, OffRel::LinkType, 0, kB, kArcTypeInet6);
    case ethertype::kIp: return gen_cmp(cg, OffRel::LinkType, 0, kB, kArcTypeIp);
    case ethertype::kArp: return gen_cmp(cg, OffRel::LinkType, 0, kB, kArcTypeArp);
    case ethertype::kRevArp: return gen_cmp(cg, OffRel::LinkType, 0, kB, kArcTypeRevarp);
    case ethertype::kAtalk: return gen_cmp(cg, OffRel::LinkType, 0, kB, kArcTypeAtalk);
    default: return gen_false(cg);
  }
}

}  // namespace bpfc::lower
