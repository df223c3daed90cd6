// check_filter(): walks the filter's primitives in source order — the order
// in which libpcap's bottom-up parser runs their actions — through a model of
// libpcap's code generator, and reports the first check that fails.
#include "bpfc/frontend/sema.h"

#include <memory>
#include <string>
#include <utility>

#include "sema/checks.h"
#include "sema/model.h"

namespace bpfc {
namespace {

using namespace sema;

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

void check_expr(CodegenModel& model, const ast::Expr& expr) {
  const SourceSpan whole = expr.span;
  std::visit(
      Overloaded{
          [&](const ast::And& node) { check_expr(model, *node.lhs), check_expr(model, *node.rhs); },
          [&](const ast::Or& node) { check_expr(model, *node.lhs), check_expr(model, *node.rhs); },
          [&](const ast::Not& node) { check_expr(model, *node.operand); },
          [&](const ast::Qualified& node) { check_qualified(model, node, whole); },
          [&](const ast::ProtoOnly& node) { model.require_proto_abbreviation(whole, node.q.proto); },
          [&](const ast::Relation& node) { check_relation(model, node, whole); },
          [&](const ast::Less&) {},
          [&](const ast::Greater&) {},
          [&](const ast::Broadcast& node) { check_broadcast(model, node, whole); },
          [&](const ast::Multicast& node) { check_multicast(model, node, whole); },
          [&](const ast::Inbound&) { check_direction(model, /*outbound=*/false, whole); },
          [&](const ast::Outbound&) { check_direction(model, /*outbound=*/true, whole); },
          [&](const ast::Ifindex&) { check_ifindex(model, whole); },
          [&](const ast::Vlan& node) { check_vlan(model, node, whole); },
          [&](const ast::Mpls& node) { check_mpls(model, node, whole); },
          [&](const ast::Pppoed&) { check_pppoed(model, whole); },
          [&](const ast::Pppoes& node) { check_pppoes(model, node, whole); },
          [&](const ast::Geneve& node) { check_geneve(model, node, whole); },
          [&](const ast::Vxlan& node) { check_vxlan(model, node, whole); },
          [&](const ast::Llc& node) { check_llc(model, node, whole); },
          [&](const ast::Pflog& node) { check_pflog(model, node, whole); },
          [&](const ast::Wlan& node) { check_wlan(model, node, whole); },
          [&](const ast::Atm& node) { check_atm(model, node, whole); },
          [&](const ast::Mtp& node) { check_mtp(model, node, whole); },
          [&](const ast::Byte& node) { check_byte(model, node, whole); },
      },
      expr.node);
}

}  // namespace

std::optional<Diagnostic> check_filter(const ast::Filter& filter, const LowerOptions& options) {
  // libpcap refuses an unknown link type before it reads the filter.
  if (!link_traits(options.linktype).known)
    return error("unknown data link type " + std::to_string(options.linktype));
  if (!filter.expr) return std::nullopt;
  try {
    CodegenModel model(options);
    check_expr(model, *filter.expr);
  } catch (const SemaError& failure) {
    return failure.diagnostic;
  }
  return std::nullopt;
}

Result<ResolvedAst> resolve_filter(ast::Filter filter, const LowerOptions& options) {
  if (options.resolver == nullptr) return error("resolve_filter: no name resolver given");
  auto names = std::make_unique<NameBindings>(*options.resolver);
  LowerOptions binding = options;
  binding.resolver = names.get();
  if (auto problem = check_filter(filter, binding)) return *problem;
  return ResolvedAst{std::move(filter), std::move(names)};
}

}  // namespace bpfc
