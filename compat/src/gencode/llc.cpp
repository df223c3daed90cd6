// 802.2 LLC tests.
#include "gencode/llc.h"

#include <array>
#include <string>
#include <utility>

#include "bpfc/linktype/linktype.h"
#include "bpfc/support/text.h"
#include "gencode/access.h"
#include "gencode/atm.h"
#include "gencode/linklayer.h"
#include "gencode/protocols.h"
#include "gencode/wlan.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

// Control-field formats and the S / U command subtypes.
constexpr uint32_t kFormatS = 0x01, kFormatU = 0x03, kFormatMask = 0x03;
constexpr uint32_t kSCommandMask = 0x0f, kUCommandMask = 0xef;

constexpr std::array<std::pair<std::string_view, uint32_t>, 3> kSSubtypes = {
    {{"rr", 0x01}, {"rnr", 0x05}, {"rej", 0x09}}};
constexpr std::array<std::pair<std::string_view, uint32_t>, 8> kUSubtypes = {{{"ui", 0x03},
                                                                              {"ua", 0x63},
                                                                              {"disc", 0x43},
                                                                              {"dm", 0x0f},
                                                                              {"sabme", 0x6f},
                                                                              {"test", 0xe3},
                                                                              {"xid", 0xaf},
                                                                              {"frmr", 0x87}}};

// A frame with an 802.2 LLC header: on Ethernet an 802.3 frame (length,
// not type) that is not raw Novell 802.3 (0xffff); on 802.11 a data frame;
// FDDI and Token Ring frames are taken as LLC frames unchecked.
Fragment gen_llc_frame(Codegen& cg) {
  require_link_layer(cg);
  if (is_wlan_link(cg.layout())) return gen_mcmp(cg, OffRel::LinkHdr, 0, kB, wlan::kTypeData, wlan::kTypeMask);
  if (cg.layout().linktype == dlt::kFddi || cg.layout().linktype == dlt::kIeee802 ||
      cg.layout().linktype == dlt::kAtmRfc1483)
    return gen_true(cg);
  if (cg.layout().linktype == dlt::kSunatm) return gen_atm_llc(cg);
  // netANALYZER frames are Ethernet, but libpcap has no 'llc' for them.
  const uint32_t linktype = cg.layout().linktype;
  if (!is_ethernet_link(cg.layout()) || linktype == dlt::kNetanalyzer || linktype == dlt::kNetanalyzerTransparent) {
    std::string desc(linktype_description(cg.layout().linktype).value_or(""));
    if (desc.empty()) desc = "DLT " + std::to_string(cg.layout().linktype);
    cg.fail("'llc' not supported for " + desc);
  }
  Fragment b0 = gen_not(gen_cmp_gt(cg, OffRel::LinkType, 0, kH, ethertype::kEtherMtu));
  Fragment b1 = gen_not(gen_cmp(cg, OffRel::Llc, 0, kH, 0xffff));
  return gen_and(cg, std::move(b0), std::move(b1));
}

}  // namespace

Fragment gen_llc(Codegen& cg, const ast::Llc& llc) {
  Fragment b0 = gen_llc_frame(cg);
  if (!llc.subtype) return b0;
  const std::string& t = *llc.subtype;
  if (equals_ignoring_case(t, "i")) {
    // Information frames have the low bit of the control field clear.
    return gen_and(cg, std::move(b0), gen_not(gen_jset(cg, OffRel::Llc, 2, kB, 0x01)));
  }
  if (equals_ignoring_case(t, "s"))
    return gen_and(cg, std::move(b0), gen_mcmp(cg, OffRel::Llc, 2, kB, kFormatS, kFormatMask));
  if (equals_ignoring_case(t, "u"))
    return gen_and(cg, std::move(b0), gen_mcmp(cg, OffRel::Llc, 2, kB, kFormatU, kFormatMask));
  for (const auto& [name, value] : kSSubtypes) {
    if (equals_ignoring_case(t, name))
      return gen_and(cg, std::move(b0), gen_mcmp(cg, OffRel::Llc, 2, kB, value, kSCommandMask));
  }
  for (const auto& [name, value] : kUSubtypes) {
    if (equals_ignoring_case(t, name))
      return gen_and(cg, std::move(b0), gen_mcmp(cg, OffRel::Llc, 2, kB, value, kUCommandMask));
  }
  cg.fail("unknown LLC type name \"" + t + "\"");
}

}  // namespace bpfc::lower
