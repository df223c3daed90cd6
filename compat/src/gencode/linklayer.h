// The link-layer model: where each supported link type puts its headers and
// how it names the protocol it carries (Ethernet type with 802.3/802.2
// handling, BSD AF_ values, Linux cooked headers, the IP version nibble...).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "bpfc/frontend/ast.h"
#include "bpfc/linktype/dlt.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

// The lowering's names for the link types it models, from the link-type
// table (bpfc/linktype/dlt.h), whose own names are visible here too.
namespace dlt {
using namespace ::bpfc::dlt;
inline constexpr uint32_t kNull = NULL_LOOPBACK, kEn10mb = EN10MB, kSlip = SLIP, kPpp = PPP, kRaw = RAW,
                          kPppSerial = PPP_SERIAL;
inline constexpr uint32_t kCHdlc = C_HDLC, kHdlc = HDLC, kLoop = LOOP, kLinuxSll = LINUX_SLL;
inline constexpr uint32_t kPppPppd = PPP_PPPD, kIpv4 = IPV4, kIpv6 = IPV6, kLinuxSll2 = LINUX_SLL2;
inline constexpr uint32_t kPrismHeader = PRISM_HEADER, kIeee80211Radio = IEEE802_11_RADIO,
                          kIeee80211RadioAvs = IEEE802_11_RADIO_AVS, kPpi = PPI;
inline constexpr uint32_t kNetanalyzer = NETANALYZER, kNetanalyzerTransparent = NETANALYZER_TRANSPARENT;
inline constexpr uint32_t kIeee80211 = IEEE802_11, kFddi = FDDI, kIeee802 = IEEE802, kIpOverFc = IP_OVER_FC;
inline constexpr uint32_t kDsaTagBrcm = DSA_TAG_BRCM, kDsaTagDsa = DSA_TAG_DSA;
inline constexpr uint32_t kSunatm = SUNATM;
inline constexpr uint32_t kAtmClip = ATM_CLIP, kAtmRfc1483 = ATM_RFC1483, kSymantecFirewall = SYMANTEC_FIREWALL,
                          kAppleIpOverIeee1394 = APPLE_IP_OVER_IEEE1394, kPppEther = PPP_ETHER,
                          kPppBsdos = PPP_BSDOS, kSlipBsdos = SLIP_BSDOS, kLtalk = LTALK, kEnc = ENC,
                          kIpnet = IPNET, kFrelay = FRELAY;
inline constexpr uint32_t kJuniperMfr = JUNIPER_MFR, kJuniperMlfr = JUNIPER_MLFR, kJuniperMlppp = JUNIPER_MLPPP,
                          kJuniperPpp = JUNIPER_PPP, kJuniperChdlc = JUNIPER_CHDLC, kJuniperFrelay = JUNIPER_FRELAY,
                          kJuniperAtm1 = JUNIPER_ATM1, kJuniperAtm2 = JUNIPER_ATM2, kJuniperPppoe = JUNIPER_PPPOE,
                          kJuniperEther = JUNIPER_ETHER, kJuniperPppoeAtm = JUNIPER_PPPOE_ATM,
                          kJuniperGgsn = JUNIPER_GGSN, kJuniperMonitor = JUNIPER_MONITOR;
inline constexpr uint32_t kJuniperEs = JUNIPER_ES, kJuniperServices = JUNIPER_SERVICES, kJuniperVp = JUNIPER_VP,
                          kJuniperSt = JUNIPER_ST, kJuniperIsm = JUNIPER_ISM, kJuniperVs = JUNIPER_VS,
                          kJuniperSrxE2e = JUNIPER_SRX_E2E, kJuniperFibrechannel = JUNIPER_FIBRECHANNEL,
                          kJuniperAtmCemic = JUNIPER_ATM_CEMIC;
inline constexpr uint32_t kArcnet = ARCNET, kArcnetLinux = ARCNET_LINUX, kBacnetMsTp = BACNET_MS_TP;
inline constexpr uint32_t kPflog = PFLOG, kMtp2 = MTP2, kMtp2WithPhdr = MTP2_WITH_PHDR, kErf = ERF;
// LINKTYPE_RAW: a savefile's number for DLT_RAW, which libpcap's compiler
// also accepts as a link type (bpfc/linktype/linktype.h maps the two).
inline constexpr uint32_t kLinktypeRaw = 101;
}  // namespace dlt

