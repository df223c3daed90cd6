// Filter engines by name: each turns a classic-BPF program, or an eBPF one,
// into an exec::Filter (`bpfc filter --engine=NAME`, `bpfc run`). The registry is a fixed list
// built by a function (engines.cpp): a new engine is its folder under
// exec/src and one line there.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/ebpf/insn.h"
#include "bpfc/exec/filter.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::exec {

// The program an engine runs: the classic one, or an eBPF socket filter
// compiled from the same IR (its return value is the classic program's).
enum class EngineInput : uint8_t { Classic, EbpfSocketFilter };

struct Engine {
  std::string name;         // as in --engine=NAME: lowercase
  std::string description;  // one line for --help
  EngineInput input = EngineInput::Classic;
  // Classic engines: the filter running `program`, which passes libpcap's
  // bpf_validate(); an error when this engine cannot run it.
  std::function<Result<std::unique_ptr<Filter>>(const cbpf::Program& program)> make;
  // eBPF engines: the filter running a socket-filter `program` (an error
  // when it fails validation, or the kernel refuses it, with its log).
  std::function<Result<std::unique_ptr<Filter>>(const ebpf::Program& program)> make_ebpf;
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
