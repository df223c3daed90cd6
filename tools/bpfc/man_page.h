// bpfc(1) in roff (man macros), written from the CLI11 definitions: the same
// descriptions, options and examples `bpfc COMMAND --help` prints. The build
// runs `bpfc manpage` to make build/tools/bpfc/bpfc.1.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

std::string render_man_page(CLI::App& app, std::string_view version);

// Text for roff: backslashes, minus signs and non-ASCII characters escaped,
// and lines that would start with a control character ('.' or '\'')
// protected.
std::string roff_escape(std::string_view text);

}  // namespace bpfc::cli
