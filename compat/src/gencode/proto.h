// Protocol tests: bare protocol keywords, `proto N` and `protochain N`.
#pragma once

#include <cstdint>
#include <string_view>

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

// A bare protocol keyword: `tcp`, `ip6`, `arp`, `l1`...
Fragment gen_proto_abbrev(Codegen& cg, ast::Proto proto);
// `[proto] proto N`: protocol `proto` carries protocol number `v`.
Fragment gen_proto(Codegen& cg, uint32_t v, ast::Proto proto, ast::Dir dir);
// `[ip|ip6] protochain N`: N appears in the chain of IPv6 extension / AH headers.
Fragment gen_protochain(Codegen& cg, uint32_t v, ast::Proto proto);
// A protocol name after `proto` / `protochain`, as the qualifier reads it.
uint32_t lookup_proto(Codegen& cg, std::string_view name, ast::Proto proto);

}  // namespace bpfc::lower
