// Command-line mistakes in bpfc's own words. CLI11 reports them in its own
// phrasing ("Could not convert: --snaplen = abc", "A subcommand is
// required"); these functions rephrase them by the kind of error and the
// options it concerns, so every usage error reads alike:
//   bpfc: unknown option '--foo' for bpfc compile
//   bpfc: -r/--read needs a value (FILE)
//   bpfc: -e/--expression and -p/--program cannot be used together
// Values are checked by option_values.h in the same style.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

// The command a usage message concerns: the subcommand that was named on the
// command line, else `top`.
const CLI::App& selected_command(const CLI::App& top);

// "-c/--count", "--format", "-O", "expression": how messages name an option.
std::string option_label(const CLI::Option& option);

// The message for a CLI11 parse error (not for CLI::Success: help, version).
std::string describe_parse_error(const CLI::App& top, const CLI::ParseError& error);

// Words the parse did not use (CLI11 leaves them over because every command
// allows extras, so that they are reported here): an unknown option or a
// stray argument. nullopt when every word was used.
std::optional<std::string> describe_leftover_words(const CLI::App& top);

}  // namespace bpfc::cli
