// The `llvm` target: native code through LLVM, as LLVM IR, assembly, an
// object file a C or C++ program links, or the C header declaring it.
#pragma once

#include "bpfc/driver/target.h"

namespace bpfc::native {

void register_target(driver::TargetRegistry& registry);

}  // namespace bpfc::native
