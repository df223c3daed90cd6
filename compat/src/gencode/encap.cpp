// VLAN, MPLS, PPPoE, Geneve and VXLAN.
#include "gencode/encap.h"

#include <string>

#include "bpfc/ir/kernel_metadata.h"
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

namespace {

// Any of the 802.1Q, 802.1ad and old QinQ tag types in the link-type field.
Fragment gen_vlan_tpid_test(Codegen& cg) {
  Fragment b0 = gen_linktype(cg, ethertype::kVlan);
  b0 = gen_or(cg, std::move(b0), gen_linktype(cg, ethertype::kQinQ8021ad));
  return gen_or(cg, std::move(b0), gen_linktype(cg, ethertype::kQinQ));
}

Fragment gen_vlan_vid_test(Codegen& cg, uint32_t id) {
  check_max(cg, "VLAN tag", id, 0x0fff);
  return gen_mcmp(cg, OffRel::LinkPl, 0, kH, id, 0x0fff);
}

// A load of a field of the kernel's packet metadata (SKF_AD_*).
Stmt load_metadata(ir::MetaKind kind) {
  const ir::AncillaryField field = ir::ancillary_field(kind);
  return stmt(kLd | kAbs | size_field(field.size), ir::kSkfAdOff + field.offset);
}

// libpcap's gen_vlan_vloffset_add: the offset becomes variable (its
// constant part kept) and its register grows by `v` at run time.
void add_to_variable_part(Codegen& cg, AbsOffset& off, uint32_t v, std::vector<Stmt>& s) {
  off.is_variable = true;
  if (off.reg == -1) off.reg = cg.alloc_reg();
  s.push_back(stmt(kLd | kMem, static_cast<uint32_t>(off.reg)));
  s.push_back(stmt(kAlu | kAdd | kK, v));
  s.push_back(stmt(kSt, static_cast<uint32_t>(off.reg)));
}

// `vlan [id]` on a live Linux capture (libpcap's gen_vlan_bpf_extensions):
// the kernel may have taken the outermost tag off the packet into its
// metadata. Where it did, the headers stay where they are and the VLAN ID is
// the metadata's; where it did not, the tag is in the packet, so the payload
// and link-type offsets grow by 4 at run time (variable from here on) before
// the tag-type test. Both tests are built before the offsets change, so that
// they read the outer header.
Fragment gen_vlan_from_metadata(Codegen& cg, std::optional<uint32_t> id) {
  Layout& l = cg.layout();
  Fragment b0 = cg.test(kJmp | kJeq | kK, 1, {load_metadata(ir::MetaKind::VlanTagPresent)});
  Fragment tpid = gen_vlan_tpid_test(cg);
  std::optional<Fragment> vid;
  if (id) vid = gen_vlan_vid_test(cg, *id);

  l.is_vlan_vloffset = true;
  std::vector<Stmt> grow;
  add_to_variable_part(cg, l.off_linkpl, 4, grow);
  add_to_variable_part(cg, l.off_linktype, 4, grow);
  std::vector<Stmt>& first = cg.block(tpid.head).stmts;
  first.insert(first.begin(), grow.begin(), grow.end());
  b0 = gen_or(cg, std::move(b0), std::move(tpid));
  if (!vid) return b0;

  // The VLAN ID from the metadata where the tag is there, else from the
  // packet: libpcap jumps inside the ID test's block past its load, to the
  // mask; here that is a join block holding the mask and the test.
  const int test = vid->head;
  std::vector<Stmt> packet_load(cg.block(test).stmts.begin(), cg.block(test).stmts.end() - 1);
  cg.block(test).stmts.erase(cg.block(test).stmts.begin(), cg.block(test).stmts.end() - 1);
  // The two loads end in a jump whose edges both go to the join: like
  // libpcap's `ja`, which its optimizer counts as a use of A, and a block
  // shape the libpcap optimizer replica handles (it needs two edges).
  const int from_metadata = cg.new_block(kJmp | kJeq | kK, 0, {load_metadata(ir::MetaKind::VlanTci)});
  const int from_packet = cg.new_block(kJmp | kJeq | kK, 0, std::move(packet_load));
  const int present = cg.new_block(kJmp | kJeq | kK, 1, {load_metadata(ir::MetaKind::VlanTagPresent)});
  cg.block(present).jt = from_metadata;
  cg.block(present).jf = from_packet;
  cg.block(from_metadata).jt = cg.block(from_metadata).jf = test;
  cg.block(from_packet).jt = cg.block(from_packet).jf = test;
  vid->head = present;
  return gen_and(cg, std::move(b0), std::move(*vid));
}

}  // namespace

Fragment gen_vlan(Codegen& cg, std::optional<uint32_t> id) {
  Layout& l = cg.layout();
  if (l.label_stack_depth > 0) cg.fail("no VLAN match after MPLS");
  // 802.11 carries tags after SNAP; PPI is refused, as libpcap does.
  const bool wlan = is_wlan_link(l) && l.linktype != dlt::kPpi;
  if (!is_ethernet_link(l) && !wlan) {
    require_link_layer(cg);
    cg.fail("no VLAN support for " + link_description(l.linktype));
  }
  // On a live Linux capture the outermost Ethernet tag may be in the
  // kernel's packet metadata.
  if (l.linktype == dlt::kEn10mb && cg.options().linux_extensions() && l.vlan_stack_depth == 0 && !l.off_linkhdr.is_variable &&
      l.off_linkhdr.constant_part == l.off_outermostlinkhdr.constant_part) {
    Fragment b0 = gen_vlan_from_metadata(cg, id);
    l.vlan_stack_depth++;
    return b0;
  }
  Fragment b0 = gen_vlan_tpid_test(cg);
  if (id) b0 = gen_and(cg, std::move(b0), gen_vlan_vid_test(cg, *id));
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
  } else if (is_ethernet_link(l) || is_cisco_hdlc_link(l)) {
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
