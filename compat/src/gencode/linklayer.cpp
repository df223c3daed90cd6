// Link-layer layouts and protocol-type tests.
#include "gencode/linklayer.h"

#include <array>
#include <bit>
#include <string>

#include "bpfc/linktype/linktype.h"
#include "bpfc/support/unreachable.h"
#include "gencode/access.h"
#include "gencode/atm.h"
#include "gencode/encap.h"
#include "gencode/mac8.h"
#include "gencode/pflog.h"
#include "gencode/protocols.h"
#include "gencode/wlan.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

constexpr uint32_t kNotSet = kOffsetNotSet;

// Layouts as libpcap's init_linktype() sets them up.
// clang-format off
constexpr std::array<LinkLayerInfo, 66> kLinkLayers = {{
    // dlt, name, off_linkhdr, off_linktype, off_linkpl, off_nl, off_nl_nosnap, type test[, radio
    // prefix, payload offset variable]
    {dlt::kNull, "NULL", 0, 0, 4, 0, 0, TypeTest::LoopbackHostOrder},
    {dlt::kEn10mb, "EN10MB", 0, 12, 14, 0, 3, TypeTest::Ethernet},
    // Ethernet behind a 4-byte netANALYZER pseudo-header, and also the
    // preamble and start-of-frame delimiter (8 bytes) for the transparent one.
    {dlt::kNetanalyzer, "NETANALYZER", 4, 16, 18, 0, 3, TypeTest::Ethernet},
    {dlt::kNetanalyzerTransparent, "NETANALYZER_TRANSPARENT", 12, 24, 26, 0, 3, TypeTest::Ethernet},
    // Ethernet with a 4-byte switch tag (Broadcom, Marvell DSA) after the
    // addresses.
    {dlt::kDsaTagBrcm, "DSA_TAG_BRCM", 0, 16, 18, 0, 3, TypeTest::Ethernet},
    {dlt::kDsaTagDsa, "DSA_TAG_DSA", 0, 16, 18, 0, 3, TypeTest::Ethernet},
    {dlt::kSlip, "SLIP", 0, kNotSet, 16, 0, 0, TypeTest::IpVersionNibble},
    {dlt::kPpp, "PPP", 0, 2, 4, 0, 0, TypeTest::Ppp},
    {dlt::kRaw, "RAW", 0, kNotSet, 0, 0, 0, TypeTest::IpVersionNibble},
    {dlt::kPppSerial, "PPP_SERIAL", 0, 2, 4, 0, 0, TypeTest::Ppp},
    {dlt::kCHdlc, "C_HDLC", 0, 2, 4, 0, 0, TypeTest::CiscoHdlc},
    // NetBSD's number for Cisco HDLC, which libpcap compiles as C_HDLC.
    {dlt::kHdlc, "HDLC", 0, 2, 4, 0, 0, TypeTest::CiscoHdlc},
    {dlt::kLoop, "LOOP", 0, 0, 4, 0, 0, TypeTest::LoopbackNetOrder},
    {dlt::kLinuxSll, "LINUX_SLL", 0, 14, 16, 0, 0, TypeTest::LinuxSll},
    {dlt::kPppPppd, "PPP_PPPD", 0, 2, 4, 0, 0, TypeTest::Ppp},
    {dlt::kIpv4, "IPV4", 0, kNotSet, 0, 0, 0, TypeTest::OnlyIpv4},
    {dlt::kIpv6, "IPV6", 0, kNotSet, 0, 0, 0, TypeTest::OnlyIpv6},
    {dlt::kLinuxSll2, "LINUX_SLL2", 0, 0, 20, 0, 0, TypeTest::TypeField},
    // No type field: 802.2 LLC (with SNAP for EtherTypes) after the MAC header.
    {dlt::kFddi, "FDDI", 0, 13, 13, 8, 3, TypeTest::Llc},
    {dlt::kIeee802, "IEEE802", 0, 14, 14, 8, 3, TypeTest::Llc},
    {dlt::kIpOverFc, "IP_OVER_FC", 0, 16, 16, 8, 3, TypeTest::Llc},
    // 802.11: the MAC header is 24 bytes for a data frame, 26 with QoS; the
    // payload offset is computed per packet, after any radio header.
    {dlt::kIeee80211, "IEEE802_11", 0, 24, 0, 8, 3, TypeTest::Ieee80211, RadioPrefix::None, true},
    {dlt::kPrismHeader, "PRISM_HEADER", 0, 24, 0, 8, 3, TypeTest::Ieee80211, RadioPrefix::Prism, true},
    {dlt::kIeee80211RadioAvs, "IEEE802_11_RADIO_AVS", 0, 24, 0, 8, 3, TypeTest::Ieee80211, RadioPrefix::Avs, true},
    {dlt::kIeee80211Radio, "IEEE802_11_RADIO", 0, 24, 0, 8, 3, TypeTest::Ieee80211, RadioPrefix::Radiotap, true},
    {dlt::kPpi, "PPI", 0, 24, 0, 8, 3, TypeTest::Ieee80211, RadioPrefix::Ppi, true},
    // pflog: the header's length is in its first byte.
    {dlt::kPflog, "PFLOG", 0, 0, 0, 0, 0, TypeTest::Pflog, RadioPrefix::None, true},
    // ATM: an 802.2 LLC/SNAP header first.
    {dlt::kAtmClip, "ATM_CLIP", 0, 0, 0, 8, 3, TypeTest::Llc},
    {dlt::kAtmRfc1483, "ATM_RFC1483", 0, 0, 0, 8, 3, TypeTest::Llc},
    // Ethernet types at a fixed offset of a pseudo-header.
    {dlt::kSymantecFirewall, "SYMANTEC_FIREWALL", 0, 6, 44, 0, 0, TypeTest::TypeField},
    {dlt::kAppleIpOverIeee1394, "APPLE_IP_OVER_IEEE1394", 0, 16, 18, 0, 0, TypeTest::TypeField},
    // PPP after a PPPoE session header; BSD/OS PPP and SLIP with their
    // 24-byte headers.
    {dlt::kPppEther, "PPP_ETHER", 0, 6, 8, 0, 0, TypeTest::Ppp},
    {dlt::kPppBsdos, "PPP_BSDOS", 0, 5, 24, 0, 0, TypeTest::PppBsdos},
    {dlt::kSlipBsdos, "SLIP_BSDOS", 0, kNotSet, 24, 0, 0, TypeTest::IpVersionNibble},
    {dlt::kLtalk, "LTALK", 0, kNotSet, 0, 0, 0, TypeTest::OnlyAppletalk},
    // OpenBSD enc: an AF_ value in host byte order, then SPI and flags.
    {dlt::kEnc, "ENC", 0, 0, 12, 0, 0, TypeTest::LoopbackHostOrder},
    {dlt::kIpnet, "IPNET", 0, 1, 24, 0, kNotSet, TypeTest::Ipnet},
    // Frame Relay: the DLCI, then the Q.933 control byte and NLPID.
    {dlt::kFrelay, "FRELAY", 0, kNotSet, 0, 0, 0, TypeTest::FrameRelay},
    // Juniper: a pseudo-header starting with the "MGC" magic number; the
    // payload offsets libpcap assumes (some are variable in reality).
    {dlt::kJuniperMfr, "JUNIPER_MFR", 0, 4, 4, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperMlfr, "JUNIPER_MLFR", 0, 4, 4, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperMlppp, "JUNIPER_MLPPP", 0, 4, 4, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperPpp, "JUNIPER_PPP", 0, 4, 4, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperChdlc, "JUNIPER_CHDLC", 0, 4, 4, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperFrelay, "JUNIPER_FRELAY", 0, 4, 4, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperAtm1, "JUNIPER_ATM1", 0, 4, 4, 0, 10, TypeTest::JuniperMagic},
    {dlt::kJuniperAtm2, "JUNIPER_ATM2", 0, 8, 8, 0, 10, TypeTest::JuniperMagic},
    {dlt::kJuniperPppoe, "JUNIPER_PPPOE", 0, 16, 14, 18, 21, TypeTest::JuniperMagic},
    {dlt::kJuniperEther, "JUNIPER_ETHER", 0, 16, 14, 18, 21, TypeTest::JuniperMagic},
    {dlt::kJuniperPppoeAtm, "JUNIPER_PPPOE_ATM", 0, 4, 6, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperGgsn, "JUNIPER_GGSN", 0, 6, 12, 0, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperMonitor, "JUNIPER_MONITOR", 0, 12, 12, 0, kNotSet, TypeTest::JuniperMagic},
    // The service PICs: libpcap knows where the cookie's type is but not
    // where the payload starts (it depends on the cookie), and leaves those
    // offsets unset. Its programs then add the unset value (2^32 - 1) into
    // the offsets they load from, and the sums wrap: `ip host` reads bytes
    // 10 and 14 of the packet. The same arithmetic gives the same programs.
    {dlt::kJuniperEs, "JUNIPER_ES", 0, 6, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperServices, "JUNIPER_SERVICES", 0, 12, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperVp, "JUNIPER_VP", 0, 18, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperSt, "JUNIPER_ST", 0, 18, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperIsm, "JUNIPER_ISM", 0, 8, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperVs, "JUNIPER_VS", 0, 8, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperSrxE2e, "JUNIPER_SRX_E2E", 0, 8, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperFibrechannel, "JUNIPER_FIBRECHANNEL", 0, 8, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    {dlt::kJuniperAtmCemic, "JUNIPER_ATM_CEMIC", 0, 8, kNotSet, kNotSet, kNotSet, TypeTest::JuniperMagic},
    // SunATM: a 4-byte pseudo-header, then (if LLC-encapsulated) 802.2.
    {dlt::kSunatm, "SUNATM", 0, 4, 4, 8, 3, TypeTest::SunAtm},
    // ARCnet: source and destination station, then (RFC 1201) the system
    // code; the Linux form has 2 more bytes before it. The payload offset
    // assumes RFC 1201 unfragmented packets, as libpcap does.
    {dlt::kArcnet, "ARCNET", 0, 2, 6, 0, 0, TypeTest::Arcnet},
    {dlt::kArcnetLinux, "ARCNET_LINUX", 0, 4, 8, 0, 0, TypeTest::Arcnet},
    // BACnet MS/TP: station addresses, no protocol field.
    {dlt::kBacnetMsTp, "BACNET_MS_TP", 0, kNotSet, kNotSet, kNotSet, kNotSet, TypeTest::None},
    // SS7 signalling links: MTP2 signal units, no protocol field.
    {dlt::kMtp2, "MTP2", 0, kNotSet, kNotSet, kNotSet, kNotSet, TypeTest::None},
    {dlt::kMtp2WithPhdr, "MTP2_WITH_PHDR", 0, kNotSet, kNotSet, kNotSet, kNotSet, TypeTest::None},
}};
// clang-format on

// Linux cooked-header pseudo protocol types for non-Ethernet-II frames.
constexpr uint32_t kSllP8023 = 0x0001;  // Novell 802.3 without 802.2
constexpr uint32_t kSllP8022 = 0x0004;  // 802.2 LLC

// BSD address families as the capturing host defines them (Linux values,
// which is what libpcap uses when compiling for a live capture or
// pcap_open_dead()).
constexpr uint32_t kAfInet = 2;
constexpr uint32_t kAfInet6 = 10;
// A savefile may come from any system: libpcap's offline code tests the
// AF_INET6 values of the BSDs (24: NetBSD, OpenBSD, Npcap; 28: FreeBSD;
// 30: macOS and other Darwin systems), in this order. Linux's 10 never
// appears there, as Linux captures loopback traffic as DLT_EN10MB.
constexpr std::array<uint32_t, 3> kBsdAfInet6 = {30, 24, 28};

// Juniper's pseudo-header magic number, "MGC".
constexpr uint32_t kJuniperMagic = 0x4d474300, kJuniperMagicMask = 0xffffff00;
// Solaris ipnet address families.
constexpr uint32_t kIpnetAfInet = 2, kIpnetAfInet6 = 26;
// Frame Relay: the Q.933 unnumbered-information control byte, and the ISO
// 9577 NLPIDs of IPv4 and IPv6.
constexpr uint32_t kQ933Ui = 0x03, kNlpidIpv4 = 0xcc, kNlpidIpv6 = 0x8e;

uint32_t host_to_network(uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
  }
  return v;
}

