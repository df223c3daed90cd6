// Qualified primitives: a value (number, IPv4/IPv6 address or prefix, MAC
// address, name) after host/net/port/portrange/gateway/proto/protochain and a
// protocol and direction. The grammar first rejects address forms after
// port/portrange/proto/protochain; then the code generator checks the
// qualifiers against the value and the link type, resolving names on the way
// (gen_ncode, gen_mcode, gen_mcode6, gen_ecode, gen_acode, gen_scode).
#include <string>

#include "sema/checks.h"
#include "sema/keywords.h"
#include "sema/names.h"
#include "sema/numbers.h"

namespace bpfc::sema {
namespace {

using ast::AddrType;
using ast::Proto;
using namespace proto_values;

constexpr size_t kMaxAddressesPerFamily = 100;

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string invalid_qualifier(std::string_view qualifier, std::string_view context) {
  return quoted(qualifier) + " is not a valid qualifier for " + quoted(context);
}

struct Spans {
  SourceSpan whole;
  SourceSpan value;
};

// The grammar's own check: port, portrange, proto and protochain do not take
// an address (`what` names the address form in the message).
void check_address_after_type(const CodegenModel& model, const ast::Qualifiers& q, Spans spans,
                              std::string_view what) {
  std::string keyword;
  switch (q.type) {
    case AddrType::Port: keyword = "port"; break;
    case AddrType::PortRange: keyword = "portrange"; break;
    case AddrType::Proto: keyword = "proto"; break;
    case AddrType::Protochain: keyword = "protochain"; break;
    default: return;
  }
  // (libpcap's message for `proto ADDR6/LEN` ends with a stray space; ours
  // does not.)
  model.fail(spans.whole, quoted(keyword) + " qualifier applied to " + std::string(what));
}

// A name or address that would be a DECnet host: only `decnet [host] A.N`.
void check_decnet_host(const CodegenModel& model, const ast::Qualifiers& q, Spans spans,
                       std::optional<std::string_view> text, uint32_t number) {
  model.check_not_wlan_dir(spans.whole, q.dir);
  if (q.type != AddrType::Default && q.type != AddrType::Host)
    model.fail(spans.whole, invalid_qualifier("decnet", type_keyword(q.type)));
  if (!text) model.fail(spans.value, "invalid DECnet address '" + std::to_string(number) + "'");
  if (!parse_decnet_address(*text)) model.fail(spans.value, "invalid DECnet address '" + std::string(*text) + "'");
  model.require_link_proto(spans.whole, kEtherDecnet);
}

// DECnet knows no names, prefixes or masks.
void reject_decnet(const CodegenModel& model, const ast::Qualifiers& q, Spans spans) {
  if (q.proto == Proto::Decnet)
    model.fail(spans.whole,
               invalid_qualifier("decnet", type_keyword(q.type == AddrType::Default ? AddrType::Host : q.type)));
}

std::optional<PackedIpv4> ipv4_components(const ast::Ipv4& address) {
  if (!address.text.empty()) return parse_packed_ipv4(address.text);
  if (address.components <= 0) return std::nullopt;
  return PackedIpv4{address.value, address.components * 8};
}

// ---- numbers and IPv4 addresses (gen_ncode) -------------------------------

void check_number_value(CodegenModel& model, const ast::Qualifiers& q, uint32_t value, Spans spans) {
  if (q.proto == Proto::Decnet) return check_decnet_host(model, q, spans, std::nullopt, value);
  std::string idstr = std::to_string(value);
  switch (q.type) {
    case AddrType::Default:
    case AddrType::Host:
    case AddrType::Net:
      if (q.proto == Proto::Link) model.fail(spans.value, "illegal link-layer address '" + idstr + "'");
      model.check_ipv4_host(spans.whole, q.proto, q.dir,
                            q.type == AddrType::Net ? "net <IPv4 address>" : "host <IPv4 address>");
      return;
    case AddrType::Port:
    case AddrType::PortRange:
      model.check_port_proto(spans.whole, q.proto, type_keyword(q.type));
      model.check_max(spans.value, "port number", value, 0xffff);
      model.check_port_tests(spans.whole, q.dir, type_keyword(q.type));
      return;
    case AddrType::Proto:
      model.check_proto_value(spans.whole, value, q.proto);
      return;
    case AddrType::Protochain:
      model.check_protochain(spans.whole, value, q.proto);
      return;
    case AddrType::Undef:
      model.fail(spans.whole, "syntax error in filter expression");
    case AddrType::Gateway:
      model.fail(spans.whole, invalid_qualifier(type_keyword(q.type), idstr));
  }
}

void check_ipv4_value(CodegenModel& model, const ast::Qualifiers& q, const ast::Ipv4& address, Spans spans) {
  check_address_after_type(model, q, spans, "IPv4 address");
  if (q.proto == Proto::Decnet) return check_decnet_host(model, q, spans, address.text, 0);
  if (!ipv4_components(address)) model.fail(spans.value, "invalid IPv4 address '" + address.text + "'");
  switch (q.type) {
    case AddrType::Default:
    case AddrType::Host:
    case AddrType::Net:
      if (q.proto == Proto::Link) model.fail(spans.value, "illegal link-layer address '" + address.text + "'");
      model.check_ipv4_host(spans.whole, q.proto, q.dir,
                            q.type == AddrType::Net ? "net <IPv4 address>" : "host <IPv4 address>");
      return;
    case AddrType::Undef:
      model.fail(spans.whole, "syntax error in filter expression");
    default:
      model.fail(spans.whole, invalid_qualifier(type_keyword(q.type), address.text));
  }
}

// ---- IPv4 networks (gen_mcode) ----------------------------------------------

void check_ipv4_network(CodegenModel& model, const ast::Qualifiers& q, const ast::Ipv4& address,
                        const ast::Ipv4* mask, uint32_t prefix_len, Spans spans) {
  reject_decnet(model, q, spans);
  auto net = ipv4_components(address);
  if (!net) model.fail(spans.value, "invalid IPv4 address '" + address.text + "'");
  uint32_t n = net->bits >= 32 ? net->value : net->value << (32 - net->bits);
  uint32_t m = 0;
  std::string idstr;
  if (mask) {
    auto packed = ipv4_components(*mask);
    if (!packed) model.fail(spans.value, "invalid IPv4 address '" + mask->text + "'");
    m = packed->bits >= 32 ? packed->value : packed->value << (32 - packed->bits);
    idstr = address.text + " mask " + mask->text;
  } else {
    model.check_max(spans.value, "netmask length", prefix_len, 32);
    m = static_cast<uint32_t>(uint64_t{0xffffffffu} << (32 - prefix_len));
    idstr = address.text + "/" + std::to_string(prefix_len);
  }
  if ((n & ~m) != 0) model.fail(spans.value, "non-network bits set in \"" + idstr + "\"");
  if (q.type == AddrType::Net) return model.check_ipv4_host(spans.whole, q.proto, q.dir, "net <IPv4 prefix>");
  model.fail(spans.whole, invalid_qualifier(type_keyword(q.type), idstr));
}

// ---- IPv6 addresses and networks (gen_mcode6) -------------------------------

void check_ipv6_network(CodegenModel& model, const ast::Qualifiers& q, const ast::Ipv6& address,
                        uint32_t prefix_len, Spans spans) {
  if (prefix_len > 128) model.fail(spans.value, "mask length must be <= 128");
  for (uint32_t bit = prefix_len; bit < 128; ++bit)
    if (address.bytes[bit / 8] & (0x80 >> (bit % 8)))
      model.fail(spans.value,
                 "non-network bits set in \"" + address.text + "/" + std::to_string(prefix_len) + "\"");
  std::string with_len = address.text + "/" + std::to_string(prefix_len);
  switch (q.type) {
    case AddrType::Default:
    case AddrType::Host:
      if (prefix_len != 128) model.fail(spans.whole, invalid_qualifier("host", with_len));
      [[fallthrough]];
    case AddrType::Net:
      model.check_ipv6_host(spans.whole, q.proto, q.dir,
                            q.type == AddrType::Host ? "host <IPv6 address>" : "net <IPv6 prefix>");
      return;
    default:
      model.fail(spans.whole, invalid_qualifier(type_keyword(q.type), prefix_len == 128 ? address.text : with_len));
  }
}

// ---- link-layer addresses (gen_ecode, gen_acode) -----------------------------

void check_mac48_value(CodegenModel& model, const ast::Qualifiers& q, Spans spans) {
  constexpr std::string_view kContext = "link host XX:XX:XX:XX:XX:XX";
  if (!((q.type == AddrType::Host || q.type == AddrType::Default) && q.proto == Proto::Link))
    model.fail(spans.whole, "Ethernet address used in non-ether expression");
  model.check_mac48_host(spans.whole, q.dir, kContext);
}

void check_mac8_value(CodegenModel& model, const ast::Qualifiers& q, Spans spans) {
  model.check_not_wlan_dir(spans.whole, q.dir);
  if (q.type != AddrType::Host && q.type != AddrType::Default)
    model.fail(spans.whole, invalid_qualifier(type_keyword(q.type), "$XX"));
  if (q.proto != Proto::Link) model.fail(spans.whole, "'link' is the only valid proto qualifier for 'host $XX'");
  model.check_mac8_host(spans.whole, "link host $XX");
}

// ---- names (gen_scode) ------------------------------------------------------

void check_mac48_name(CodegenModel& model, std::string_view name, ast::Dir dir, std::string_view context,
                      Spans spans) {
  if (!model.traits().has(kMac48Addresses)) model.fail_on_linktype(spans.whole, context);
  if (!model.resolver().ether(name))
    model.fail(spans.value, "unknown Ethernet-like host '" + std::string(name) + "'");
  model.check_mac48_host(spans.whole, dir, context);
}

// gen_host46_byname(): the name's IPv4 addresses under `proto4`, its IPv6
// addresses under `proto6`.
void check_host_name(CodegenModel& model, std::string_view name, Proto proto4, Proto proto6, ast::Dir dir,
                     Spans spans) {
  constexpr std::string_view kContext = "host <Internet hostname>";
  auto v4 = model.resolver().host_ipv4(name);
  auto v6 = model.resolver().host_ipv6(name);
  if (v4.empty() && v6.empty()) model.fail(spans.value, "unknown host '" + std::string(name) + "'");
  bool tested = false;
  if (proto4 != Proto::Ip6 && !v4.empty()) {
    if (v4.size() > kMaxAddressesPerFamily) model.fail(spans.value, "More than 100 IPv4 addresses per name");
    model.check_ipv4_host(spans.whole, proto4, dir, kContext);
    tested = true;
  }
  if (proto6 != Proto::Arp && proto6 != Proto::Ip && proto6 != Proto::Rarp && !v6.empty()) {
    if (v6.size() > kMaxAddressesPerFamily) model.fail(spans.value, "More than 100 IPv6 addresses per name");
    model.check_ipv6_host(spans.whole, proto6, dir, kContext);
    tested = true;
  }
  if (!tested)
    model.fail(spans.value, "unknown host '" + std::string(name) + "'" +
                                (proto4 == Proto::Default ? "" : " for specified address family"));
}

// The transport protocol a qualifier asks for must agree with the one the
// services database gives the name (`tcp port domain` is fine, `udp port
// smtp` is not).
void check_port_protocol_agrees(const CodegenModel& model, Proto qualifier, std::optional<uint8_t> named,
                                std::string_view what, Spans spans) {
  constexpr uint8_t kTcp = 6, kUdp = 17;
  if (!named) return;
  bool clash = (qualifier == Proto::Udp && *named == kTcp) || (qualifier == Proto::Tcp && *named == kUdp) ||
               qualifier == Proto::Sctp;
  if (clash) model.fail(spans.value, std::string(what) + (*named == kTcp ? " is tcp" : " is udp"));
}

// stringtoport(): a number (any protocol) or a service name.
struct RangeEnd {
  uint32_t port;
  std::optional<uint8_t> ip_proto;
};
RangeEnd port_range_end(const CodegenModel& model, std::string_view text, Spans spans) {
  auto number = parse_lex_number(text);
  if (number.status == LexNumber::Status::Ok) return {number.value, std::nullopt};
  if (number.status == LexNumber::Status::Overflow) model.fail(spans.value, number.overflow_message);
  auto named = lookup_port_name(text, model.resolver());
  if (!named) model.fail(spans.value, "'" + std::string(text) + "' is not a valid port");
  return {named->port, named->ip_proto};
}

void check_port_range_name(CodegenModel& model, const ast::Qualifiers& q, std::string_view name, Spans spans) {
  std::string quoted_name = quoted(name);
  size_t hyphen = name.find('-');
  if (hyphen == std::string_view::npos) model.fail(spans.value, "port range " + quoted_name + " contains no hyphen");
  if (name.find('-', hyphen + 1) != std::string_view::npos)
    model.fail(spans.value, "port range " + quoted_name + " contains more than one hyphen");
  if (hyphen == 0) model.fail(spans.value, "port range " + quoted_name + " has no starting port");
  auto first = port_range_end(model, name.substr(0, hyphen), spans);
  if (hyphen + 1 == name.size()) model.fail(spans.value, "port range " + quoted_name + " has no ending port");
  auto second = port_range_end(model, name.substr(hyphen + 1), spans);
  auto ip_proto = first.ip_proto == second.ip_proto ? first.ip_proto : std::nullopt;
  check_port_protocol_agrees(model, q.proto, ip_proto, "port in range " + quoted_name, spans);
  model.check_max(spans.value, "port number", first.port, 0xffff);
  model.check_max(spans.value, "port number", second.port, 0xffff);
  model.check_port_tests(spans.whole, q.dir, "portrange");
}

uint32_t proto_name_value(const CodegenModel& model, const ast::Qualifiers& q, std::string_view name, Spans spans) {
  if (auto value = lookup_proto_name(q.proto, name, model.resolver())) return *value;
  std::string what = q.proto == Proto::Default ? type_keyword(q.type)
                                               : proto_keyword(q.proto) + " " + type_keyword(q.type);
  model.fail(spans.value, "unknown '" + what + "' value '" + std::string(name) + "'");
}

void check_name_value(CodegenModel& model, const ast::Qualifiers& q, std::string_view name, Spans spans) {
  reject_decnet(model, q, spans);
  switch (q.type) {
    case AddrType::Net:
      if (!lookup_network_name(name, model.resolver()))
        model.fail(spans.value, "unknown network '" + std::string(name) + "'");
      model.check_ipv4_host(spans.whole, q.proto, q.dir, "net <IPv4 network name>");
      return;
    case AddrType::Default:
    case AddrType::Host:
      if (q.proto == Proto::Link) return check_mac48_name(model, name, q.dir, "link host NAME", spans);
      return check_host_name(model, name, q.proto, q.proto, q.dir, spans);
    case AddrType::Port: {
      model.check_port_proto(spans.whole, q.proto, "port");
      auto named = lookup_port_name(name, model.resolver());
      if (!named) model.fail(spans.value, "unknown port '" + std::string(name) + "'");
      check_port_protocol_agrees(model, q.proto, named->ip_proto, "port " + quoted(name), spans);
      model.check_port_tests(spans.whole, q.dir, "port");
      return;
    }
    case AddrType::PortRange:
      model.check_port_proto(spans.whole, q.proto, "portrange");
      return check_port_range_name(model, q, name, spans);
    case AddrType::Gateway:
      if (q.proto != Proto::Default && q.proto != Proto::Ip && q.proto != Proto::Arp && q.proto != Proto::Rarp)
        model.fail(spans.whole, invalid_qualifier(proto_keyword(q.proto), "gateway"));
      if (model.inside_mpls()) model.fail(spans.whole, "'gateway' cannot be used within MPLS");
      if (model.inside_encapsulation()) model.fail(spans.whole, "'gateway' cannot be used within VXLAN or Geneve");
      check_mac48_name(model, name, ast::Dir::SrcOrDst, "gateway", spans);
      return check_host_name(model, name, q.proto, Proto::Ip, ast::Dir::SrcOrDst, spans);
    case AddrType::Proto:
      return model.check_proto_value(spans.whole, proto_name_value(model, q, name, spans), q.proto);
    case AddrType::Protochain:
      return model.check_protochain(spans.whole, proto_name_value(model, q, name, spans), q.proto);
    case AddrType::Undef:
      model.fail(spans.whole, "syntax error in filter expression");
  }
}

}  // namespace

void check_qualified(CodegenModel& model, const ast::Qualified& primitive, SourceSpan whole) {
  const ast::Qualifiers& q = primitive.q;
  Spans spans{whole, primitive.value_span};
  std::visit(
      [&](const auto& value) {
        using V = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<V, ast::Number>) {
          check_number_value(model, q, value.value, spans);
        } else if constexpr (std::is_same_v<V, ast::Ipv4>) {
          check_ipv4_value(model, q, value, spans);
        } else if constexpr (std::is_same_v<V, ast::Ipv6>) {
          check_address_after_type(model, q, spans, "IPv6 address");
          check_ipv6_network(model, q, value, 128, spans);
        } else if constexpr (std::is_same_v<V, ast::NetPrefix>) {
          if (const auto* v4 = std::get_if<ast::Ipv4>(&value.addr)) {
            check_address_after_type(model, q, spans, "IPv4 address and prefix length");
            check_ipv4_network(model, q, *v4, nullptr, value.prefix_len, spans);
          } else {
            check_address_after_type(model, q, spans, "IPv6 address and prefix length");
            check_ipv6_network(model, q, std::get<ast::Ipv6>(value.addr), value.prefix_len, spans);
          }
        } else if constexpr (std::is_same_v<V, ast::NetMask>) {
          check_address_after_type(model, q, spans, "IPv4 address and netmask");
          check_ipv4_network(model, q, value.addr, &value.mask, 0, spans);
        } else if constexpr (std::is_same_v<V, ast::Mac>) {
          check_mac48_value(model, q, spans);
        } else if constexpr (std::is_same_v<V, ast::Mac8>) {
          check_mac8_value(model, q, spans);
        } else {
          static_assert(std::is_same_v<V, ast::Name>);
          check_name_value(model, q, value.text, spans);
        }
      },
      primitive.value);
}

}  // namespace bpfc::sema
