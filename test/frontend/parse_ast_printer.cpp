#include "parse_ast_printer.h"

#include <cstdio>
#include <sstream>
#include <type_traits>

namespace bpfc::parsetest {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

const char* proto_name(ast::Proto proto, ast::LinkWord word) {
  using P = ast::Proto;
  if (proto == P::Link) {
    switch (word) {
      case ast::LinkWord::Ether: return "ether";
      case ast::LinkWord::Fddi: return "fddi";
      case ast::LinkWord::Tr: return "tr";
      case ast::LinkWord::Wlan: return "wlan";
      case ast::LinkWord::Ppp: return "ppp";
      case ast::LinkWord::Slip: return "slip";
      default: return "link";
    }
  }
  switch (proto) {
    case P::Default: return "-";
    case P::Ip: return "ip";
    case P::Arp: return "arp";
    case P::Rarp: return "rarp";
    case P::Sctp: return "sctp";
    case P::Tcp: return "tcp";
    case P::Udp: return "udp";
    case P::Icmp: return "icmp";
    case P::Igmp: return "igmp";
    case P::Igrp: return "igrp";
    case P::Atalk: return "atalk";
    case P::Decnet: return "decnet";
    case P::Lat: return "lat";
    case P::Sca: return "sca";
    case P::Moprc: return "moprc";
    case P::Mopdl: return "mopdl";
    case P::Ip6: return "ip6";
    case P::Icmp6: return "icmp6";
    case P::Ah: return "ah";
    case P::Esp: return "esp";
    case P::Pim: return "pim";
    case P::Vrrp: return "vrrp";
    case P::Carp: return "carp";
    case P::Aarp: return "aarp";
    case P::Iso: return "iso";
    case P::Esis: return "esis";
    case P::Isis: return "isis";
    case P::Clnp: return "clnp";
    case P::Stp: return "stp";
    case P::Ipx: return "ipx";
    case P::Netbeui: return "netbeui";
    case P::IsisL1: return "l1";
    case P::IsisL2: return "l2";
    case P::IsisIih: return "iih";
    case P::IsisSnp: return "snp";
    case P::IsisCsnp: return "csnp";
    case P::IsisPsnp: return "psnp";
    case P::IsisLsp: return "lsp";
    case P::Radio: return "radio";
    case P::Undef: return "?";
    default: return "link";
  }
}

const char* dir_name(ast::Dir dir) {
  using D = ast::Dir;
  switch (dir) {
    case D::Default: return "-";
    case D::Src: return "src";
    case D::Dst: return "dst";
    case D::SrcOrDst: return "src-or-dst";
    case D::SrcAndDst: return "src-and-dst";
    case D::Addr1: return "addr1";
    case D::Addr2: return "addr2";
    case D::Addr3: return "addr3";
    case D::Addr4: return "addr4";
    case D::Ra: return "ra";
    case D::Ta: return "ta";
    case D::Undef: return "?";
  }
  return "!";
}

const char* type_name(ast::AddrType type) {
  using T = ast::AddrType;
  switch (type) {
    case T::Default: return "-";
    case T::Host: return "host";
    case T::Net: return "net";
    case T::Port: return "port";
    case T::PortRange: return "portrange";
    case T::Gateway: return "gateway";
    case T::Proto: return "proto";
    case T::Protochain: return "protochain";
    case T::Undef: return "?";
  }
  return "!";
}

const char* relop_name(ast::RelOp op) {
  switch (op) {
    case ast::RelOp::Gt: return ">";
    case ast::RelOp::Ge: return ">=";
    case ast::RelOp::Lt: return "<";
    case ast::RelOp::Le: return "<=";
    case ast::RelOp::Eq: return "=";
    case ast::RelOp::Ne: return "!=";
  }
  return "!";
}

const char* arith_op_name(ast::ArithOp op) {
  using A = ast::ArithOp;
  switch (op) {
    case A::Add: return "+";
    case A::Sub: return "-";
    case A::Mul: return "*";
    case A::Div: return "/";
    case A::Mod: return "%";
    case A::And: return "&";
    case A::Or: return "|";
    case A::Xor: return "^";
    case A::Shl: return "<<";
    case A::Shr: return ">>";
  }
  return "!";
}

std::string hex(uint32_t value, int width) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%0*x", width, value);
  return buffer;
}

std::string render_ipv4(const ast::Ipv4& a) {
  return "ip4(" + hex(a.value, 8) + "," + std::to_string(a.components) + ")";
}

std::string render_ipv6(const ast::Ipv6& a) {
  std::string out = "ip6(";
  for (size_t i = 0; i < a.bytes.size(); ++i) out += hex(a.bytes[i], 2);
  return out + ")";
}

std::string optional_number(const char* word, const std::optional<uint32_t>& value) {
  if (!value) return std::string("(") + word + ")";
  return std::string("(") + word + " " + std::to_string(*value) + ")";
}

std::string wlan_value(const std::variant<uint32_t, std::string>& value) {
  if (std::holds_alternative<uint32_t>(value)) return "#" + std::to_string(std::get<uint32_t>(value));
  return std::get<std::string>(value);
}

const char* pflog_field(ast::PflogField field) {
  switch (field) {
    case ast::PflogField::Ifname: return "ifname";
    case ast::PflogField::Rulenum: return "rulenum";
    case ast::PflogField::Reason: return "reason";
    case ast::PflogField::Ruleset: return "ruleset";
    case ast::PflogField::Subrulenum: return "subrulenum";
    case ast::PflogField::Action: return "action";
  }
  return "!";
}

std::string field_value(const std::optional<ast::RelOp>& op, const std::optional<uint32_t>& value) {
  std::string out;
  if (op) out += std::string(" ") + relop_name(*op);
  if (value) out += " " + std::to_string(*value);
  return out;
}

}  // namespace