// How a link layer says which protocol its payload is.
enum class TypeTest : uint8_t {
  Ethernet,           // type/length field, with 802.3 + 802.2 LLC / SNAP variants
  LinuxSll,           // protocol field, with the Linux 802.2 / 802.3 pseudo-types
  IpVersionNibble,    // no field: the first byte's version nibble (4 or 6)
  OnlyIpv4,           // always IPv4
  OnlyIpv6,           // always IPv6
  Ppp,                // PPP protocol number
  CiscoHdlc,          // Ethernet-type lookalike, 0xfefe for OSI
  LoopbackHostOrder,  // BSD AF_ value, 32 bits in the capturing host's byte order
  LoopbackNetOrder,   // BSD AF_ value, 32 bits big-endian
  TypeField,          // a 16-bit Ethernet-type field
  Llc,                // no type field: an 802.2 LLC header, with SNAP for EtherTypes
  Ieee80211,          // an 802.11 data frame, then 802.2 LLC as for Llc
  Pflog,              // the pflog header's address family byte
  None,               // no protocol field: protocol tests are refused
  Arcnet,             // the ARCnet system code byte
  SunAtm,             // LLC encapsulation in the SunATM pseudo-header, then as Llc
  PppBsdos,           // PPP protocol number, with VJ-compressed TCP/IP as IPv4
  OnlyAppletalk,      // LocalTalk: always AppleTalk
  Ipnet,              // Solaris ipnet: an address family byte
  FrameRelay,         // the Q.933 NLPID after the DLCI
  JuniperMagic,       // Juniper's "MGC" cookie only, whatever the protocol
};

// A header of variable length in front of the link-layer header, whose
// length the program reads from the packet before anything else.
enum class RadioPrefix : uint8_t {
  None,
  Prism,     // Prism (144 bytes) or, by its cookie, AVS
  Avs,       // AVS: a big-endian length at offset 4
  Radiotap,  // radiotap: a little-endian length at offset 2
  Ppi,       // PPI: a little-endian length at offset 2
};

struct LinkLayerInfo {
  uint32_t dlt;
  std::string_view name;
  uint32_t off_linkhdr;
  uint32_t off_linktype;  // kOffsetNotSet when there is no type field
  uint32_t off_linkpl;
  uint32_t off_nl;
  uint32_t off_nl_nosnap;
  TypeTest type_test;
  RadioPrefix prefix = RadioPrefix::None;
  // The link-layer header's own length depends on the packet (802.11: the
  // frame type and QoS bit): the payload offset is computed at run time.
  bool payload_variable = false;
};

// Juniper's pseudo-headers, of the kinds modelled: flags (direction) in the
// byte after the 3-byte magic number.
bool is_juniper_link(const Layout& l);

// Cisco HDLC: DLT_C_HDLC, and DLT_HDLC, NetBSD's number for it.
bool is_cisco_hdlc_link(const Layout& l);

// nullopt for link types the lowering does not model (yet).
const LinkLayerInfo* find_link_layer(uint32_t dlt);
// LINKTYPE_RAW (101) is the savefile name of DLT_RAW.
uint32_t canonical_dlt(uint32_t dlt);

// Sets up the layout for the capture's link type; unknown types are recorded
// so that the first construct needing them fails with a clear message.
void init_layout(Codegen& cg, uint32_t dlt);
// Fails unless the current link layer is modelled.
void require_link_layer(Codegen& cg);
// Fails unless the offset of the current link-layer header is known (for
// link[N]); it is for most link types, modelled or not.
void require_link_header(Codegen& cg);
// What libpcap ANDs in front of every (non-empty) filter for the capture's
// link type: on PPI, that the PPI header announces 802.11. nullopt elsewhere.
std::optional<Fragment> gen_capture_prelude(Codegen& cg);

// The payload is protocol `ll_proto` (an Ethernet type, or an 802.2 SAP when
// <= 1500), as the current link layer expresses it.
Fragment gen_linktype(Codegen& cg, uint32_t ll_proto);
// Checks an enclosing header needs before the link header can be trusted
// (inside Geneve: that an inner Ethernet header is present).
std::optional<Fragment> gen_prevlinkhdr_check(Codegen& cg);
// An 802.2 SNAP header with the given organization code and type.
Fragment gen_snap(Codegen& cg, uint32_t orgcode, uint32_t ptype);
// Ethernet address `mac` in the source and/or destination field.
Fragment gen_ehostop(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir);
// Ethernet-family link layers (Ethernet type field with 802.3 frames): plain
// Ethernet, behind a netANALYZER pseudo-header, or with a switch's DSA tag
// between the addresses and the type.
bool is_ethernet_link(const Layout& l);
// Link layers with MAC-48 addresses (Ethernet, FDDI, Token Ring, 802.11,
// IP over Fibre Channel): where `ether host`, `broadcast` and the like work.
bool is_mac48_link(const Layout& l);
// 802.11, bare or behind a radio header.
bool is_wlan_link(const Layout& l);
// MAC-48 address `mac` in the link header's source and/or destination
// (802.11: the address fields the frame type and direction bits select).
Fragment gen_mac48host(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir);
// Frame Relay: the NLPID after the DLCI.
Fragment gen_frelay_nlpid(Codegen& cg, uint32_t nlpid);
// An 802.2 header announcing `ll_proto` (a SAP when <= 1500, else an
// EtherType after SNAP), on link layers without a type field.
Fragment gen_llc_linktype(Codegen& cg, uint32_t ll_proto);

}  // namespace bpfc::lower
