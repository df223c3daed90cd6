// Exit statuses and error reporting shared by every subcommand.
//
// Scripts depend on the statuses: 0 success, 1 the input was refused (a
// compile error, an invalid or unreadable program, a file that cannot be
// read or created, a file that is not a savefile, a write error), 2 the
// command line itself is wrong, 3 (`bpfc filter`) an input savefile is
// damaged part-way: everything before the damage was processed and the
// output written so far is complete and readable. A reader of the output
// that goes away (`bpfc ... | head`) is not a failure: the job ends there
// with the status it had (standard_output.h).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/support/diagnostic.h"

namespace bpfc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDamagedInput = 3;

// Thrown when options parse but make no sense together or have bad values
// (an unknown link type, -d with --format=json...); main() reports it like
// every other usage error (usage_errors.h) and exits with kExitUsage. The
// message names the value and what it is for: "invalid count 'abc' (...)".
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown when a file an option names cannot be used (missing, a directory,
// unreadable, or not holding what the option needs); main() prints
// "bpfc: message" and exits 1, as commands do for their other inputs. The
// message names the file: "ca.pem: No such file or directory".
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Text diagnostics point into, and where it came from.
struct SourceText {
  std::string_view text;
  // The file's name ("<stdin>" for standard input): diagnostics say
  // FILE:LINE:COLUMN and show the line. nullopt: the text was given on the
  // command line, and is shown whole (or a window of it) under "bpfc: ...".
  std::optional<std::string> file_name;
};

// Prints "bpfc: <message>" on stderr and returns kExitFailure. Control
// characters in the message are shown escaped (see render_diagnostic).
int report_failure(std::string_view message);

// Renders a diagnostic of any severity against `source` on stderr, in colour
// when --color asks for it.
void report(const Diagnostic& diagnostic, const SourceText& source);

// Renders every diagnostic against `source` (message, source line, carets)
// on stderr and returns kExitFailure.
int report_diagnostics(const std::vector<Diagnostic>& diagnostics, const SourceText& source);
// The same for text given on the command line.
int report_diagnostics(const std::vector<Diagnostic>& diagnostics, std::string_view source);

}  // namespace bpfc::cli
