// What bpfc's LLVM module (bpfc-llvm.so, built from ../module) offers the
// programs that load it (module_loader.h). The module is the only part of
// bpfc that links LLVM: a program loads it when it first makes native code,
// so that every other run of bpfc starts without mapping and relocating
// libLLVM (some 20 ms of a short job's time).
//
// Both sides are built together from this tree, by one compiler, against one
// libstdc++: the interface is C++ of standard types. Functions cross it as
// IR text (ir::print, read back by ir::parse in the module), so that no
// object of bpfc's own libraries, of which the module has its own copies,
// is shared. kAbiVersion changes with any change here; the entry point
// returns null for a version it does not implement.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/llvm/native.h"
#include "bpfc/llvm/native_jit.h"

namespace bpfc::native::module {

inline constexpr uint32_t kAbiVersion = 1;
// The module's file name, and its one exported symbol: a function of type
// EntryFunction.
inline constexpr std::string_view kFileName = "bpfc-llvm.so";
inline constexpr const char* kEntrySymbol = "bpfc_llvm_module";

// One filter of an object: its symbol (already checked by check_symbol, and
// unique) and its function as IR text.
struct TextFilter {
  std::string_view symbol;
  std::string_view ir_text;
};

// native::Compiler's state in the module: a target machine reused across
// compiles. One thread at a time.
class ModuleCompiler {
 public:
  virtual ~ModuleCompiler() = default;
  // The filters in one module made into `output`; false with `problem` set
  // when they cannot be.
  virtual bool emit(const std::vector<TextFilter>& filters, NativeOutput output, std::string& bytes,
                    std::string& problem) = 0;
};

class Backend {
 public:
  // Null with `problem` set for a triple or CPU LLVM does not know.
  virtual std::unique_ptr<ModuleCompiler> make_compiler(const MachineOptions& machine, std::string& problem) = 0;
  // native_code() and cached_native_code() (native_jit.h) of a function
  // given as text.
  virtual bool jit_code(std::string_view ir_text, const std::string& cache_dir, LoadedCode& loaded,
                        std::string& problem) = 0;
  virtual bool jit_cached_code(std::string_view ir_text, const std::string& cache_dir, NativeCode& code) = 0;

 protected:
  ~Backend() = default;  // the module's, for the life of the process
};

using EntryFunction = Backend* (*)(uint32_t abi_version);

}  // namespace bpfc::native::module