Fragment not_8023_length(Codegen& cg) {
  // The type/length field is a type (> 1500), negated: an 802.3 length.
  return gen_not(gen_cmp_gt(cg, OffRel::LinkType, 0, kH, ethertype::kEtherMtu));
}

Fragment ether_linktype(Codegen& cg, uint32_t ll_proto) {
  switch (ll_proto) {
    case llcsap::kIsoNs:
    case llcsap::kIp:
    case llcsap::kNetbeui: {
      // Always 802.2: both DSAP and SSAP.
      Fragment b0 = not_8023_length(cg);
      return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::Llc, 0, kH, (ll_proto << 8) | ll_proto));
    }
    case llcsap::kIpx: {
      // Ethernet_II type, or on 802.3 frames: the IPX SAP, raw 802.3
      // (0xffff), or SNAP with the IPX type.
      Fragment b0 = gen_cmp(cg, OffRel::Llc, 0, kB, llcsap::kIpx);
      Fragment b1 = gen_or(cg, std::move(b0), gen_cmp(cg, OffRel::Llc, 0, kH, 0xffff));
      b1 = gen_or(cg, gen_snap(cg, 0x000000, ethertype::kIpx), std::move(b1));
      b1 = gen_and(cg, not_8023_length(cg), std::move(b1));
      return gen_or(cg, gen_cmp(cg, OffRel::LinkType, 0, kH, ethertype::kIpx), std::move(b1));
    }
    case ethertype::kAtalk:
    case ethertype::kAarp: {
      Fragment b0 = not_8023_length(cg);
      Fragment b1 = ll_proto == ethertype::kAtalk ? gen_snap(cg, 0x080007, ethertype::kAtalk)
                                                  : gen_snap(cg, 0x000000, ethertype::kAarp);
      b1 = gen_and(cg, std::move(b0), std::move(b1));
      return gen_or(cg, gen_cmp(cg, OffRel::LinkType, 0, kH, ll_proto), std::move(b1));
    }
    default:
      if (ll_proto <= ethertype::kEtherMtu) {
        // An 802.2 SAP: check the DSAP of 802.3 frames.
        Fragment b0 = not_8023_length(cg);
        return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::LinkType, 2, kB, ll_proto));
      }
      return gen_cmp(cg, OffRel::LinkType, 0, kH, ll_proto);
  }
}

