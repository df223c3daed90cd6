// Filter engines by name: each turns a classic-BPF program into an
// exec::Filter (`bpfc filter --engine=NAME`). The registry is a fixed list
// built by a function (engines.cpp): a new engine is its folder under
// exec/src and one line there.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/exec/filter.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::exec {

struct Engine {
  std::string name;         // as in --engine=NAME: lowercase
  std::string description;  // one line for --help
  // The filter running `program`, which passes libpcap's bpf_validate();
  // an error when this engine cannot run it (a kernel refusing it, say).
  std::function<Result<std::unique_ptr<Filter>>(const cbpf::Program& program)> make;
};

class EngineRegistry {
 public:
  // False, and nothing added, when an engine of that name is already there.
  [[nodiscard]] bool add(Engine engine);
  const Engine* find(std::string_view name) const;
  const std::vector<Engine>& all() const { return engines_; }

 private:
  std::vector<Engine> engines_;
};

// Every engine built into this program, in a fixed order; built on the first
// call and immutable afterwards (thread-safe).
const EngineRegistry& engines();

// The engine bpfc filter uses unless told otherwise: the interpreter.
inline constexpr std::string_view kDefaultEngine = "interp";

}  // namespace bpfc::exec
