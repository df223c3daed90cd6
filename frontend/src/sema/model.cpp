#include "sema/model.h"

#include "bpfc/cbpf/insn.h"
#include "bpfc/linktype/dlt.h"
#include "bpfc/linktype/linktype.h"
#include "sema/keywords.h"

namespace bpfc::sema {
namespace {

using namespace proto_values;

constexpr int kScratchRegisters = static_cast<int>(cbpf::kMemWords);

std::optional<uint32_t> ip_protocol_of(ast::Proto proto) {
  using P = ast::Proto;
  switch (proto) {
    case P::Ah: return 51;
    case P::Carp: return 112;
    case P::Esp: return 50;
    case P::Icmp: return 1;
    case P::Icmp6: return 58;
    case P::Igmp: return 2;
    case P::Igrp: return 9;
    case P::Pim: return 103;
    case P::Sctp: return 132;
    case P::Tcp: return 6;
    case P::Udp: return 17;
    case P::Vrrp: return 112;
    default: return std::nullopt;
  }
}

std::optional<uint32_t> ethertype_of(ast::Proto proto) {
  using P = ast::Proto;
  switch (proto) {
    case P::Aarp: return 0x80f3;
    case P::Arp: return kEtherArp;
    case P::Atalk: return 0x809b;
    case P::Decnet: return kEtherDecnet;
    case P::Ip: return kEtherIp;
    case P::Ip6: return kEtherIp6;
    case P::Lat: return 0x6004;
    case P::Mopdl: return 0x6001;
    case P::Moprc: return 0x6002;
    case P::Rarp: return kEtherRarp;
    case P::Sca: return 0x6007;
    default: return std::nullopt;
  }
}

std::optional<uint32_t> llc_sap_of(ast::Proto proto) {
  using P = ast::Proto;
  switch (proto) {
    case P::Ipx: return 0xe0;
    case P::Iso: return kLlcIsoNs;
    case P::Netbeui: return 0xf0;
    case P::Stp: return 0x42;
    default: return std::nullopt;
  }
}

std::optional<uint32_t> nlpid_of(ast::Proto proto) {
  using P = ast::Proto;
  switch (proto) {
    case P::Esis: return 0x82;
    case P::Isis: return kNlpidIsis;
    case P::Clnp: return 0x81;
    default: return std::nullopt;
  }
}

// One IS-IS PDU type of each IS-IS abbreviation; the checks do not depend on
// which (all are below the maximum), so one stands for the whole set.
std::optional<uint32_t> isis_pdu_type_of(ast::Proto proto) {
  using P = ast::Proto;
  switch (proto) {
    case P::IsisL1: return 15;
    case P::IsisL2: return 16;
    case P::IsisIih: return 15;
    case P::IsisLsp: return 18;
    case P::IsisSnp: return 24;
    case P::IsisCsnp: return 24;
    case P::IsisPsnp: return 26;
    default: return std::nullopt;
  }
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string invalid_qualifier(std::string_view qualifier, std::string_view context) {
  return quoted(qualifier) + " is not a valid qualifier for " + quoted(context);
}

}  // namespace

bool is_plain_dir(ast::Dir dir) {
  using D = ast::Dir;
  return dir == D::Default || dir == D::Src || dir == D::Dst || dir == D::SrcOrDst || dir == D::SrcAndDst;
}

CodegenModel::CodegenModel(const LowerOptions& options)
    : resolver_(options.resolver ? options.resolver : &empty_resolver()),
      netmask_(options.netmask),
      linux_extensions_(options.linux_extensions()),
      linktype_(options.linktype),
      link_payload_variable_(link_traits(options.linktype).has(kLinkPayloadVariable)) {}

bool CodegenModel::netmask_known() const {
  constexpr uint32_t kNetmaskUnknown = 0xffffffffu;  // PCAP_NETMASK_UNKNOWN
  return netmask_ && *netmask_ != kNetmaskUnknown;
}

void CodegenModel::fail(SourceSpan span, std::string message) const {
  throw SemaError{error_at(span, std::move(message))};
}

void CodegenModel::fail_on_linktype(SourceSpan span, std::string_view keyword) const {
  fail(span, quoted(keyword) + " not supported on " + linktype_display(linktype_));
}

void CodegenModel::check_max(SourceSpan span, std::string_view name, uint32_t value, uint32_t max) const {
  if (value > max)
    fail(span, std::string(name) + " " + std::to_string(value) + " greater than maximum " + std::to_string(max));
}

void CodegenModel::require_link_proto(SourceSpan span, uint32_t ll_proto) const {
  constexpr uint32_t kEtherMtu = 1500;
  if (label_stack_depth_ > 0) {
    if (ll_proto != kEtherIp && ll_proto != kEtherIp6) fail(span, "unsupported protocol over mpls");
    return;
  }
  switch (traits().proto_test) {
    case LinkProtoTest::EtherLike:
      if (ll_proto <= kEtherMtu)
        check_max(span, "LLC DSAP", ll_proto, 0xff);
      else
        check_max(span, "EtherType", ll_proto, 0xffff);
      return;
    case LinkProtoTest::EtherTypeOnly:
      check_max(span, "EtherType", ll_proto, 0xffff);
      return;
    case LinkProtoTest::CiscoHdlc:
      check_max(span, "HDLC protocol", ll_proto, 0xffff);
      return;
    case LinkProtoTest::Ppp:
      check_max(span, "PPP protocol", ll_proto, 0xffff);
      return;
    case LinkProtoTest::Unchecked:
      return;
    case LinkProtoTest::Unsupported:
      fail(span, "link-layer type filtering not implemented for " + linktype_display(linktype_));
  }
}

void CodegenModel::require_proto_abbreviation(SourceSpan span, ast::Proto proto) const {
  using P = ast::Proto;
  switch (proto) {
    case P::Sctp: case P::Tcp: case P::Udp: case P::Ah: case P::Esp: case P::Pim:
      check_proto_value(span, *ip_protocol_of(proto), P::Default);
      return;
    case P::Icmp: case P::Igmp: case P::Igrp: case P::Vrrp: case P::Carp:
      check_proto_value(span, *ip_protocol_of(proto), P::Ip);
      return;
    case P::Icmp6:
      check_proto_value(span, *ip_protocol_of(proto), P::Ip6);
      return;
    case P::Esis: case P::Isis: case P::Clnp:
      check_proto_value(span, *nlpid_of(proto), P::Iso);
      return;
    default:
      break;
  }
  if (auto ethertype = ethertype_of(proto)) return require_link_proto(span, *ethertype);
  if (auto sap = llc_sap_of(proto)) return require_link_proto(span, *sap);
  if (auto pdu_type = isis_pdu_type_of(proto)) return check_proto_value(span, *pdu_type, P::Isis);
  fail(span, quoted(proto_keyword(proto)) + " cannot be used as an abbreviation");
}

void CodegenModel::check_proto_value(SourceSpan span, uint32_t value, ast::Proto proto) const {
  using P = ast::Proto;
  switch (proto) {
    case P::Default:
      check_proto_value(span, value, P::Ip);
      check_proto_value(span, value, P::Ip6);
      return;
    case P::Link:
      require_link_proto(span, value);
      return;
    case P::Ip:
    case P::Ip6:
      check_max(span, "protocol number", value, 0xff);
      require_link_proto(span, proto == P::Ip ? kEtherIp : kEtherIp6);
      return;
    case P::Iso:
      check_max(span, "ISO protocol", value, 0xff);
      if (traits().has(kFrameRelayNlpid)) return;
      require_link_proto(span, traits().has(kCiscoHdlcIso) ? (kLlcIsoNs << 8 | kLlcIsoNs) : kLlcIsoNs);
      return;
    case P::Isis:
      check_max(span, "IS-IS PDU type", value, 0x1f);
      check_proto_value(span, kNlpidIsis, P::Iso);
      return;
    default:
      fail(span, invalid_qualifier(proto_keyword(proto), "proto"));
  }
}

void CodegenModel::check_protochain(SourceSpan span, uint32_t value, ast::Proto proto) {
  using P = ast::Proto;
  allocate_register(span);
  switch (proto) {
    case P::Ip:
    case P::Ip6:
      check_max(span, "protocol number", value, 0xff);
      break;
    case P::Default:
      // libpcap returns here without freeing the register it took.
      check_protochain(span, value, P::Ip);
      check_protochain(span, value, P::Ip6);
      return;
    default:
      fail(span, invalid_qualifier(proto_keyword(proto), "protochain"));
  }
  if (link_payload_variable_) fail(span, "'protochain' not supported with variable length headers");
  require_link_proto(span, proto == P::Ip ? kEtherIp : kEtherIp6);
  free_register();
}

void CodegenModel::check_ipv4_host(SourceSpan span, ast::Proto proto, ast::Dir dir,
                                   std::string_view context) const {
  using P = ast::Proto;
  check_not_wlan_dir(span, dir);
  switch (proto) {
    case P::Default:
      require_link_proto(span, kEtherIp);
      if (label_stack_depth_ == 0) {
        require_link_proto(span, kEtherArp);
        require_link_proto(span, kEtherRarp);
      }
      return;
    case P::Ip: require_link_proto(span, kEtherIp); return;
    case P::Arp: require_link_proto(span, kEtherArp); return;
    case P::Rarp: require_link_proto(span, kEtherRarp); return;
    default: fail(span, invalid_qualifier(proto_keyword(proto), context));
  }
}

void CodegenModel::check_ipv6_host(SourceSpan span, ast::Proto proto, ast::Dir dir,
                                   std::string_view context) const {
  check_not_wlan_dir(span, dir);
  if (proto != ast::Proto::Default && proto != ast::Proto::Ip6)
    fail(span, invalid_qualifier(proto_keyword(proto), context));
  require_link_proto(span, kEtherIp6);
}

void CodegenModel::check_port_proto(SourceSpan span, ast::Proto proto, std::string_view keyword) const {
  using P = ast::Proto;
  if (proto == P::Udp || proto == P::Tcp || proto == P::Sctp || proto == P::Default) return;
  fail(span, invalid_qualifier(proto_keyword(proto), keyword));
}

void CodegenModel::check_port_tests(SourceSpan span, ast::Dir dir, std::string_view keyword) const {
  if (!is_plain_dir(dir)) fail(span, invalid_qualifier(dir_keyword(dir), keyword));
  require_link_proto(span, kEtherIp);
  require_link_proto(span, kEtherIp6);
}

void CodegenModel::check_mac48_host(SourceSpan span, ast::Dir dir, std::string_view keyword) const {
  auto link = traits();
  if (!link.has(kMac48Addresses)) fail_on_linktype(span, keyword);
  if (link.has(kWlanHeader)) return;  // every direction names an 802.11 address
  check_not_wlan_dir(span, dir);
}

void CodegenModel::check_mac8_host(SourceSpan span, std::string_view keyword) const {
  if (!traits().has(kMac8Addresses)) fail_on_linktype(span, keyword);
}

void CodegenModel::check_not_wlan_dir(SourceSpan span, ast::Dir dir) const {
  if (!is_plain_dir(dir)) fail(span, quoted(dir_keyword(dir)) + " is valid for 802.11 syntax only");
}

void CodegenModel::allocate_register(SourceSpan span) {
  if (registers_in_use_ >= kScratchRegisters) fail(span, "too many registers needed to evaluate expression");
  ++registers_in_use_;
}

void CodegenModel::free_register() {
  if (registers_in_use_ > 0) --registers_in_use_;
}

void CodegenModel::enter_pppoe_session() {
  linktype_ = dlt::PPP;
  is_encap_ = false;
}

void CodegenModel::enter_lane() {
  linktype_ = dlt::EN10MB;
  is_encap_ = false;
}

void CodegenModel::enter_encapsulation(SourceSpan span) {
  // Registers for the inner link-type, link-header and payload offsets.
  for (int i = 0; i < 3; ++i) allocate_register(span);
  linktype_ = dlt::EN10MB;
  link_payload_variable_ = true;
  is_encap_ = true;
}

}  // namespace bpfc::sema
