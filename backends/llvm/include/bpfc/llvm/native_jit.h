// Native code for IR functions, loaded into this process: LLVM's ORC LLJIT
// behind a cache keyed by the function's text and the code options, kept for
// the life of the process and, when given a directory, on disk, so that a
// filter compiled once is not compiled again (`--jit-cache DIR`). LLVM is
// loaded with bpfc's LLVM module (module.h) at the first call that needs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bpfc/ir/ir.h"
#include "bpfc/llvm/native.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::native {

// A filter's code: both entry points (native.h). Valid until the process
// ends; callable from any thread.
struct NativeCode {
  FilterFunction filter = nullptr;
  BatchFunction batch = nullptr;
};

// How the code was had: compiled by LLVM now, from this process's cache, or
// from the directory's.
enum class CodeSource : uint8_t { Compiled, ProcessCache, DiskCache };

struct LoadedCode {
  NativeCode code;
  CodeSource source = CodeSource::Compiled;
};

// How the JIT has LLVM make code: for this host's CPU, with a short pass
// list and SelectionDAG. The fast instruction selector would halve code
// generation, but its code runs `tcp port 80` about 6 % slower and the long
// host lists 8 % slower (make bench-native), while the median compile with
// SelectionDAG stays within the 5 ms a filter may take to switch over.
inline MachineOptions jit_machine_options() {
  MachineOptions machine;
  machine.cpu = "native";
  machine.short_pipeline = true;
  return machine;
}

// The code for `function`, from a cache or compiled now for this host's CPU.
// Thread-safe; a second caller asking for the same function while it
// compiles waits for it rather than compiling it again. `cache_dir` empty:
// no disk cache. A disk cache that cannot be read or written is passed over
// (the code is compiled); an error only when LLVM cannot make the code or
// bpfc's LLVM module cannot be loaded.
Result<LoadedCode> native_code(const ir::Function& function, const std::string& cache_dir);

// The code for `function` when a cache has it (this process's, or
// `cache_dir`'s, which is loaded then); nullopt when only LLVM could make it.
// Without a directory this never loads LLVM: a job that compiles nothing
// does not pay for it.
std::optional<NativeCode> cached_native_code(const ir::Function& function, const std::string& cache_dir);

}  // namespace bpfc::native
