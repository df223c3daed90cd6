#include "bpfc/exec/engine.h"

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

}  // namespace bpfc::exec
