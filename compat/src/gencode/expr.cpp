// Boolean structure and primitive dispatch.
#include "gencode/expr.h"

#include <string>

#include "gencode/arith.h"
#include "gencode/atm.h"
#include "gencode/broadcast.h"
#include "gencode/encap.h"
#include "gencode/linklayer.h"
#include "gencode/llc.h"
#include "gencode/pflog.h"
#include "gencode/primitive.h"
#include "gencode/proto.h"
#include "gencode/ss7.h"
#include "gencode/wlan.h"

namespace bpfc::lower {

namespace {

Fragment lower_proto_only(Codegen& cg, const ast::ProtoOnly& p) {
  // Qualifiers alone only make sense as a protocol keyword.
  if (p.q.proto == ast::Proto::Default || p.q.proto == ast::Proto::Undef ||
      p.q.type != ast::AddrType::Default || p.q.dir != ast::Dir::Default) {
    cg.fail("syntax error in filter expression");
  }
  return gen_proto_abbrev(cg, p.q.proto);
}

const ast::Expr& operand(Codegen& cg, const ast::ExprPtr& e) {
  if (!e) cg.fail("syntax error in filter expression");
  return *e;
}

}  // namespace

Fragment lower_expr(Codegen& cg, const ast::Expr& e) {
  return std::visit(
      [&](const auto& n) -> Fragment {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::And>) {
          Fragment lhs = lower_expr(cg, operand(cg, n.lhs));
          return gen_and(cg, std::move(lhs), lower_expr(cg, operand(cg, n.rhs)));
        } else if constexpr (std::is_same_v<T, ast::Or>) {
          Fragment lhs = lower_expr(cg, operand(cg, n.lhs));
          return gen_or(cg, std::move(lhs), lower_expr(cg, operand(cg, n.rhs)));
        } else if constexpr (std::is_same_v<T, ast::Not>) {
          return gen_not(lower_expr(cg, operand(cg, n.operand)));
        } else {
          cg.set_span(e.span);
          if constexpr (std::is_same_v<T, ast::Qualified>) {
            return lower_qualified(cg, n);
          } else if constexpr (std::is_same_v<T, ast::ProtoOnly>) {
            return lower_proto_only(cg, n);
          } else if constexpr (std::is_same_v<T, ast::Relation>) {
            return gen_relation(cg, n);
          } else if constexpr (std::is_same_v<T, ast::Less>) {
            return gen_less(cg, n.length);
          } else if constexpr (std::is_same_v<T, ast::Greater>) {
            return gen_greater(cg, n.length);
          } else if constexpr (std::is_same_v<T, ast::Broadcast>) {
            return gen_broadcast(cg, n.proto);
          } else if constexpr (std::is_same_v<T, ast::Multicast>) {
            return gen_multicast(cg, n.proto);
          } else if constexpr (std::is_same_v<T, ast::Inbound>) {
            return gen_inbound(cg, false);
          } else if constexpr (std::is_same_v<T, ast::Outbound>) {
            return gen_inbound(cg, true);
          } else if constexpr (std::is_same_v<T, ast::Ifindex>) {
            return gen_ifindex(cg, n.index);
          } else if constexpr (std::is_same_v<T, ast::Vlan>) {
            return gen_vlan(cg, n.id);
          } else if constexpr (std::is_same_v<T, ast::Mpls>) {
            return gen_mpls(cg, n.label);
          } else if constexpr (std::is_same_v<T, ast::Pppoed>) {
            return gen_pppoed(cg);
          } else if constexpr (std::is_same_v<T, ast::Pppoes>) {
            return gen_pppoes(cg, n.session);
          } else if constexpr (std::is_same_v<T, ast::Geneve>) {
            return gen_geneve(cg, n.vni);
          } else if constexpr (std::is_same_v<T, ast::Vxlan>) {
            return gen_vxlan(cg, n.vni);
          } else if constexpr (std::is_same_v<T, ast::Byte>) {
            return gen_byteop(cg, n);
          } else if constexpr (std::is_same_v<T, ast::Llc>) {
            return gen_llc(cg, n);
          } else if constexpr (std::is_same_v<T, ast::Wlan>) {
            return gen_wlan(cg, n);
          } else if constexpr (std::is_same_v<T, ast::Pflog>) {
            return gen_pflog(cg, n);
          } else if constexpr (std::is_same_v<T, ast::Mtp>) {
            return gen_mtp(cg, n);
          } else {
            static_assert(std::is_same_v<T, ast::Atm>);
            return gen_atm(cg, n);
          }
        }
      },
      e.node);
}

}  // namespace bpfc::lower
