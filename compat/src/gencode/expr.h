// Walks the boolean expression in filter-text order (the order libpcap's
// parser generates code in, which matters because encapsulations change the
// layout for everything after them) and composes the fragments.
#pragma once

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment lower_expr(Codegen& cg, const ast::Expr& e);

}  // namespace bpfc::lower
