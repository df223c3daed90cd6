// The module's one exported symbol (module_interface.h): everything else in
// bpfc-llvm.so, bpfc's libraries included, is hidden.
#include <memory>
#include <string>

#include "compiler.h"
#include "jit_session.h"
#include "module_interface.h"

namespace bpfc::native {
namespace {

class LlvmBackend final : public module::Backend {
 public:
  std::unique_ptr<module::ModuleCompiler> make_compiler(const MachineOptions& machine, std::string& problem) override {
    return LlvmCompiler::make(machine, problem);
  }
  bool jit_code(std::string_view ir_text, const std::string& cache_dir, LoadedCode& loaded,
                std::string& problem) override {
    return native::jit_code(ir_text, cache_dir, loaded, problem);
  }
  bool jit_cached_code(std::string_view ir_text, const std::string& cache_dir, NativeCode& code) override {
    return native::jit_cached_code(ir_text, cache_dir, code);
  }
};

}  // namespace
}  // namespace bpfc::native

extern "C" __attribute__((visibility("default"))) bpfc::native::module::Backend* bpfc_llvm_module(
    uint32_t abi_version) {
  // Never destroyed: the loaded code outlives every filter, static ones too.
  static auto* const backend = new bpfc::native::LlvmBackend();
  return abi_version == bpfc::native::module::kAbiVersion ? backend : nullptr;
}
