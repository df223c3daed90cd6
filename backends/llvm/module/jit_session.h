// The module's JIT: native_code() and cached_native_code() (native_jit.h)
// for a function given as ir::print's text.
#pragma once

#include <string>
#include <string_view>

#include "bpfc/llvm/native_jit.h"

namespace bpfc::native {

bool jit_code(std::string_view ir_text, const std::string& cache_dir, LoadedCode& loaded, std::string& problem);
bool jit_cached_code(std::string_view ir_text, const std::string& cache_dir, NativeCode& code);

}  // namespace bpfc::native
