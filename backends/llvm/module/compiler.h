// native::Compiler's work, in the module: IR text read back, lowered to LLVM
// IR (lower.h) and made into text or an object (machine.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "module_interface.h"

namespace llvm {
class TargetMachine;
}

namespace bpfc::native {

class LlvmCompiler final : public module::ModuleCompiler {
 public:
  // Null with `problem` set for a triple or CPU LLVM does not know.
  static std::unique_ptr<LlvmCompiler> make(const MachineOptions& machine, std::string& problem);
  ~LlvmCompiler() override;

  bool emit(const std::vector<module::TextFilter>& filters, NativeOutput output, std::string& bytes,
            std::string& problem) override;

 private:
  LlvmCompiler(const MachineOptions& options, std::unique_ptr<llvm::TargetMachine> machine);

  MachineOptions options_;
  std::unique_ptr<llvm::TargetMachine> machine_;
};

}  // namespace bpfc::native
