// `llc` and its frame-type / subtype forms: 802.2 LLC frames and their
// control field.
#pragma once

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

Fragment gen_llc(Codegen& cg, const ast::Llc& llc);

}  // namespace bpfc::lower