Fragment linux_sll_linktype(Codegen& cg, uint32_t ll_proto) {
  switch (ll_proto) {
    case llcsap::kIsoNs:
    case llcsap::kIp:
    case llcsap::kNetbeui: {
      Fragment b0 = gen_cmp(cg, OffRel::LinkType, 0, kH, kSllP8022);
      return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::Llc, 0, kH, (ll_proto << 8) | ll_proto));
    }
    case llcsap::kIpx: {
      Fragment b0 = gen_cmp(cg, OffRel::Llc, 0, kB, llcsap::kIpx);
      Fragment b1 = gen_or(cg, std::move(b0), gen_snap(cg, 0x000000, ethertype::kIpx));
      b1 = gen_and(cg, gen_cmp(cg, OffRel::LinkType, 0, kH, kSllP8022), std::move(b1));
      b1 = gen_or(cg, gen_cmp(cg, OffRel::LinkType, 0, kH, kSllP8023), std::move(b1));
      return gen_or(cg, gen_cmp(cg, OffRel::LinkType, 0, kH, ethertype::kIpx), std::move(b1));
    }
    case ethertype::kAtalk:
    case ethertype::kAarp: {
      Fragment b0 = gen_cmp(cg, OffRel::LinkType, 0, kH, kSllP8022);
      Fragment b1 = ll_proto == ethertype::kAtalk ? gen_snap(cg, 0x080007, ethertype::kAtalk)
                                                  : gen_snap(cg, 0x000000, ethertype::kAarp);
      b1 = gen_and(cg, std::move(b0), std::move(b1));
      return gen_or(cg, gen_cmp(cg, OffRel::LinkType, 0, kH, ll_proto), std::move(b1));
    }
    default:
      if (ll_proto <= ethertype::kEtherMtu) {
        Fragment b0 = gen_cmp(cg, OffRel::LinkType, 0, kH, kSllP8022);
        Fragment b1 = gen_cmp(cg, OffRel::LinkHdr, cg.layout().off_linkpl.constant_part, kB, ll_proto);
        return gen_and(cg, std::move(b0), std::move(b1));
      }
      return gen_cmp(cg, OffRel::LinkType, 0, kH, ll_proto);
  }
}

