// OpenBSD pf's log header (DLT_PFLOG): the interface, ruleset, rule numbers,
// reason and action fields, the direction, and the address family that names
// the payload protocol. The header's length is its first byte, rounded up to
// a multiple of 4: the payload offset is computed at run time.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment gen_pflog(Codegen& cg, const ast::Pflog& pflog);
// `inbound` / `outbound`: the header's direction field.
Fragment gen_pflog_direction(Codegen& cg, bool outbound);
// The payload is `ll_proto` (IPv4 or IPv6, by the address family field).
Fragment gen_pflog_linktype(Codegen& cg, uint32_t ll_proto);
// Statements putting the header length in register `reg` and in X.
std::vector<Stmt> pflog_header_length(int reg);

}  // namespace bpfc::lower
