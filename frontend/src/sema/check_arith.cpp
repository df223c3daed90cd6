// Relations between arithmetic expressions (gen_loadi, gen_loadlen,
// gen_load, gen_arth, gen_neg, gen_relation). Each value lives in a scratch
// register until it is consumed. libpcap's division, modulus and shift checks
// look only at the first instruction of the right operand: they fire when the
// leftmost leaf of that operand is a literal (so `len / (0 + 1)` fails too).
#include "bpfc/linktype/dlt.h"
#include "sema/checks.h"
#include "sema/keywords.h"

namespace bpfc::sema {
namespace {

using ast::Proto;
using namespace proto_values;

struct ArithValue {
  std::optional<uint32_t> leading_literal;  // value of the first instruction if it loads a literal
};

void check_packet_access(CodegenModel& model, const ast::PacketAccess& access, SourceSpan span) {
  model.allocate_register(span);
  model.free_register();  // the index's register
  if (access.size != 1 && access.size != 2 && access.size != 4) model.fail(span, "data size must be 1, 2, or 4");
  switch (access.proto) {
    case Proto::Radio:
      if (!model.traits().has(kRadioHeader)) model.fail(span, "radio information not present in capture");
      return;
    case Proto::Link:
      return;
    case Proto::Ip: case Proto::Arp: case Proto::Rarp: case Proto::Atalk: case Proto::Decnet:
    case Proto::Sca: case Proto::Lat: case Proto::Moprc: case Proto::Mopdl: case Proto::Ip6:
      return model.require_proto_abbreviation(span, access.proto);
    case Proto::Sctp: case Proto::Tcp: case Proto::Udp: case Proto::Icmp: case Proto::Igmp:
    case Proto::Igrp: case Proto::Pim: case Proto::Vrrp: case Proto::Carp:
      return model.require_proto_abbreviation(span, Proto::Ip);
    case Proto::Icmp6:
      return model.require_proto_abbreviation(span, Proto::Ip6);
    default:
      model.fail(span, "'" + proto_keyword(access.proto) + "' does not support the index operation");
  }
}

ArithValue check_arith(CodegenModel& model, const ast::Arith& arith) {
  return std::visit(
      [&](const auto& node) -> ArithValue {
        using N = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<N, ast::ArithNumber>) {
          model.allocate_register(arith.span);
          return {node.value};
        } else if constexpr (std::is_same_v<N, ast::ArithLen>) {
          model.allocate_register(arith.span);
          return {};
        } else if constexpr (std::is_same_v<N, ast::PacketAccess>) {
          ArithValue index = check_arith(model, *node.index);
          check_packet_access(model, node, arith.span);
          return index;
        } else if constexpr (std::is_same_v<N, ast::ArithNeg>) {
          return check_arith(model, *node.operand);
        } else {
          static_assert(std::is_same_v<N, ast::ArithBinary>);
          ArithValue lhs = check_arith(model, *node.lhs);
          ArithValue rhs = check_arith(model, *node.rhs);
          if (rhs.leading_literal) {
            using Op = ast::ArithOp;
            if (node.op == Op::Div && *rhs.leading_literal == 0) model.fail(arith.span, "division by zero");
            if (node.op == Op::Mod && *rhs.leading_literal == 0) model.fail(arith.span, "modulus by zero");
            if ((node.op == Op::Shl || node.op == Op::Shr) && *rhs.leading_literal > 31)
              model.fail(arith.span, "shift by more than 31 bits");
          }
          model.free_register();
          model.free_register();
          model.allocate_register(arith.span);
          return lhs;
        }
      },
      arith.node);
}

}  // namespace

void check_relation(CodegenModel& model, const ast::Relation& relation, SourceSpan) {
  check_arith(model, relation.lhs);
  check_arith(model, relation.rhs);
  model.free_register();
  model.free_register();
}

}  // namespace bpfc::sema
