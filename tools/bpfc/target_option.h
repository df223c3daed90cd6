// `bpfc compile --target=NAME` (alias --emit): one of the targets registered
// with the driver (bpfc/driver/target.h). --help lists them with what each
// emits; an unknown name is a usage error that lists them too.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

// Adds --target/--emit, storing the chosen name in `target` (which starts as
// the default target's name).
CLI::Option* add_target_option(CLI::App& command, std::string& target);

}  // namespace bpfc::cli
