// linktype_support(): what bpfc compiles for a link type, from what decides
// it (libpcap's facts in bpfc/frontend/link_traits.h, bpfc's header layouts
// in gencode/linklayer.cpp) and, for the link-level primitives, by compiling a
// probe of each: a listing cannot claim what the compiler refuses.
#include "bpfc/compat/linktype_support.h"
#include "bpfc/compat/lower.h"
#include "bpfc/frontend/link_traits.h"
#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/frontend/sema.h"
#include "gencode/linklayer.h"

namespace bpfc {
namespace {

bool compiles(std::string_view filter, uint32_t dlt) {
  LowerOptions options;
  options.linktype = dlt;
  options.resolver = &empty_resolver();  // the probes are numeric: nothing is looked up
  options.libpcap_optimize = false;
  auto ast = parse_filter(filter);
  return ast && !check_filter(*ast, options) && lower_filter(*ast, options).ok();
}

std::string_view protocols_of(lower::TypeTest test) {
  switch (test) {
    case lower::TypeTest::Ethernet:
    case lower::TypeTest::LinuxSll:
    case lower::TypeTest::TypeField: return "ip, ip6, arp, rarp, ... (any EtherType)";
    case lower::TypeTest::IpVersionNibble: return "ip, ip6";
    case lower::TypeTest::OnlyIpv4: return "ip";
    case lower::TypeTest::OnlyIpv6: return "ip6";
    case lower::TypeTest::Ppp: return "ip, ip6, ... (PPP protocol numbers)";
    case lower::TypeTest::CiscoHdlc: return "ip, ip6, ... (Cisco HDLC types)";
    case lower::TypeTest::LoopbackHostOrder:
    case lower::TypeTest::LoopbackNetOrder: return "ip, ip6 (BSD address families)";
    case lower::TypeTest::Llc: return "ip, ip6, arp, ... (802.2 LLC SAPs, EtherTypes after SNAP)";
    case lower::TypeTest::Ieee80211: return "ip, ip6, arp, ... (802.2 LLC in data frames)";
    case lower::TypeTest::Pflog: return "ip, ip6 (address families)";
    case lower::TypeTest::None: return "none";
    case lower::TypeTest::PppBsdos: return "ip, ip6, ... (PPP protocol numbers)";
    case lower::TypeTest::OnlyAppletalk: return "atalk";
    case lower::TypeTest::Ipnet: return "ip, ip6 (address families)";
    case lower::TypeTest::FrameRelay: return "ip, ip6, iso (NLPIDs)";
    case lower::TypeTest::JuniperMagic: return "any (the Juniper magic number is checked, not the protocol)";
    case lower::TypeTest::SunAtm: return "ip, ip6, arp, ... (LLC-encapsulated)";
    case lower::TypeTest::Arcnet: return "ip, ip6, arp, rarp, atalk (ARCnet system codes)";
  }
  return {};
}

}  // namespace

LinktypeSupport linktype_support(uint32_t dlt) {
  LinktypeSupport support;
  const sema::LinkTraits traits = sema::link_traits(dlt);
  support.known = traits.known;
  const lower::LinkLayerInfo* layout = lower::find_link_layer(lower::canonical_dlt(dlt));
  if (!traits.known || layout == nullptr) return support;
  support.header_modelled = true;
  support.protocols = protocols_of(layout->type_test);
  struct Primitive {
    std::string_view syntax;
    std::string_view probe;
  };
  constexpr Primitive kPrimitives[] = {
      {"ether host", "ether host 1:2:3:4:5:6"}, {"vlan", "vlan"}, {"mpls", "mpls"}, {"llc", "llc"},
      {"inbound/outbound", "inbound"}, {"ifindex", "ifindex 1"}, {"wlan type/subtype/dir", "type data"},
      {"wlan addr1..addr4/ra/ta", "wlan addr1 1:2:3:4:5:6"}, {"radio[...]", "radio[0] = 0"},
      {"pflog on/rnr/srnr/reason/rset/action", "rnr 1"}, {"MTP2/MTP3 fisu/lssu/msu/sio/opc/dpc/sls", "fisu"},
      {"link host $XX", "link host $01"}, {"ATM vpi/vci/lane/oam/metac/bcc/sc/ilmic/connectmsg", "vpi 1"},
  };
  for (const Primitive& primitive : kPrimitives) {
    if (compiles(primitive.probe, dlt)) support.primitives.push_back(primitive.syntax);
  }
  return support;
}

}  // namespace bpfc
