// `bpfc completion bash` (the bash completion script) and the hidden
// `bpfc manpage` (bpfc(1) in roff, which the build runs): documents written
// from the command-line definitions themselves, so they cannot drift from
// what --help says.
#pragma once

#include "commands.h"

namespace bpfc::cli {

Subcommand add_completion_command(CLI::App& app);
Subcommand add_manpage_command(CLI::App& app, const char* version);

}  // namespace bpfc::cli
