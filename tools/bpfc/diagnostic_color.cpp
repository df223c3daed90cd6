#include "diagnostic_color.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace bpfc::cli {
namespace {

// The one process-wide setting of the driver: stderr itself is process-wide,
// and every subcommand reports through the free functions of cli_status.h.
// Set while the command line is parsed, read when something is reported.
std::atomic<ColorChoice> color_choice{ColorChoice::Auto};

bool terminal_wants_color() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term == nullptr || std::strcmp(term, "dumb") == 0) return false;
  return isatty(STDERR_FILENO) == 1;
}

}  // namespace

void add_color_option(CLI::App& command) {
  command
      .add_option_function<std::string>(
          "--color",
          [](const std::string& when) {
            color_choice = when == "always" ? ColorChoice::Always
                           : when == "never" ? ColorChoice::Never
                                             : ColorChoice::Auto;
          },
          "Colour diagnostics: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always "
          "or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
}

bool diagnostics_in_color() {
  switch (color_choice.load()) {
    case ColorChoice::Always:
      return true;
    case ColorChoice::Never:
      return false;
    case ColorChoice::Auto:
      break;
  }
  return terminal_wants_color();
}

}  // namespace bpfc::cli
