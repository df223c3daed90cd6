// The per-link-type table behind link_traits(), transcribed from the facts of
// libpcap's gencode.c (init_linktype, gen_linktype, gen_mac48host, gen_vlan,
// gen_mpls, gen_llc, gen_inbound_outbound, ...). Link types not listed but in
// libpcap's "matching" range support raw `link[N]` access only.
#include "bpfc/frontend/link_traits.h"

#include "bpfc/linktype/dlt.h"

namespace bpfc::sema {
namespace {

using enum LinkProtoTest;

struct Row {
  uint32_t dlt;
  LinkProtoTest proto_test;
  uint32_t features;
};

constexpr uint32_t kEthernetFamily = kMac48Addresses | kMulticast | kVlan | kMpls;
constexpr uint32_t kWlanFamily = kMac48Addresses | kMulticast | kWlanHeader | kLlc | kLinkPayloadVariable;
constexpr uint32_t kJuniper = kDirectionField;

constexpr Row kRows[] = {
    {dlt::NULL_LOOPBACK, Unchecked, 0},
    {dlt::EN10MB, EtherLike, kEthernetFamily | kLlc},
    {dlt::EN3MB, Unsupported, 0},
    {dlt::AX25, Unsupported, 0},
    {dlt::PRONET, Unsupported, 0},
    {dlt::CHAOS, Unsupported, 0},
    {dlt::IEEE802, EtherLike, kMac48Addresses | kMulticast | kLlc},
    {dlt::ARCNET, Unchecked, kMac8Addresses | kMulticast},
    {dlt::SLIP, Unchecked, kDirectionField},
    {dlt::PPP, Ppp, kMpls},
    {dlt::FDDI, EtherLike, kMac48Addresses | kMulticast | kLlc},
    {dlt::ATM_RFC1483, EtherLike, kLlc},
    {dlt::RAW, Unchecked, 0},
    {dlt::SLIP_BSDOS, Unchecked, 0},
    {dlt::PPP_BSDOS, Ppp, 0},
    {dlt::ATM_CLIP, EtherLike, 0},
    {dlt::REDBACK_SMARTEDGE, Unsupported, 0},
    {dlt::PPP_SERIAL, Ppp, 0},
    {dlt::PPP_ETHER, Ppp, 0},
    {dlt::SYMANTEC_FIREWALL, EtherTypeOnly, 0},
    {dlt::C_HDLC, CiscoHdlc, kMpls | kCiscoHdlcIso},
    {dlt::HDLC, CiscoHdlc, kMpls | kCiscoHdlcIso},
    {dlt::IEEE802_11, EtherLike, kWlanFamily | kVlan},
    {dlt::FRELAY, Unchecked, kFrameRelayNlpid},
    {dlt::MFR, Unsupported, 0},
    {dlt::LOOP, Unchecked, 0},
    {dlt::ENC, Unchecked, 0},
    {dlt::LINUX_SLL, EtherLike, kDirectionField},
    {dlt::LINUX_SLL2, EtherTypeOnly, kDirectionField | kIfindexField},
    {dlt::LTALK, Unchecked, 0},
    {dlt::PFLOG, Unchecked, kDirectionField | kLinkPayloadVariable},
    {dlt::PRISM_HEADER, EtherLike, kWlanFamily | kVlan | kRadioHeader | kLinkHeaderVariable},
    {dlt::IEEE802_11_RADIO_AVS, EtherLike, kWlanFamily | kVlan | kRadioHeader | kLinkHeaderVariable},
    {dlt::IEEE802_11_RADIO, EtherLike, kWlanFamily | kVlan | kRadioHeader | kLinkHeaderVariable},
    {dlt::PPI, EtherLike, kWlanFamily | kLinkHeaderVariable},
    {dlt::HHDLC, Unsupported, 0},
    {dlt::IP_OVER_FC, EtherLike, kMac48Addresses | kMulticast},
    {dlt::SUNATM, EtherLike, kSunAtm | kLlc},
    {dlt::ARCNET_LINUX, Unchecked, kMac8Addresses | kMulticast},
    {dlt::APPLE_IP_OVER_IEEE1394, EtherTypeOnly, 0},
    {dlt::MTP2_WITH_PHDR, Unsupported, kSs7},
    {dlt::MTP2, Unsupported, kSs7},
    {dlt::ERF, Unsupported, kSs7},
    // No protocol field. libpcap 1.10.3 compiled a protocol test to a check
    // of the frame preamble alone, whatever the protocol; newer libpcap
    // refuses it, and so does bpfc.
    {dlt::BACNET_MS_TP, Unsupported, kMac8Addresses},
    {dlt::PPP_PPPD, Ppp, kDirectionField},
    {dlt::AX25_KISS, Unsupported, 0},
    {dlt::PFSYNC, Unsupported, 0},
    {dlt::IPNET, Unchecked, kDirectionField},
    {dlt::IPV4, Unchecked, 0},
    {dlt::IPV6, Unchecked, 0},
    {dlt::NETANALYZER, EtherLike, kEthernetFamily},
    {dlt::NETANALYZER_TRANSPARENT, EtherLike, kEthernetFamily},
    {dlt::DSA_TAG_BRCM, EtherLike, kEthernetFamily | kLlc | kDirectionField},
    {dlt::DSA_TAG_DSA, EtherLike, kEthernetFamily | kLlc | kDirectionField},
    {dlt::JUNIPER_MFR, Unchecked, kJuniper},
    {dlt::JUNIPER_MLFR, Unchecked, kJuniper},
    {dlt::JUNIPER_MLPPP, Unchecked, kJuniper},
    {dlt::JUNIPER_ATM1, Unchecked, kJuniper},
    {dlt::JUNIPER_ATM2, Unchecked, kJuniper},
    {dlt::JUNIPER_PPPOE, Unchecked, kJuniper},
    {dlt::JUNIPER_PPPOE_ATM, Unchecked, kJuniper},
    {dlt::JUNIPER_GGSN, Unchecked, kJuniper},
    {dlt::JUNIPER_ES, Unchecked, kJuniper},
    {dlt::JUNIPER_MONITOR, Unchecked, kJuniper},
    {dlt::JUNIPER_SERVICES, Unchecked, kJuniper},
    {dlt::JUNIPER_ETHER, Unchecked, kJuniper},
    {dlt::JUNIPER_PPP, Unchecked, kJuniper},
    {dlt::JUNIPER_FRELAY, Unchecked, kJuniper},
    {dlt::JUNIPER_CHDLC, Unchecked, kJuniper},
    {dlt::JUNIPER_VP, Unchecked, kJuniper},
    {dlt::JUNIPER_ST, Unchecked, kJuniper},
    {dlt::JUNIPER_ISM, Unchecked, kJuniper},
    {dlt::JUNIPER_VS, Unchecked, kJuniper},
    {dlt::JUNIPER_SRX_E2E, Unchecked, kJuniper},
    {dlt::JUNIPER_FIBRECHANNEL, Unchecked, kJuniper},
    {dlt::JUNIPER_ATM_CEMIC, Unchecked, kJuniper},
};

}  // namespace

LinkTraits link_traits(uint32_t dlt) {
  for (const auto& row : kRows)
    if (row.dlt == dlt) return {true, row.proto_test, row.features};
  if (dlt >= dlt::HIGH_MATCHING_MIN && dlt <= dlt::HIGH_MATCHING_MAX) return {true, Unsupported, 0};
  return {};
}

}  // namespace bpfc::sema
