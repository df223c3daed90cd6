// `broadcast`, `multicast` (link, IPv4, IPv6), packet direction (`inbound` /
// `outbound`) and `ifindex`, where the link header records them.
#pragma once

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment gen_broadcast(Codegen& cg, ast::Proto proto);
Fragment gen_multicast(Codegen& cg, ast::Proto proto);
Fragment gen_inbound(Codegen& cg, bool outbound);
Fragment gen_ifindex(Codegen& cg, uint32_t index);

}  // namespace bpfc::lower
