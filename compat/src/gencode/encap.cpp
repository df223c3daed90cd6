// VLAN, MPLS, PPPoE, Geneve and VXLAN.
#include "gencode/encap.h"

#include <string>

#include "bpfc/linktype/linktype.h"
#include "gencode/access.h"
#include "gencode/linklayer.h"
#include "gencode/port.h"
#include "gencode/protocols.h"

namespace bpfc::lower {

using namespace bpf;

namespace {

std::string link_description(uint32_t linktype) {
  if (std::optional<std::string_view> d = linktype_description(linktype)) return std::string(*d);
  return "DLT " + std::to_string(linktype);
}

void check_max(Codegen& cg, const char* what, uint32_t value, uint32_t max) {
  if (value > max) {
    cg.fail(std::string(what) + " " + std::to_string(value) + " greater than maximum " + std::to_string(max));
  }
}

// libpcap's PUSH_LINKHDR: decode a new link layer at a new offset.
void push_link_header(Layout& l, uint32_t linktype, bool is_variable, uint32_t constant_part, int reg) {
  l.prevlinktype = l.linktype;
  l.off_prevlinkhdr = l.off_linkhdr;
  l.linktype = linktype;
  l.off_linkhdr = AbsOffset{is_variable, constant_part, reg};
  l.is_geneve = false;
  l.is_vxlan = false;
}

// A block that is always taken on its true edge (A was just copied from
// X): libpcap's way to run statements on the path where a test succeeded.
Fragment always_true_after(Codegen& cg, std::vector<Stmt> stmts) {
  return cg.test(kJmp | kJeq | kX, 0, std::move(stmts));
}

enum class TunnelKind { Geneve, Vxlan };

// UDP to the tunnel's port, a valid tunnel header and, if given, the VNI;
// then A = the length of the outer IP header (plus any variable prefix).
Fragment tunnel_over_ip(Codegen& cg, TunnelKind kind, bool ipv6, std::optional<uint32_t> vni) {
  const uint16_t port = kind == TunnelKind::Geneve ? kGenevePort : kVxlanPort;
  const OffRel rel = ipv6 ? OffRel::TranIpv6 : OffRel::TranIpv4;
  Fragment b0 = ipv6 ? gen_port6(cg, port, ipproto::kUdp, ast::Dir::Dst)
                     : gen_port(cg, port, ipproto::kUdp, ast::Dir::Dst);
  // Geneve: version 0 (top two bits). VXLAN: exactly the I flag.
  Fragment hdr =
      kind == TunnelKind::Geneve ? gen_mcmp(cg, rel, 8, kB, 0, 0xc0) : gen_cmp(cg, rel, 8, kB, 0x08);
  b0 = gen_and(cg, std::move(b0), std::move(hdr));
  if (vni) {
    check_max(cg, kind == TunnelKind::Geneve ? "Geneve VNI" : "VXLAN VNI", *vni, 0xffffff);
    // The VNI is in the upper three bytes of the second word.
    b0 = gen_and(cg, std::move(b0), gen_mcmp(cg, rel, 12, kW, *vni << 8, 0xffffff00));
  }
  std::vector<Stmt> s;
  if (ipv6) {
    s = load_offset_varpart(cg, cg.layout().off_linkpl);
    if (!s.empty()) {
      s.push_back(stmt(kLd | kImm, 40));
      s.push_back(stmt(kAlu | kAdd | kX));
    } else {
      s.push_back(stmt(kLd | kImm, 40));
    }
    s.push_back(stmt(kMisc | kTax));
  } else {
    s = loadx_iphdrlen(cg);
    s.push_back(stmt(kMisc | kTxa));
  }
  return gen_and(cg, std::move(b0), always_true_after(cg, std::move(s)));
}

// Offsets inside Geneve: A holds the outer IP header length on entry. The
// inner frame is Ethernet when the protocol type is Transparent Ethernet
// Bridging, otherwise the payload follows the Geneve header directly.
Fragment geneve_offsets(Codegen& cg) {
  Layout& l = cg.layout();
  std::vector<Stmt> head;
  head.push_back(stmt(kAlu | kAdd | kK, l.off_linkpl.constant_part + l.off_nl + 8));
  head.push_back(stmt(kMisc | kTax));  // X = start of the Geneve header
  head.push_back(stmt(kAlu | kAdd | kK, 2));
  l.off_linktype = AbsOffset{true, 0, cg.alloc_reg()};
  head.push_back(stmt(kSt, static_cast<uint32_t>(l.off_linktype.reg)));
  head.push_back(stmt(kLd | kInd | kB, 0));  // option length in 4-byte words
  head.push_back(stmt(kAlu | kAnd | kK, 0x3f));
  head.push_back(stmt(kAlu | kMul | kK, 4));
  head.push_back(stmt(kAlu | kAdd | kK, 8));
  head.push_back(stmt(kAlu | kAdd | kX));
  const int linkhdr_reg = cg.alloc_reg();
  push_link_header(l, dlt::kEn10mb, true, 0, linkhdr_reg);
  head.push_back(stmt(kSt, static_cast<uint32_t>(linkhdr_reg)));
  // libpcap needs a jump inside a block here and turns its optimizer off.
  cg.disable_optimizer();
  head.push_back(stmt(kLd | kInd | kH, 2));
  head.push_back(stmt(kLdx | kMem, static_cast<uint32_t>(linkhdr_reg)));
  const int test = cg.new_block(kJmp | kJeq | kK, ethertype::kTeb, std::move(head));
  const int inner_ethernet = cg.new_block(
      kJmp | kJa, 0,
      {stmt(kMisc | kTxa), stmt(kAlu | kAdd | kK, 12), stmt(kSt, static_cast<uint32_t>(l.off_linktype.reg)),
       stmt(kAlu | kAdd | kK, 2), stmt(kMisc | kTax)});
  l.off_linkpl = AbsOffset{true, 0, cg.alloc_reg()};
  // Followed by gen_true()'s own test, as libpcap appends these to it.
  const int store = cg.new_block(kJmp | kJeq | kK, 0,
                                 {stmt(kStx, static_cast<uint32_t>(l.off_linkpl.reg)), stmt(kLd | kImm, 0)});
  cg.block(test).jt = inner_ethernet;
  cg.block(test).jf = store;
  cg.block(inner_ethernet).jt = store;
  l.off_nl = 0;
  return Fragment{test, {Exit{store, true}}, {Exit{store, false}}};
}

// Offsets inside VXLAN, which always carries an Ethernet frame.
Fragment vxlan_offsets(Codegen& cg) {
  Layout& l = cg.layout();
  std::vector<Stmt> s;
  s.push_back(stmt(kAlu | kAdd | kK, l.off_linkpl.constant_part + l.off_nl + 8));
  s.push_back(stmt(kAlu | kAdd | kK, 8));
  const int linkhdr_reg = cg.alloc_reg();
  push_link_header(l, dlt::kEn10mb, true, 0, linkhdr_reg);
  s.push_back(stmt(kSt, static_cast<uint32_t>(linkhdr_reg)));
  s.push_back(stmt(kAlu | kAdd | kK, 12));
  l.off_linktype = AbsOffset{true, 0, cg.alloc_reg()};
  s.push_back(stmt(kSt, static_cast<uint32_t>(l.off_linktype.reg)));
  s.push_back(stmt(kAlu | kAdd | kK, 2));
  s.push_back(stmt(kMisc | kTax));
  l.off_linkpl = AbsOffset{true, 0, cg.alloc_reg()};
  s.push_back(stmt(kStx, static_cast<uint32_t>(l.off_linkpl.reg)));
  l.off_nl = 0;
  Fragment t = gen_true(cg);
  std::vector<Stmt>& body = cg.block(t.head).stmts;
  body.insert(body.begin(), s.begin(), s.end());
  return t;
}

}  // namespace

Fragment gen_vlan(Codegen& cg, std::optional<uint32_t> id) {
  Layout& l = cg.layout();
  if (l.label_stack_depth > 0) cg.fail("no VLAN match after MPLS");
  if (l.linktype != dlt::kEn10mb) {
    require_link_layer(cg);
    cg.fail("no VLAN support for " + link_description(l.linktype));
  }
  // On a live Linux capture libpcap tests the outermost tag in the kernel's
  // packet metadata, which the IR cannot express yet.
  if (cg.options().linux_extensions() && l.vlan_stack_depth == 0 && !l.off_linkhdr.is_variable &&
      l.off_linkhdr.constant_part == l.off_outermostlinkhdr.constant_part) {
    cg.fail("'" + std::string(cg.span_text()) +
            "' with Linux kernel packet metadata (live capture) is not supported yet for link type "
            "EN10MB");
  }
  // Any of the 802.1Q, 802.1ad and old QinQ tag types.
  Fragment b0 = gen_linktype(cg, ethertype::kVlan);
  b0 = gen_or(cg, std::move(b0), gen_linktype(cg, ethertype::kQinQ8021ad));
  b0 = gen_or(cg, std::move(b0), gen_linktype(cg, ethertype::kQinQ));
  if (id) {
    check_max(cg, "VLAN tag", *id, 0x0fff);
    b0 = gen_and(cg, std::move(b0), gen_mcmp(cg, OffRel::LinkPl, 0, kH, *id, 0x0fff));
  }
  l.off_linkpl.constant_part += 4;
  l.off_linktype.constant_part += 4;
  l.vlan_stack_depth++;
  return b0;
}

Fragment gen_mpls(Codegen& cg, std::optional<uint32_t> label) {
  Layout& l = cg.layout();
  Fragment b0;
  if (l.label_stack_depth > 0) {
    // Inside a stack: the previous label must not be the bottom one.
    b0 = gen_mcmp(cg, OffRel::PrevMplsHdr, 2, kB, 0, 0x01);
  } else if (l.linktype == dlt::kEn10mb || l.linktype == dlt::kCHdlc) {
    b0 = gen_linktype(cg, ethertype::kMpls);
  } else if (l.linktype == dlt::kPpp) {
    b0 = gen_linktype(cg, ppptype::kMplsUnicast);
  } else {
    require_link_layer(cg);
    cg.fail("no MPLS support for " + link_description(l.linktype));
  }
  if (label) {
    check_max(cg, "MPLS label", *label, 0xfffff);
    // The label is the top 20 bits of the label stack entry.
    b0 = gen_and(cg, std::move(b0), gen_mcmp(cg, OffRel::LinkPl, 0, kW, *label << 12, 0xfffff000));
  }
  l.off_nl_nosnap += 4;
  l.off_nl += 4;
  l.label_stack_depth++;
  return b0;
}

Fragment gen_pppoed(Codegen& cg) { return gen_linktype(cg, ethertype::kPppoeDiscovery); }

Fragment gen_pppoes(Codegen& cg, std::optional<uint32_t> session) {
  Fragment b0 = gen_linktype(cg, ethertype::kPppoeSession);
  if (session) {
    check_max(cg, "PPPoE session number", *session, 0x0000ffff);
    b0 = gen_and(cg, std::move(b0), gen_mcmp(cg, OffRel::LinkPl, 0, kW, *session, 0x0000ffff));
  }
  // A PPP frame without HDLC framing follows the 6-byte PPPoE header.
  Layout& l = cg.layout();
  push_link_header(l, dlt::kPpp, l.off_linkpl.is_variable, l.off_linkpl.constant_part + l.off_nl + 6,
                   l.off_linkpl.reg);
  l.off_linktype = l.off_linkhdr;
  l.off_linkpl.constant_part = l.off_linkhdr.constant_part + 2;
  l.off_nl = 0;
  l.off_nl_nosnap = 0;
  return b0;
}

Fragment gen_geneve(Codegen& cg, std::optional<uint32_t> vni) {
  require_link_layer(cg);
  Fragment b0 = tunnel_over_ip(cg, TunnelKind::Geneve, false, vni);
  Fragment b1 = tunnel_over_ip(cg, TunnelKind::Geneve, true, vni);
  b0 = gen_or(cg, std::move(b0), std::move(b1));
  Fragment offsets = geneve_offsets(cg);
  Fragment r = gen_and(cg, std::move(b0), std::move(offsets));
  cg.layout().is_geneve = true;
  return r;
}

Fragment gen_vxlan(Codegen& cg, std::optional<uint32_t> vni) {
  require_link_layer(cg);
  Fragment b0 = tunnel_over_ip(cg, TunnelKind::Vxlan, false, vni);
  Fragment b1 = tunnel_over_ip(cg, TunnelKind::Vxlan, true, vni);
  b0 = gen_or(cg, std::move(b0), std::move(b1));
  Fragment offsets = vxlan_offsets(cg);
  Fragment r = gen_and(cg, std::move(b0), std::move(offsets));
  cg.layout().is_vxlan = true;
  return r;
}

Fragment gen_geneve_ll_check(Codegen& cg) {
  // Geneve offsets are purely variable: a link header is present when the
  // link header and the payload start at different places.
  const Layout& l = cg.layout();
  return gen_not(cg.test(kJmp | kJeq | kX, 0,
                         {stmt(kLd | kMem, static_cast<uint32_t>(l.off_linkhdr.reg)),
                          stmt(kLdx | kMem, static_cast<uint32_t>(l.off_linkpl.reg))}));
}

}  // namespace bpfc::lower
