#include "compiler.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include "bpfc/ir/parser.h"
#include "lower.h"
#include "machine.h"

namespace bpfc::native {

LlvmCompiler::LlvmCompiler(const MachineOptions& options, std::unique_ptr<llvm::TargetMachine> machine)
    : options_(options), machine_(std::move(machine)) {}

LlvmCompiler::~LlvmCompiler() = default;

std::unique_ptr<LlvmCompiler> LlvmCompiler::make(const MachineOptions& machine, std::string& problem) {
  auto target = make_target_machine(machine);
  if (!target) {
    problem = target.error().message;
    return nullptr;
  }
  return std::unique_ptr<LlvmCompiler>(new LlvmCompiler(machine, std::move(*target)));
}

bool LlvmCompiler::emit(const std::vector<module::TextFilter>& filters, NativeOutput output, std::string& bytes,
                        std::string& problem) {
  llvm::LLVMContext context;
  llvm::Module module("bpfc", context);
  // The lowering reads the target's byte order from the data layout.
  module.setTargetTriple(machine_->getTargetTriple().str());
  module.setDataLayout(machine_->createDataLayout());
  for (const module::TextFilter& filter : filters) {
    // The text is ir::print's of a verified function: a failure here is
    // bpfc's own mistake.
    auto function = ir::parse(filter.ir_text);
    if (!function) {
      problem = "bpfc's LLVM module cannot read the filter's IR back: " + function.error().message;
      return false;
    }
    auto lowered = lower_filter(*function, std::string(filter.symbol), module);
    if (!lowered) {
      problem = lowered.error().message;
      return false;
    }
  }
  auto made = optimize_and_emit(module, *machine_, options_, output);
  if (!made) {
    problem = made.error().message;
    return false;
  }
  bytes = std::move(*made);
  return true;
}

}  // namespace bpfc::native
