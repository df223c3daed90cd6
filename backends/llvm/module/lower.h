// The IR as LLVM IR: one filter's function and its batch function added to a
// module (native.h states their semantics).
#pragma once

#include <string>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace llvm {
class Module;
}

namespace bpfc::native {

// Adds `symbol` and `symbol`_batch to `module`, whose data layout (set from
// the target machine before) says the target's byte order. The function must be verified
// IR; its loads are checked by lower_filter itself (through
// opt::legalize_bounds_checks, one guard per run of loads). An error for IR a
// native function cannot run: kernel metadata.
Result<bool> lower_filter(const ir::Function& function, const std::string& symbol, llvm::Module& module);

}  // namespace bpfc::native
