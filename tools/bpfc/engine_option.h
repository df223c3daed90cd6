// `bpfc filter --engine=NAME`: the exec engine that runs the compiled filter
// (bpfc/exec/engine.h). --help lists the engines; an unknown name is a usage
// error that lists them too.
#pragma once

#include "bpfc/exec/engine.h"

#include <string>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

// Adds --engine, storing the chosen name in `engine` (which starts as the
// default engine's name), and --jit-cache DIR for the engines that run
// native code.
CLI::Option* add_engine_option(CLI::App& command, std::string& engine, exec::EngineSettings& settings,
                               std::string_view default_engine = exec::kDefaultEngine);

}  // namespace bpfc::cli