std::string render(const ast::Value& value) {
  return std::visit(
      Overloaded{
          [](const ast::Number& n) { return "#" + std::to_string(n.value); },
          [](const ast::Name& n) { return (n.escaped ? "\\" : "") + n.text; },
          [](const ast::Ipv4& a) { return render_ipv4(a); },
          [](const ast::Ipv6& a) { return render_ipv6(a); },
          [](const ast::Mac& m) {
            std::string out = "mac(";
            for (uint8_t b : m.bytes) out += hex(b, 2);
            return out + ")";
          },
          [](const ast::NetPrefix& p) {
            const std::string addr = std::holds_alternative<ast::Ipv4>(p.addr)
                                         ? render_ipv4(std::get<ast::Ipv4>(p.addr))
                                         : render_ipv6(std::get<ast::Ipv6>(p.addr));
            return addr + "/" + std::to_string(p.prefix_len);
          },
          [](const ast::NetMask& m) { return render_ipv4(m.addr) + " mask " + render_ipv4(m.mask); },
          [](const ast::Mac8& m) { return "mac8(" + hex(m.address, 2) + ")"; },
      },
      value);
}

std::string render(const ast::Arith& arith) {
  return std::visit(
      Overloaded{
          [](const ast::ArithNumber& n) { return std::to_string(n.value); },
          [](const ast::ArithLen&) { return std::string("len"); },
          [](const ast::PacketAccess& a) {
            return std::string(proto_name(a.proto, a.link_word)) + "[" + render(*a.index) + ":" +
                   std::to_string(a.size) + "]";
          },
          [](const ast::ArithBinary& b) {
            return std::string("(") + arith_op_name(b.op) + " " + render(*b.lhs) + " " + render(*b.rhs) + ")";
          },
          [](const ast::ArithNeg& n) { return "(neg " + render(*n.operand) + ")"; },
      },
      arith.node);
}

std::string render(const ast::Expr& expr) {
  return std::visit(
      Overloaded{
          [](const ast::And& n) { return "(and " + render(*n.lhs) + " " + render(*n.rhs) + ")"; },
          [](const ast::Or& n) { return "(or " + render(*n.lhs) + " " + render(*n.rhs) + ")"; },
          [](const ast::Not& n) { return "(not " + render(*n.operand) + ")"; },
          [](const ast::Qualified& n) {
            return std::string(n.inherited ? "^" : "") + "{" + proto_name(n.q.proto, n.q.link_word) + "/" +
                   dir_name(n.q.dir) + "/" + type_name(n.q.type) + " " + render(n.value) + "}";
          },
          [](const ast::ProtoOnly& n) {
            return std::string("(proto ") + proto_name(n.q.proto, n.q.link_word) + ")";
          },
          [](const ast::Relation& n) {
            return std::string("(") + relop_name(n.op) + " " + render(n.lhs) + " " + render(n.rhs) + ")";
          },
          [](const ast::Less& n) { return "(less " + std::to_string(n.length) + ")"; },
          [](const ast::Greater& n) { return "(greater " + std::to_string(n.length) + ")"; },
          [](const ast::Broadcast& n) {
            return std::string("(broadcast ") + proto_name(n.proto, n.link_word) + ")";
          },
          [](const ast::Multicast& n) {
            return std::string("(multicast ") + proto_name(n.proto, n.link_word) + ")";
          },
          [](const ast::Inbound&) { return std::string("inbound"); },
          [](const ast::Outbound&) { return std::string("outbound"); },
          [](const ast::Ifindex& n) { return "(ifindex " + std::to_string(n.index) + ")"; },
          [](const ast::Vlan& n) { return optional_number("vlan", n.id); },
          [](const ast::Mpls& n) { return optional_number("mpls", n.label); },
          [](const ast::Pppoed&) { return std::string("pppoed"); },
          [](const ast::Pppoes& n) { return optional_number("pppoes", n.session); },
          [](const ast::Geneve& n) { return optional_number("geneve", n.vni); },
          [](const ast::Vxlan& n) { return optional_number("vxlan", n.vni); },
          [](const ast::Llc& n) { return n.subtype ? "(llc " + *n.subtype + ")" : std::string("(llc)"); },
          [](const ast::Pflog& n) {
            std::string out = std::string("(pflog ") + pflog_field(n.field) + " " + n.text;
            if (n.number) out += " #" + std::to_string(*n.number);
            return out + ")";
          },
          [](const ast::Wlan& n) {
            switch (n.field) {
              case ast::WlanField::Type: return "(wlan type " + wlan_value(n.value) + ")";
              case ast::WlanField::Subtype: return "(wlan subtype " + wlan_value(n.value) + ")";
              case ast::WlanField::TypeSubtype:
                return "(wlan type " + wlan_value(n.value) + " subtype " + wlan_value(*n.subtype) + ")";
              case ast::WlanField::Dir: return "(wlan dir " + wlan_value(n.value) + ")";
            }
            return std::string("(wlan !)");
          },
          [](const ast::Atm& n) {
            return "(atm " + std::to_string(static_cast<int>(n.keyword)) + field_value(n.op, n.value) + ")";
          },
          [](const ast::Mtp& n) {
            return "(mtp " + std::to_string(static_cast<int>(n.keyword)) + field_value(n.op, n.value) + ")";
          },
          [](const ast::Byte& n) {
            static const char* const kOps[] = {"=", "<", ">", "&", "|"};
            return "(byte " + std::to_string(n.offset) + " " + kOps[static_cast<int>(n.op)] + " " +
                   std::to_string(n.value) + ")";
          },
      },
      expr.node);
}

}  // namespace bpfc::parsetest
