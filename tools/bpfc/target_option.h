// `bpfc compile --target=NAME` (alias --emit): one of the targets registered
// with the driver (bpfc/driver/target.h). --help lists them with what each
// emits; an unknown name is a usage error that lists them too.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

// Adds --target/--emit, storing the chosen name in `target` (which starts as
// the default target's name).
CLI::Option* add_target_option(CLI::App& command, std::string& target);

// The options targets declare beyond --format and -d (e.g. --ebpf-hook), as
// --NAME=VALUE, each once however many targets declare it; the values given
// go into `given` by name. A new target's options appear without an edit
// here.
void add_target_specific_options(CLI::App& command, std::map<std::string, std::string>& given);

// Every value the targets accept for their "format" option, "text" first.
std::vector<std::string> target_formats();

}  // namespace bpfc::cli
