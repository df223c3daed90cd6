// An expression compiled for an exec engine: the program the engine runs
// (classic BPF, the eBPF socket filter made from the same IR, or the IR for
// native code), loaded into the engine. What `bpfc filter`, `bpfc run` and live capture call.
#pragma once

#include <memory>
#include <string_view>

#include "bpfc/driver/compile.h"
#include "bpfc/exec/engine.h"
#include "bpfc/exec/filter.h"

namespace bpfc {

Result<Compiled<std::unique_ptr<exec::Filter>>> compile_for_engine(std::string_view filter, const exec::Engine& engine,
                                                                   const CompileOptions& options,
                                                                   const exec::EngineSettings& settings = {});

}  // namespace bpfc
