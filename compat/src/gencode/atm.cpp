// SunATM pseudo-header fields and circuits.
#include "gencode/atm.h"

#include <string>
#include <utility>

#include "gencode/access.h"
#include "gencode/arith.h"
#include "gencode/linklayer.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

// The SunATM pseudo-header: direction/flags, VPI, VCI (16 bits), then the
// AAL PDU. The low 4 bits of the first byte are the protocol type.
constexpr uint32_t kOffProto = 0, kOffVpi = 1, kOffVci = 2, kOffPayload = 4;
constexpr uint32_t kProtoMask = 0x0f, kProtoLane = 0x01, kProtoLlc = 0x02;
// Well-known VCIs on VPI 0.
constexpr uint32_t kVciMetac = 1, kVciBcc = 2, kVciOamf4sc = 3, kVciOamf4ec = 4, kVciSc = 5, kVciIlmic = 16;
// Q.2931 message types, at this offset in the signalling PDU.
constexpr uint32_t kMsgTypePos = 5;
constexpr uint32_t kSetup = 0x05, kCallProceed = 0x02, kConnect = 0x07, kConnectAck = 0x0f, kRelease = 0x4d,
                   kReleaseDone = 0x5a;
// LE control frames start with this marker instead of a LEC ID.
constexpr uint32_t kLaneControlMarker = 0xff00;

void check_max(Codegen& cg, const char* name, uint32_t value, uint32_t max) {
  if (value > max) {
    cg.fail(std::string(name) + " " + std::to_string(value) + " greater than maximum " + std::to_string(max));
  }
}

Fragment vpi(Codegen& cg, uint32_t v) { return gen_cmp(cg, OffRel::LinkHdr, kOffVpi, kB, v); }
Fragment vci(Codegen& cg, uint32_t v) { return gen_cmp(cg, OffRel::LinkHdr, kOffVci, kH, v); }
Fragment prototype(Codegen& cg, uint32_t v) { return gen_mcmp(cg, OffRel::LinkHdr, kOffProto, kB, v, kProtoMask); }

// VPI 0 and the given VCI.
Fragment circuit(Codegen& cg, uint32_t v) {
  Fragment b0 = vpi(cg, 0);
  return gen_and(cg, std::move(b0), vci(cg, v));
}

Fragment msg(Codegen& cg, uint32_t type) { return gen_cmp(cg, OffRel::LinkHdr, kOffPayload + kMsgTypePos, kB, type); }

// Any of the listed messages, built as libpcap chains its ORs.
Fragment any_msg(Codegen& cg, std::initializer_list<uint32_t> types) {
  auto it = types.begin();
  Fragment first = msg(cg, *it++);
  Fragment b1 = gen_or(cg, std::move(first), msg(cg, *it++));
  for (; it != types.end(); ++it) {
    Fragment b0 = msg(cg, *it);
    b1 = gen_or(cg, std::move(b0), std::move(b1));
  }
  return b1;
}

Fragment gen_lane(Codegen& cg) {
  Fragment b = prototype(cg, kProtoLane);
  // Everything after this reads LANE-encapsulated Ethernet: the 2-byte LEC
  // ID, then an Ethernet header.
  Layout& l = cg.layout();
  l.prevlinktype = l.linktype;
  l.off_prevlinkhdr = l.off_linkhdr;
  l.linktype = dlt::kEn10mb;
  l.off_linkhdr = AbsOffset{false, kOffPayload + 2, -1};
  l.off_linktype.constant_part = l.off_linkhdr.constant_part + 12;
  l.off_linkpl.constant_part = l.off_linkhdr.constant_part + 14;
  l.off_nl = 0;
  l.off_nl_nosnap = 3;
  return b;
}

}  // namespace

Fragment gen_atm(Codegen& cg, const ast::Atm& atm) {
  using K = ast::AtmKeyword;
  if (cg.layout().linktype != dlt::kSunatm) {
    cg.fail("'" + std::string(cg.span_text()) + "' supported only on SUNATM");
  }
  switch (atm.keyword) {
    case K::Vpi:
    case K::Vci: {
      const bool is_vpi = atm.keyword == K::Vpi;
      const uint32_t v = atm.value.value_or(0);
      check_max(cg, is_vpi ? "VPI" : "VCI", v, is_vpi ? 0xff : 0xffff);
      const auto [jump, reverse] = relop_jump(atm.op);
      return gen_ncmp(cg, OffRel::LinkHdr, is_vpi ? kOffVpi : kOffVci, is_vpi ? kB : kH, 0xffffffffu, jump, reverse,
                      v);
    }
    case K::Metac: return circuit(cg, kVciMetac);
    case K::Bcc: return circuit(cg, kVciBcc);
    case K::Oamf4sc: return circuit(cg, kVciOamf4sc);
    case K::Oamf4ec: return circuit(cg, kVciOamf4ec);
    case K::Sc: return circuit(cg, kVciSc);
    case K::Ilmic: return circuit(cg, kVciIlmic);
    case K::Lane: return gen_lane(cg);
    case K::Oam:
    case K::Oamf4: {
      Fragment b0 = vci(cg, kVciOamf4sc);
      Fragment b1 = gen_or(cg, std::move(b0), vci(cg, kVciOamf4ec));
      Fragment v0 = vpi(cg, 0);
      return gen_and(cg, std::move(v0), std::move(b1));
    }
    case K::Connectmsg: {
      Fragment b1 = any_msg(cg, {kSetup, kCallProceed, kConnect, kConnectAck, kRelease, kReleaseDone});
      Fragment b0 = circuit(cg, kVciSc);
      return gen_and(cg, std::move(b0), std::move(b1));
    }
    case K::Metaconnect: {
      Fragment b1 = any_msg(cg, {kSetup, kCallProceed, kConnect, kRelease, kReleaseDone});
      Fragment b0 = circuit(cg, kVciMetac);
      return gen_and(cg, std::move(b0), std::move(b1));
    }
  }
  cg.fail("syntax error in filter expression");
}

Fragment gen_atm_llc(Codegen& cg) {
  Fragment b = prototype(cg, kProtoLlc);
  cg.layout().linktype = cg.layout().prevlinktype;
  return b;
}

Fragment gen_atm_llc_linktype(Codegen& cg, uint32_t ll_proto) {
  Fragment b0 = prototype(cg, kProtoLlc);
  return gen_and(cg, std::move(b0), gen_llc_linktype(cg, ll_proto));
}

Fragment gen_lane_data_check(Codegen& cg) {
  return gen_not(gen_cmp(cg, OffRel::PrevLinkHdr, kOffPayload, kH, kLaneControlMarker));
}

}  // namespace bpfc::lower
