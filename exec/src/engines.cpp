// The engine registry: one line per engine.
#include <cstdlib>

#include "bpfc/exec/engine.h"
#include "ebpf/ebpf_engines.h"
#include "interp/interp_engine.h"

namespace bpfc::exec {

bool EngineRegistry::add(Engine engine) {
  if (find(engine.name) != nullptr) return false;
  engines_.push_back(std::move(engine));
  return true;
}

const Engine* EngineRegistry::find(std::string_view name) const {
  for (const Engine& engine : engines_) {
    if (engine.name == name) return &engine;
  }
  return nullptr;
}

const EngineRegistry& engines() {
  static const EngineRegistry registry = [] {
    EngineRegistry built;
    // A duplicate name is a build mistake: stop loudly.
    if (!built.add(interp_engine()) || !built.add(ebpf_interpreter_engine()) || !built.add(kernel_engine())) {
      std::abort();
    }
    return built;
  }();
  return registry;
}

}  // namespace bpfc::exec
