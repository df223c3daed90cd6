// Broadcast, multicast and direction tests.
#include "gencode/broadcast.h"

#include <array>

#include "bpfc/ir/kernel_metadata.h"
#include "bpfc/linktype/linktype.h"
#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/mac8.h"
#include "gencode/pflog.h"
#include "gencode/protocols.h"
#include "gencode/wlan.h"

namespace bpfc::lower {

using namespace bpf;
using ast::Proto;

namespace {

constexpr uint32_t kNetmaskUnknown = 0xffffffffu;
constexpr uint32_t kSllOutgoing = 4;  // Linux packet type PACKET_OUTGOING
constexpr uint32_t kPppdIn = 0, kPppdOut = 1;
constexpr uint32_t kSlipDirIn = 0, kSlipDirOut = 1;
constexpr uint32_t kIpnetOutbound = 1, kIpnetInbound = 2;  // Solaris ipnet direction

}  // namespace

Fragment gen_broadcast(Codegen& cg, Proto proto) {
  switch (proto) {
    case Proto::Default:
    case Proto::Link: {
      require_link_layer(cg);
      if (is_mac8_link(cg.layout())) return gen_mac8_broadcast(cg);
      if (!is_mac48_link(cg.layout())) cg.fail("not a broadcast link");
      static constexpr std::array<uint8_t, 6> kAllOnes = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
      return gen_mac48host(cg, kAllOnes, ast::Dir::Dst);
    }
    case Proto::Ip: {
      const uint32_t netmask = cg.options().netmask.value_or(kNetmaskUnknown);
      if (netmask == kNetmaskUnknown) {
        cg.fail("netmask not known, so 'ip broadcast' not supported");
      }
      // The host part is all zeros or all ones.
      Fragment b0 = gen_linktype(cg, ethertype::kIp);
      const uint32_t hostmask = ~netmask;
      Fragment zeros = gen_mcmp(cg, OffRel::LinkPl, 16, kW, 0, hostmask);
      Fragment b2 = gen_or(cg, std::move(zeros), gen_mcmp(cg, OffRel::LinkPl, 16, kW, hostmask, hostmask));
      return gen_and(cg, std::move(b0), std::move(b2));
    }
    default: cg.fail("only link-layer/IP broadcast filters supported");
  }
}

Fragment gen_multicast(Codegen& cg, Proto proto) {
  switch (proto) {
    case Proto::Default:
    case Proto::Link:
      require_link_layer(cg);
      // ARCnet multicast is its broadcast.
      if (cg.layout().linktype == dlt::kArcnet || cg.layout().linktype == dlt::kArcnetLinux)
        return gen_mac8_broadcast(cg);
      if (is_ethernet_link(cg.layout())) {
        // The group bit of the destination address.
        std::optional<Fragment> pre = gen_prevlinkhdr_check(cg);
        Fragment b0 = gen_jset(cg, OffRel::LinkHdr, 0, kB, 1);
        return pre ? gen_and(cg, std::move(*pre), std::move(b0)) : b0;
      }
      if (is_wlan_link(cg.layout())) return gen_wlan_multicast(cg);
      // The destination address after the frame-control byte (FDDI), the
      // access- and frame-control bytes (Token Ring), or two bytes (RFC 2625).
      switch (cg.layout().linktype) {
        case dlt::kFddi: return gen_jset(cg, OffRel::LinkHdr, 1, kB, 1);
        case dlt::kIeee802:
        case dlt::kIpOverFc: return gen_jset(cg, OffRel::LinkHdr, 2, kB, 1);
        default: break;
      }
      break;
    case Proto::Ip: {
      Fragment b0 = gen_linktype(cg, ethertype::kIp);
      return gen_and(cg, std::move(b0), gen_cmp_ge(cg, OffRel::LinkPl, 16, kB, 224));
    }
    case Proto::Ip6: {
      Fragment b0 = gen_linktype(cg, ethertype::kIpv6);
      return gen_and(cg, std::move(b0), gen_cmp(cg, OffRel::LinkPl, 24, kB, 255));
    }
    default: break;
  }
  cg.fail(
      "link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM "
      "LANE/Fibre Channel");
}

// Whether `inbound`, `outbound` and `ifindex` read the kernel's packet
// metadata: in a live Linux capture. The metadata belongs to the packet,
// not to a header, so it is loaded at its absolute ancillary offset. (libpcap
// adds the link-header offset to the ancillary offset, so where the link
// header does not start the packet, behind a netANALYZER pseudo-header, a
// radio header or after `geneve`, its load names another field or none, and
// the kernel answers with the wrong value or rejects the packet; where the
// header starts the packet the two loads are the same.)
namespace {
bool reads_kernel_metadata(Codegen& cg) { return cg.options().linux_extensions(); }
}  // namespace

Fragment gen_inbound(Codegen& cg, bool outbound) {
  // Juniper: the direction bit of the flags after the magic number (set
  // for inbound).
  if (is_juniper_link(cg.layout())) return gen_mcmp(cg, OffRel::LinkHdr, 3, kB, outbound ? 0 : 1, 0x01);
  switch (cg.layout().linktype) {
    case dlt::kLinuxSll: {
      Fragment out = gen_cmp(cg, OffRel::LinkHdr, 0, kH, kSllOutgoing);
      return outbound ? out : gen_not(std::move(out));
    }
    case dlt::kLinuxSll2: {
      Fragment out = gen_cmp(cg, OffRel::LinkHdr, 10, kB, kSllOutgoing);
      return outbound ? out : gen_not(std::move(out));
    }
    case dlt::kPppPppd: return gen_cmp(cg, OffRel::LinkHdr, 0, kB, outbound ? kPppdOut : kPppdIn);
    case dlt::kPflog: return gen_pflog_direction(cg, outbound);
    case dlt::kIpnet: return gen_cmp(cg, OffRel::LinkHdr, 2, kH, outbound ? kIpnetOutbound : kIpnetInbound);
    // The Broadcom tag's opcode: 0 from the switch to the CPU (inbound), 1
    // from the CPU to the switch (outbound).
    case dlt::kDsaTagBrcm: return gen_mcmp(cg, OffRel::LinkHdr, 12, kB, outbound ? 0x20 : 0x00, 0xe0);
    // The Marvell DSA tag's mode: To_CPU and To_Sniffer are inbound,
    // From_CPU outbound; Forward says nothing.
    case dlt::kDsaTagDsa:
      return gen_mcmp(cg, OffRel::LinkHdr, 12, kB, outbound ? 0x40 : 0x00, outbound ? 0xc0 : 0x40);
    // SLIP: libpcap's direction byte, 0 received, 1 sent (other values
    // are neither).
    case dlt::kSlip: return gen_cmp(cg, OffRel::LinkHdr, 0, kB, outbound ? kSlipDirOut : kSlipDirIn);
    default: break;
  }
  // Elsewhere the direction is only in a live Linux capture's packet
  // metadata: the packet type, PACKET_OUTGOING for what this host sent.
  if (reads_kernel_metadata(cg)) {
    const ir::AncillaryField type = ir::ancillary_field(ir::MetaKind::PacketType);
    Fragment out = gen_cmp(cg, OffRel::Packet, ir::kSkfAdOff + type.offset, size_field(type.size), kSllOutgoing);
    return outbound ? out : gen_not(std::move(out));
  }
  // The semantic checks refuse this first; libpcap's words if they did not.
  require_link_layer(cg);
  cg.fail("not a live capture, '" + std::string(outbound ? "outbound" : "inbound") + "' not supported on " +
          linktype_display(cg.layout().linktype));
}

Fragment gen_ifindex(Codegen& cg, uint32_t index) {
  // Linux cooked v2 records the interface index at offset 4.
  if (cg.layout().linktype == dlt::kLinuxSll2) return gen_cmp(cg, OffRel::LinkHdr, 4, kW, index);
  if (reads_kernel_metadata(cg)) {
    const ir::AncillaryField field = ir::ancillary_field(ir::MetaKind::Ifindex);
    return gen_cmp(cg, OffRel::Packet, ir::kSkfAdOff + field.offset, size_field(field.size), index);
  }
  // The semantic checks refuse this first; libpcap's words if they did not.
  require_link_layer(cg);
  cg.fail("not a live capture, 'ifindex' not supported on " + linktype_display(cg.layout().linktype));
}

}  // namespace bpfc::lower
