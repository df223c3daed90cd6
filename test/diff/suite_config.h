// Where the differential suite's inputs live and which link types it covers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synthetic_packets.h"

namespace bpfc::difftest {

inline const std::string kCorpusDir = BPFC_TEST_DIR "/corpus";
inline const std::string kPcapsDir = BPFC_TEST_DIR "/corpus/pcaps";
// hosts, ethers, networks, services and protocols files: names never reach
// the system resolver.
inline const std::string kFixtureNamesDir = BPFC_TEST_DIR "/fixtures/names";

struct CoveredLinktype {
  const char* name;
  uint32_t dlt;
};

inline const std::vector<CoveredLinktype>& covered_linktypes() {
  static const std::vector<CoveredLinktype> linktypes = {
      {"EN10MB", kDltEn10mb}, {"RAW", kDltRaw},   {"IPV4", kDltIpv4},           {"IPV6", kDltIpv6},
      {"NULL", kDltNull},     {"LOOP", kDltLoop}, {"LINUX_SLL", kDltLinuxSll}, {"LINUX_SLL2", kDltLinuxSll2},
      {"IEEE802_11", kDltIeee80211}, {"PRISM_HEADER", kDltPrismHeader}, {"IEEE802_11_RADIO", kDltIeee80211Radio},
      {"IEEE802_11_RADIO_AVS", kDltIeee80211RadioAvs}, {"PPI", kDltPpi}, {"FDDI", kDltFddi},
      {"IEEE802", kDltIeee802}, {"IP_OVER_FC", kDltIpOverFc}, {"MTP2", kDltMtp2}, {"PFLOG", kDltPflog},
      {"NETANALYZER", kDltNetanalyzer}, {"NETANALYZER_TRANSPARENT", kDltNetanalyzerTransparent},
      {"DSA_TAG_BRCM", kDltDsaTagBrcm}, {"DSA_TAG_DSA", kDltDsaTagDsa}, {"ARCNET", kDltArcnet},
      {"ARCNET_LINUX", kDltArcnetLinux}, {"BACNET_MS_TP", kDltBacnetMsTp}, {"SUNATM", kDltSunatm},
      {"ATM_CLIP", kDltAtmClip}, {"ATM_RFC1483", kDltAtmRfc1483}, {"SYMANTEC_FIREWALL", kDltSymantecFirewall},
      {"APPLE_IP_OVER_IEEE1394", kDltAppleIpOverIeee1394}, {"PPP_ETHER", kDltPppEther}, {"PPP_BSDOS", kDltPppBsdos},
      {"SLIP_BSDOS", kDltSlipBsdos}, {"LTALK", kDltLtalk}, {"ENC", kDltEnc}, {"IPNET", kDltIpnet},
      {"FRELAY", kDltFrelay}, {"JUNIPER_MFR", kDltJuniperMfr}, {"JUNIPER_PPP", kDltJuniperPpp},
      {"JUNIPER_ATM2", kDltJuniperAtm2}, {"JUNIPER_ETHER", kDltJuniperEther}, {"JUNIPER_GGSN", kDltJuniperGgsn},
      {"JUNIPER_MONITOR", kDltJuniperMonitor}, {"SLIP", kDltSlip}, {"C_HDLC", kDltCHdlc}};
  return linktypes;
}

inline std::vector<uint32_t> covered_dlts() {
  std::vector<uint32_t> dlts;
  for (const auto& linktype : covered_linktypes()) dlts.push_back(linktype.dlt);
  return dlts;
}

inline bool is_covered_dlt(uint32_t dlt) {
  for (const auto& linktype : covered_linktypes()) {
    if (linktype.dlt == dlt) return true;
  }
  return false;
}

}  // namespace bpfc::difftest
