// --color=auto|always|never: whether diagnostics on stderr are coloured.
// auto (the default) colours them when stderr is a terminal, NO_COLOR is
// unset or empty and TERM is set and not "dumb", as gcc and clang decide.
#pragma once

#include <CLI/CLI.hpp>

namespace bpfc::cli {

enum class ColorChoice { Auto, Always, Never };

// Adds --color=WHEN to `command`; the choice takes effect as it is parsed.
// The top-level command and every subcommand take it.
void add_color_option(CLI::App& command);

// Whether to colour what is written to stderr now.
bool diagnostics_in_color();

}  // namespace bpfc::cli
