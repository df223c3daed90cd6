// Finds bpfc's LLVM module and loads it, once per process.
//
// Where it is looked for: the file named by the environment variable
// BPFC_LLVM_MODULE when that is set (and nowhere else then); otherwise
// bpfc-llvm.so beside the running program, then where this build put it.
#pragma once

#include "bpfc/support/diagnostic.h"
#include "module_interface.h"

namespace bpfc::native::module {

// The loaded module's backend; loads it at the first call (thread-safe). An
// error says where the module was looked for and why it could not be used;
// every later call gives the same answer.
Result<Backend*> backend();

// Whether backend() has loaded the module.
bool loaded();

}  // namespace bpfc::native::module
