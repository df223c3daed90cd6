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

namespace bpfc::ir {

// For a verified function: nullopt when every load marked `checked` is in
// bounds on every path that reaches it, by the guards ir/README.md
// ("Bounds-check legalization") defines, recognised in the forms
// opt::legalize_bounds_checks writes; otherwise the first load it cannot
// prove, named. What a target whose loads do not trap may rely on.
std::optional<std::string> verify_checked_loads(const Function& f);

}  // namespace bpfc::ir
