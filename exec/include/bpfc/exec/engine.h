// Filter engines by name: each turns a classic-BPF program, an eBPF one or
// the IR into an exec::Filter (`bpfc filter --engine=NAME`, `bpfc run`). The
// registry is a fixed list built by a function (registry/engines.cpp, in
// the bpfc_engines library): a new engine is its folder under exec/ and one
// line there. The engines that run native code (jit/) are kept out of bpfc_exec,
// which programs that run filters without compiling them link.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/ebpf/insn.h"
#include "bpfc/exec/filter.h"
#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::exec {

// The program an engine runs: the classic one, an eBPF socket filter
// compiled from the same IR (its return value is the classic program's), the
// optimized IR itself (native code), or both the classic program and the IR
// (an engine that interprets the one while it compiles the other).
enum class EngineInput : uint8_t { Classic, EbpfSocketFilter, Ir, ClassicAndIr };

// What the caller may tell an engine beyond the program.
struct EngineSettings {
  // Native engines: a directory where compiled code is kept across runs
  // (created if missing); empty keeps it for this process only.
  std::string code_cache;
};

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
  // Native engines: the filter running the optimized IR `function`, which
  // ir::verify accepts and which reads no kernel metadata.
  std::function<Result<std::unique_ptr<Filter>>(const ir::Function& function, const EngineSettings& settings)>
      make_native;
  // Tiered engines: the filter that runs `program` at once and switches to
  // native code for `function` (the same filter) when it is ready.
  std::function<Result<std::unique_ptr<Filter>>(const cbpf::Program& program, const ir::Function& function,
                                                const EngineSettings& settings)>
      make_tiered;
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

// The engine bpfc filter uses unless told otherwise: the interpreter at once,
// native code as soon as it is compiled.
inline constexpr std::string_view kDefaultEngine = "auto";

}  // namespace bpfc::exec
