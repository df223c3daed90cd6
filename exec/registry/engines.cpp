// The engine registry: one line per engine.
#include <cstdlib>

#include "bpfc/exec/engine.h"
#include "ebpf/ebpf_engines.h"
#include "interp/interp_engine.h"
#include "jit_engines.h"

namespace bpfc::exec {

const EngineRegistry& engines() {
  static const EngineRegistry registry = [] {
    EngineRegistry built;
    // A duplicate name is a build mistake: stop loudly.
    if (!built.add(auto_engine()) || !built.add(interp_engine()) || !built.add(jit_engine()) ||
        !built.add(ebpf_interpreter_engine()) || !built.add(kernel_engine())) {
      std::abort();
    }
    return built;
  }();
  return registry;
}

}  // namespace bpfc::exec
