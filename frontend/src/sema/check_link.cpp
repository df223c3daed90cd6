// Link-layer keywords: broadcast, multicast, inbound/outbound, ifindex, llc
// and byte (gen_broadcast, gen_multicast, gen_inbound_outbound, gen_ifindex,
// gen_llc*, gen_byteop). Packet direction and interface index come from the
// packet data on a few link types, and elsewhere only from Linux's packet
// metadata, which a filter can read only when compiled for a live capture.
#include "sema/checks.h"
#include "sema/keywords.h"
#include "sema/names.h"

#include "bpfc/linktype/linktype.h"

namespace bpfc::sema {
namespace {

using ast::Proto;
using namespace proto_values;

std::string invalid_qualifier(Proto proto, std::string_view context) {
  return "'" + proto_keyword(proto) + "' is not a valid qualifier for '" + std::string(context) + "'";
}

[[noreturn]] void fail_not_live(const CodegenModel& model, SourceSpan span, std::string_view keyword) {
  model.fail(span, "not a live capture, '" + std::string(keyword) + "' not supported on " +
                       linktype_display(model.linktype()));
}

}  // namespace

void check_broadcast(CodegenModel& model, const ast::Broadcast& primitive, SourceSpan whole) {
  switch (primitive.proto) {
    case Proto::Default:
    case Proto::Link:
      if (model.traits().has(kMac8Addresses)) return model.check_mac8_host(whole, "broadcast");
      return model.check_mac48_host(whole, ast::Dir::Dst, "broadcast");
    case Proto::Ip:
      if (!model.netmask_known()) model.fail(whole, "netmask not known, so 'ip broadcast' not supported");
      return model.require_link_proto(whole, kEtherIp);
    default:
      model.fail(whole, invalid_qualifier(primitive.proto, "broadcast"));
  }
}

void check_multicast(CodegenModel& model, const ast::Multicast& primitive, SourceSpan whole) {
  switch (primitive.proto) {
    case Proto::Default:
    case Proto::Link:
      if (!model.traits().has(kMulticast)) model.fail_on_linktype(whole, "multicast");
      return;
    case Proto::Ip:
      return model.require_link_proto(whole, kEtherIp);
    case Proto::Ip6:
      return model.require_link_proto(whole, kEtherIp6);
    default:
      model.fail(whole, invalid_qualifier(primitive.proto, "multicast"));
  }
}

void check_direction(CodegenModel& model, bool outbound, SourceSpan whole) {
  if (!model.traits().has(kDirectionField) && !model.linux_extensions())
    fail_not_live(model, whole, outbound ? "outbound" : "inbound");
}

void check_ifindex(CodegenModel& model, SourceSpan whole) {
  if (!model.traits().has(kIfindexField) && !model.linux_extensions())
    fail_not_live(model, whole, "ifindex");
}

void check_llc(CodegenModel& model, const ast::Llc& primitive, SourceSpan whole) {
  if (primitive.subtype && !llc_kind_by_name(*primitive.subtype))
    model.fail(whole, "unknown LLC type name \"" + *primitive.subtype + "\"");
  if (!model.traits().has(kLlc)) model.fail_on_linktype(whole, "llc");
}

void check_byte(CodegenModel& model, const ast::Byte& primitive, SourceSpan whole) {
  model.check_max(whole, "byte argument", primitive.value, 0xff);
}

}  // namespace bpfc::sema