Fragment loopback_linktype(Codegen& cg, uint32_t family, bool host_order) {
  return gen_cmp(cg, OffRel::LinkHdr, 0, kW, host_order ? host_to_network(family) : family);
}

uint32_t byte_swapped(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

// The link-header word of a savefile's loopback packet against the BSD AF_
// values of `ll_proto`, each read with or without a byte swap.
Fragment offline_af_test(Codegen& cg, uint32_t ll_proto, bool swap) {
  auto af = [&](uint32_t value) { return gen_cmp(cg, OffRel::LinkHdr, 0, kW, swap ? byte_swapped(value) : value); };
  if (ll_proto == ethertype::kIp) return af(kAfInet);
  if (ll_proto != ethertype::kIpv6) return gen_false(cg);
  Fragment rest = gen_or(cg, af(kBsdAfInet6[1]), af(kBsdAfInet6[2]));
  return gen_or(cg, af(kBsdAfInet6[0]), std::move(rest));
}

// DLT_NULL holds the AF_ value in the byte order of the host that captured
// the packets, which need not be the order of the file (a file may be
// rewritten elsewhere): libpcap tests both orders, first with no swap unless
// the file is swapped (the order of the tests, not the verdict, depends on it).
// DLT_LOOP holds it in network byte order.
Fragment offline_loopback_linktype(Codegen& cg, uint32_t ll_proto, bool host_order) {
  if (!host_order) return offline_af_test(cg, ll_proto, false);
  if (ll_proto != ethertype::kIp && ll_proto != ethertype::kIpv6) return gen_false(cg);
  const bool swapped = cg.options().context == CompileContext::OfflineSwapped;
  Fragment file_order = offline_af_test(cg, ll_proto, swapped);
  return gen_or(cg, std::move(file_order), offline_af_test(cg, ll_proto, !swapped));
}

Fragment mpls_linktype(Codegen& cg, uint32_t ll_proto) {
  uint32_t version;
  switch (ll_proto) {
    case ethertype::kIp: version = 0x40; break;
    case ethertype::kIpv6: version = 0x60; break;
    default: cg.fail("unsupported protocol over mpls");
  }
  // The bottom-of-stack bit of the last label, then the IP version.
  // (A one-bit test: `jset`, as newer libpcap writes it, one instruction shorter.)
  Fragment bottom = gen_jset(cg, OffRel::LinkPl, static_cast<uint32_t>(-2), kB, 0x01);
  return gen_and(cg, std::move(bottom), gen_mcmp(cg, OffRel::LinkPl, 0, kB, version, 0xf0));
}

// Where libpcap puts the link-layer header (what link[N] counts from) on the
// link types whose other layouts are not modelled: at the start of the
// packet, after the netANALYZER pseudo-headers, and after a radio header of
// variable length for 802.11 with Prism, AVS, radiotap or PPI headers
// (nullopt: no constant offset).
std::optional<uint32_t> unmodelled_link_header_offset(uint32_t dlt_value) {
  switch (dlt_value) {
    case dlt::kNetanalyzer: return 4;
    case dlt::kNetanalyzerTransparent: return 12;
    case dlt::kPrismHeader:
    case dlt::kIeee80211Radio:
    case dlt::kIeee80211RadioAvs:
    case dlt::kPpi: return std::nullopt;
    default: return 0;
  }
}

}  // namespace

