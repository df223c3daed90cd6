// Structural checks of an ir::Function: topological block order, terminators,
// operand kinds, SSA dominance, phi placement and arity.
#pragma once

#include <optional>
#include <string>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {

struct VerifyOptions {
  // Whether the compile context provides kernel packet metadata (a live
  // Linux socket): Meta values are legal only then.
  bool kernel_metadata = true;
};

// nullopt when the function is well formed; otherwise the first problem found.
std::optional<std::string> verify(const Function& f, const VerifyOptions& options = {});

}  // namespace bpfc::ir
