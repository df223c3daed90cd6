// Checked AST -> IR, with libpcap's gencode semantics for the link type.
// Names are asked of options.resolver as lowering meets them; the compile
// pipeline lowers a resolved AST through bpfc/compat/libpcap.h instead.
#pragma once

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/lower_options.h"
#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

// Lowers a filter that check_filter() (bpfc/frontend/sema.h) accepted. May
// still fail for constructs it cannot lower, with a message naming the
// construct.
Result<ir::Function> lower_filter(const ast::Filter& filter, const LowerOptions& options);

}  // namespace bpfc
