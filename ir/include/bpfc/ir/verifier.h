// Structural checks of an ir::Function: topological block order, terminators,
// operand kinds, SSA dominance, phi placement and arity.
#pragma once

#include <optional>
#include <string>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {

// nullopt when the function is well formed; otherwise the first problem found.
std::optional<std::string> verify(const Function& f);

}  // namespace bpfc::ir