const LinkLayerInfo* find_link_layer(uint32_t dlt_value) {
  for (const LinkLayerInfo& info : kLinkLayers) {
    if (info.dlt == dlt_value) return &info;
  }
  return nullptr;
}

uint32_t canonical_dlt(uint32_t dlt_value) { return dlt_value == dlt::kLinktypeRaw ? dlt::kRaw : dlt_value; }

void init_layout(Codegen& cg, uint32_t dlt_value) {
  Layout& l = cg.layout();
  l = Layout{};
  l.linktype = l.prevlinktype = l.outermostlinktype = dlt_value;
  if (const LinkLayerInfo* info = find_link_layer(dlt_value)) {
    l.modelled = true;
    l.link_header_known = true;
    l.off_linkhdr.constant_part = info->off_linkhdr;
    l.off_linktype.constant_part = info->off_linktype;
    l.off_linkpl.constant_part = info->off_linkpl;
    l.off_nl = info->off_nl;
    l.off_nl_nosnap = info->off_nl_nosnap;
    l.off_linkhdr.is_variable = info->prefix != RadioPrefix::None;
    l.off_linkpl.is_variable = info->payload_variable;
  } else if (std::optional<uint32_t> offset = unmodelled_link_header_offset(dlt_value)) {
    l.link_header_known = true;
    l.off_linkhdr.constant_part = *offset;
  }
  l.off_outermostlinkhdr = l.off_prevlinkhdr = l.off_linkhdr;
}

