// `bpfc compile --target=NAME`: one of the targets registered with the driver
// (bpfc/driver/target.h). --help lists them with what each emits; an unknown
// name is a usage error that lists them too. `--emit=KIND` names what to
// write where a target has several kinds of output (the llvm target's obj,
// llvm-ir, asm, header); it also takes a target's name, as --target does.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bpfc/driver/target.h"

namespace bpfc::cli {

// Adds --target and --emit, storing the chosen target's name in `target`
// (which starts as the default target's name) and an output kind given with
// --emit in `given` as the "emit" setting.
void add_target_option(CLI::App& command, std::string& target, std::map<std::string, std::string>& given);

// The target an --emit=KIND without --target means: the one target whose
// "emit" option takes KIND; nullptr when none or several do.
const driver::Target* target_emitting(std::string_view kind);

// The options targets declare beyond --format and -d (e.g. --ebpf-hook), as
// --NAME=VALUE, each once however many targets declare it; the values given
// go into `given` by name. A new target's options appear without an edit
// here.
void add_target_specific_options(CLI::App& command, std::map<std::string, std::string>& given);

// Every value the targets accept for their "format" option, "text" first.
std::vector<std::string> target_formats();

}  // namespace bpfc::cli
