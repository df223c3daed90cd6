// The checks of each kind of primitive, in the order libpcap's grammar
// actions and code generator make them. `whole` is the primitive's span.
#pragma once

#include "bpfc/frontend/ast.h"
#include "sema/model.h"

namespace bpfc::sema {

// host/net/port/portrange/gateway/proto/protochain with their value.
void check_qualified(CodegenModel& model, const ast::Qualified& primitive, SourceSpan whole);
// `arith relop arith`.
void check_relation(CodegenModel& model, const ast::Relation& relation, SourceSpan whole);

// Link-layer keywords.
void check_broadcast(CodegenModel& model, const ast::Broadcast& primitive, SourceSpan whole);
void check_multicast(CodegenModel& model, const ast::Multicast& primitive, SourceSpan whole);
void check_direction(CodegenModel& model, bool outbound, SourceSpan whole);
void check_ifindex(CodegenModel& model, SourceSpan whole);
void check_llc(CodegenModel& model, const ast::Llc& primitive, SourceSpan whole);
void check_byte(CodegenModel& model, const ast::Byte& primitive, SourceSpan whole);

// Encapsulations, which change the link layer for what follows them.
void check_vlan(CodegenModel& model, const ast::Vlan& primitive, SourceSpan whole);
void check_mpls(CodegenModel& model, const ast::Mpls& primitive, SourceSpan whole);
void check_pppoed(CodegenModel& model, SourceSpan whole);
void check_pppoes(CodegenModel& model, const ast::Pppoes& primitive, SourceSpan whole);
void check_geneve(CodegenModel& model, const ast::Geneve& primitive, SourceSpan whole);
void check_vxlan(CodegenModel& model, const ast::Vxlan& primitive, SourceSpan whole);

// Fields of particular link types.
void check_pflog(CodegenModel& model, const ast::Pflog& primitive, SourceSpan whole);
void check_wlan(CodegenModel& model, const ast::Wlan& primitive, SourceSpan whole);
void check_atm(CodegenModel& model, const ast::Atm& primitive, SourceSpan whole);
void check_mtp(CodegenModel& model, const ast::Mtp& primitive, SourceSpan whole);

}  // namespace bpfc::sema
