// `bpfc filter --engine=NAME`: the exec engine that runs the compiled filter
// (bpfc/exec/engine.h). --help lists the engines; an unknown name is a usage
// error that lists them too.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

// Adds --engine, storing the chosen name in `engine` (which starts as the
// default engine's name).
CLI::Option* add_engine_option(CLI::App& command, std::string& engine);

}  // namespace bpfc::cli