void require_link_layer(Codegen& cg) {
  if (cg.layout().modelled && find_link_layer(cg.layout().linktype)) return;
  // The semantic checks refuse, in libpcap's words, everything that needs a
  // model of a link layer that has none; reaching this is bpfc's own
  // inconsistency, reported as such rather than as a wrong program.
  std::string what(cg.span_text());
  cg.fail("internal error: " + (what.empty() ? std::string("this filter") : "'" + what + "'") +
          " needs a model of the link-layer header of " + linktype_display(cg.layout().linktype) +
          ", and bpfc's code generator has none (please report this)");
}

std::optional<Fragment> gen_capture_prelude(Codegen& cg) {
  if (cg.layout().outermostlinktype != dlt::kPpi) return std::nullopt;
  // The PPI header's DLT field, little-endian, read as a big-endian word:
  // 105 (802.11) is 0x69000000.
  constexpr uint32_t kPpiIeee80211 = 0x69000000;
  return gen_cmp(cg, OffRel::Packet, 4, kW, kPpiIeee80211);
}

void require_link_header(Codegen& cg) {
  if (!cg.layout().link_header_known) require_link_layer(cg);
}

bool is_ethernet_link(const Layout& l) {
  switch (l.linktype) {
    case dlt::kEn10mb:
    case dlt::kNetanalyzer:
    case dlt::kNetanalyzerTransparent:
    case dlt::kDsaTagBrcm:
    case dlt::kDsaTagDsa: return true;
    default: return false;
  }
}

bool is_juniper_link(const Layout& l) {
  const LinkLayerInfo* info = find_link_layer(l.linktype);
  return info != nullptr && info->type_test == TypeTest::JuniperMagic;
}

bool is_cisco_hdlc_link(const Layout& l) {
  const LinkLayerInfo* info = find_link_layer(l.linktype);
  return info != nullptr && info->type_test == TypeTest::CiscoHdlc;
}

bool is_wlan_link(const Layout& l) {
  const LinkLayerInfo* info = find_link_layer(l.linktype);
  return info != nullptr && info->type_test == TypeTest::Ieee80211;
}

bool is_mac48_link(const Layout& l) {
  if (is_ethernet_link(l)) return true;
  switch (l.linktype) {
    case dlt::kFddi:
    case dlt::kIeee802:
    case dlt::kIpOverFc: return true;
    default: return is_wlan_link(l);
  }
}

std::optional<Fragment> gen_prevlinkhdr_check(Codegen& cg) {
  if (cg.layout().is_geneve || cg.layout().is_vxlan) return gen_geneve_ll_check(cg);
  // LANE-encapsulated Ethernet: data frames only.
  if (cg.layout().prevlinktype == dlt::kSunatm) return gen_lane_data_check(cg);
  return std::nullopt;
}

Fragment gen_snap(Codegen& cg, uint32_t orgcode, uint32_t ptype) {
  const std::array<uint8_t, 8> snap = {
      static_cast<uint8_t>(llcsap::kSnap), static_cast<uint8_t>(llcsap::kSnap), 0x03,
      static_cast<uint8_t>(orgcode >> 16), static_cast<uint8_t>(orgcode >> 8),  static_cast<uint8_t>(orgcode),
      static_cast<uint8_t>(ptype >> 8),    static_cast<uint8_t>(ptype)};
  return gen_bcmp(cg, OffRel::Llc, 0, snap);
}

