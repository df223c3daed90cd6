// The JIT's API on this side of the module boundary: the function goes to
// bpfc's LLVM module as IR text, where the caches and LLJIT are.
#include "bpfc/llvm/native_jit.h"

#include "module_loader.h"

namespace bpfc::native {

Result<LoadedCode> native_code(const ir::Function& function, const std::string& cache_dir) {
  auto backend = module::backend();
  if (!backend) return backend.errors();
  LoadedCode loaded;
  std::string problem;
  if (!(*backend)->jit_code(ir::print(function), cache_dir, loaded, problem)) return error(problem);
  return loaded;
}

std::optional<NativeCode> cached_native_code(const ir::Function& function, const std::string& cache_dir) {
  // Without a directory only a JIT already running in this process can have
  // the code, and that needs the module loaded.
  if (cache_dir.empty() && !module::loaded()) return std::nullopt;
  auto backend = module::backend();
  if (!backend) return std::nullopt;
  NativeCode code;
  if (!(*backend)->jit_cached_code(ir::print(function), cache_dir, code)) return std::nullopt;
  return code;
}

}  // namespace bpfc::native
