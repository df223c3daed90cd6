// Encapsulation keywords: vlan, mpls, pppoed, pppoes, geneve, vxlan (gen_vlan,
// gen_mpls, gen_pppoed, gen_pppoes, gen_geneve, gen_vxlan). Each tests the
// outer header, then moves the model inside it for the primitives after it.
#include "sema/checks.h"

namespace bpfc::sema {
namespace {

using namespace proto_values;

// gen_geneve()/gen_vxlan(): a UDP destination-port test over IPv4 and IPv6,
// the VNI, then everything after it is the encapsulated Ethernet frame.
void check_udp_tunnel(CodegenModel& model, std::optional<uint32_t> vni, std::string_view vni_name,
                      SourceSpan whole) {
  model.require_link_proto(whole, kEtherIp);
  if (vni) model.check_max(whole, vni_name, *vni, 0xffffff);
  model.require_link_proto(whole, kEtherIp6);
  model.enter_encapsulation(whole);
}

}  // namespace

void check_vlan(CodegenModel& model, const ast::Vlan& primitive, SourceSpan whole) {
  if (model.inside_mpls()) model.fail(whole, "no VLAN match after MPLS");
  if (!model.traits().has(kVlan)) model.fail_on_linktype(whole, "vlan");
  for (uint32_t tpid : {kEther8021Q, kEther8021AD, kEther8021QinQ}) model.require_link_proto(whole, tpid);
  if (primitive.id) model.check_max(whole, "VLAN tag", *primitive.id, 0x0fff);
}

void check_mpls(CodegenModel& model, const ast::Mpls& primitive, SourceSpan whole) {
  if (!model.inside_mpls()) {
    auto link = model.traits();
    if (!link.has(kMpls)) model.fail_on_linktype(whole, "mpls");
    model.require_link_proto(whole, link.proto_test == LinkProtoTest::Ppp ? kPppMplsUnicast : kEtherMpls);
  }
  if (primitive.label) model.check_max(whole, "MPLS label", *primitive.label, 0xfffff);
  model.enter_mpls();
}

void check_pppoed(CodegenModel& model, SourceSpan whole) {
  model.require_link_proto(whole, kEtherPppoeDiscovery);
}

void check_pppoes(CodegenModel& model, const ast::Pppoes& primitive, SourceSpan whole) {
  model.require_link_proto(whole, kEtherPppoeSession);
  if (primitive.session) model.check_max(whole, "PPPoE session number", *primitive.session, 0xffff);
  model.enter_pppoe_session();
}

void check_geneve(CodegenModel& model, const ast::Geneve& primitive, SourceSpan whole) {
  check_udp_tunnel(model, primitive.vni, "Geneve VNI", whole);
}

void check_vxlan(CodegenModel& model, const ast::Vxlan& primitive, SourceSpan whole) {
  check_udp_tunnel(model, primitive.vni, "VXLAN VNI", whole);
}

}  // namespace bpfc::sema