Fragment gen_linktype(Codegen& cg, uint32_t ll_proto) {
  require_link_layer(cg);
  Layout& l = cg.layout();
  if (l.label_stack_depth > 0) return mpls_linktype(cg, ll_proto);
  const LinkLayerInfo* info = find_link_layer(l.linktype);
  switch (info->type_test) {
    case TypeTest::Ethernet: {
      // Geneve and VXLAN always carry an Ethernet type, inner Ethernet
      // header or not.
      std::optional<Fragment> pre;
      if (!l.is_geneve && !l.is_vxlan) pre = gen_prevlinkhdr_check(cg);
      Fragment b = ether_linktype(cg, ll_proto);
      return pre ? gen_and(cg, std::move(*pre), std::move(b)) : b;
    }
    case TypeTest::LinuxSll: return linux_sll_linktype(cg, ll_proto);
    case TypeTest::IpVersionNibble:
      if (ll_proto == ethertype::kIp) return gen_mcmp(cg, OffRel::LinkHdr, 0, kB, 0x40, 0xf0);
      if (ll_proto == ethertype::kIpv6) return gen_mcmp(cg, OffRel::LinkHdr, 0, kB, 0x60, 0xf0);
      return gen_false(cg);
    case TypeTest::OnlyIpv4: return ll_proto == ethertype::kIp ? gen_true(cg) : gen_false(cg);
    case TypeTest::OnlyIpv6: return ll_proto == ethertype::kIpv6 ? gen_true(cg) : gen_false(cg);
    case TypeTest::Ppp: return gen_cmp(cg, OffRel::LinkType, 0, kH, ethertype_to_ppptype(ll_proto));
    case TypeTest::CiscoHdlc:
      if (ll_proto == llcsap::kIsoNs) ll_proto = (ll_proto << 8) | llcsap::kIsoNs;
      return gen_cmp(cg, OffRel::LinkType, 0, kH, ll_proto);
    case TypeTest::LoopbackHostOrder:
    case TypeTest::LoopbackNetOrder: {
      bool host_order = info->type_test == TypeTest::LoopbackHostOrder;
      if (is_offline(cg.options().context)) return offline_loopback_linktype(cg, ll_proto, host_order);
      if (ll_proto == ethertype::kIp) return loopback_linktype(cg, kAfInet, host_order);
      if (ll_proto == ethertype::kIpv6) return loopback_linktype(cg, kAfInet6, host_order);
      return gen_false(cg);
    }
    case TypeTest::TypeField: return gen_cmp(cg, OffRel::LinkType, 0, kH, ll_proto);
    case TypeTest::Llc: return gen_llc_linktype(cg, ll_proto);
    case TypeTest::Pflog: return gen_pflog_linktype(cg, ll_proto);
    case TypeTest::Arcnet: return gen_arcnet_linktype(cg, ll_proto);
    case TypeTest::SunAtm: return gen_atm_llc_linktype(cg, ll_proto);
    case TypeTest::PppBsdos: {
      if (ll_proto != ethertype::kIp) return gen_cmp(cg, OffRel::LinkType, 0, kH, ethertype_to_ppptype(ll_proto));
      Fragment b0 = gen_cmp(cg, OffRel::LinkType, 0, kH, ppptype::kIp);
      Fragment b1 = gen_or(cg, std::move(b0), gen_cmp(cg, OffRel::LinkType, 0, kH, ppptype::kVjc));
      return gen_or(cg, std::move(b1), gen_cmp(cg, OffRel::LinkType, 0, kH, ppptype::kVjnc));
    }
    case TypeTest::OnlyAppletalk: return ll_proto == ethertype::kAtalk ? gen_true(cg) : gen_false(cg);
    case TypeTest::Ipnet:
      if (ll_proto == ethertype::kIp) return gen_cmp(cg, OffRel::LinkType, 0, kB, kIpnetAfInet);
      if (ll_proto == ethertype::kIpv6) return gen_cmp(cg, OffRel::LinkType, 0, kB, kIpnetAfInet6);
      return gen_false(cg);
    case TypeTest::JuniperMagic:
      // libpcap checks the magic number only: the encapsulation after it
      // varies (up to 6 kinds on ATM).
      return gen_mcmp(cg, OffRel::LinkHdr, 0, kW, kJuniperMagic, kJuniperMagicMask);
    case TypeTest::FrameRelay:
      switch (ll_proto) {
        case ethertype::kIp: return gen_frelay_nlpid(cg, kNlpidIpv4);
        case ethertype::kIpv6: return gen_frelay_nlpid(cg, kNlpidIpv6);
        case llcsap::kIsoNs: {
          Fragment b0 = gen_frelay_nlpid(cg, osi::kClnp);
          Fragment b1 = gen_frelay_nlpid(cg, osi::kEsis);
          Fragment b2 = gen_or(cg, std::move(b1), gen_frelay_nlpid(cg, osi::kIsis));
          return gen_or(cg, std::move(b0), std::move(b2));
        }
        default: return gen_false(cg);
      }
    case TypeTest::None:
      cg.fail("link-layer type filtering not implemented for " + linktype_display(l.linktype));
    case TypeTest::Ieee80211: {
      // Only data frames carry a payload.
      Fragment data = gen_mcmp(cg, OffRel::LinkHdr, 0, kB, wlan::kTypeData, wlan::kTypeMask);
      return gen_and(cg, std::move(data), gen_llc_linktype(cg, ll_proto));
    }
  }
  BPFC_UNREACHABLE("a link-layer type test of no known kind");
}

