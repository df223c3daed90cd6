// The machine native code is made for: LLVM's target machine from a triple and
// CPU, the optimization pipeline, and the module made into text or an object.
#pragma once

#include <memory>
#include <string>

#include "bpfc/llvm/native.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace bpfc::native {

// LLVM's targets for this host (and every one Debian's LLVM has), set up once.
void initialize_llvm();

// The target machine for `machine`: an error for a triple LLVM does not know
// or a CPU the triple has not.
Result<std::unique_ptr<llvm::TargetMachine>> make_target_machine(const MachineOptions& machine);

// LLVM's optimization pipeline at the machine's level, then the module as
// `output`. The module has the machine's triple and data layout already:
// the lowering reads the target's byte order from it.
Result<std::string> optimize_and_emit(llvm::Module& module, llvm::TargetMachine& machine,
                                      const MachineOptions& options, NativeOutput output);

}  // namespace bpfc::native
