// `broadcast`, `multicast` (link, IPv4, IPv6) and packet direction
// (`inbound` / `outbound`) where the link header records it.
#pragma once

#include "bpfc/frontend/ast.h"
#include "lower_codegen.h"

namespace bpfc::lower {

Fragment gen_broadcast(Codegen& cg, ast::Proto proto);
Fragment gen_multicast(Codegen& cg, ast::Proto proto);
Fragment gen_inbound(Codegen& cg, bool outbound);

}  // namespace bpfc::lower