Fragment gen_frelay_nlpid(Codegen& cg, uint32_t nlpid) {
  return gen_cmp(cg, OffRel::LinkHdr, 2, kH, (kQ933Ui << 8) | nlpid);
}

Fragment gen_llc_linktype(Codegen& cg, uint32_t ll_proto) {
  switch (ll_proto) {
    case llcsap::kIp:
    case llcsap::kIsoNs:
    case llcsap::kNetbeui: return gen_cmp(cg, OffRel::Llc, 0, kH, (ll_proto << 8) | ll_proto);
    case llcsap::kIpx: return gen_cmp(cg, OffRel::Llc, 0, kB, llcsap::kIpx);
    case ethertype::kAtalk: return gen_snap(cg, 0x080007, ethertype::kAtalk);
    default:
      // A SAP in the DSAP field, or an EtherType in the SNAP header.
      if (ll_proto <= ethertype::kEtherMtu) return gen_cmp(cg, OffRel::Llc, 0, kB, ll_proto);
      return gen_cmp(cg, OffRel::Llc, 6, kH, ll_proto);
  }
}

namespace {

// MAC-48 address `mac` at fixed source / destination offsets in the link header.
Fragment gen_hostop_at(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir, uint32_t src, uint32_t dst) {
  switch (dir) {
    case ast::Dir::Src: return gen_bcmp(cg, OffRel::LinkHdr, src, mac);
    case ast::Dir::Dst: return gen_bcmp(cg, OffRel::LinkHdr, dst, mac);
    case ast::Dir::SrcAndDst: {
      Fragment s = gen_bcmp(cg, OffRel::LinkHdr, src, mac);
      return gen_and(cg, std::move(s), gen_bcmp(cg, OffRel::LinkHdr, dst, mac));
    }
    case ast::Dir::Default:
    case ast::Dir::SrcOrDst: {
      Fragment s = gen_bcmp(cg, OffRel::LinkHdr, src, mac);
      return gen_or(cg, std::move(s), gen_bcmp(cg, OffRel::LinkHdr, dst, mac));
    }
    case ast::Dir::Addr1: cg.fail("'addr1' and 'address1' are only supported on 802.11 with 802.11 headers");
    case ast::Dir::Addr2: cg.fail("'addr2' and 'address2' are only supported on 802.11 with 802.11 headers");
    case ast::Dir::Addr3: cg.fail("'addr3' and 'address3' are only supported on 802.11 with 802.11 headers");
    case ast::Dir::Addr4: cg.fail("'addr4' and 'address4' are only supported on 802.11 with 802.11 headers");
    case ast::Dir::Ra: cg.fail("'ra' is only supported on 802.11 with 802.11 headers");
    case ast::Dir::Ta: cg.fail("'ta' is only supported on 802.11 with 802.11 headers");
    case ast::Dir::Undef: break;
  }
  cg.fail("syntax error in filter expression");
}

}  // namespace

Fragment gen_ehostop(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir) {
  return gen_hostop_at(cg, mac, dir, 6, 0);
}

Fragment gen_mac48host(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir) {
  require_link_layer(cg);
  const Layout& l = cg.layout();
  if (is_wlan_link(l)) return gen_wlanhostop(cg, mac, dir);
  if (is_ethernet_link(l)) {
    std::optional<Fragment> pre = gen_prevlinkhdr_check(cg);
    Fragment b = gen_ehostop(cg, mac, dir);
    return pre ? gen_and(cg, std::move(*pre), std::move(b)) : b;
  }
  switch (l.linktype) {
    // FDDI: a frame-control byte first (libpcap's padding is 0 on Linux).
    case dlt::kFddi: return gen_hostop_at(cg, mac, dir, 7, 1);
    // Token Ring: access-control and frame-control bytes first.
    case dlt::kIeee802: return gen_hostop_at(cg, mac, dir, 8, 2);
    // RFC 2625: two bytes before the network addresses.
    case dlt::kIpOverFc: return gen_hostop_at(cg, mac, dir, 10, 2);
    default: break;
  }
  cg.fail("MAC-48 addresses are not supported on " + linktype_display(l.linktype));
}

}  // namespace bpfc::lower
