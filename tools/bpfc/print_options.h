// The options of `bpfc filter` that say how kept packets are printed when
// there is no -w: tcpdump's -e, -v, -x/-xx/-X/-XX, -A, -t... and --json.
#pragma once

#include <CLI/CLI.hpp>

#include "bpfc/dissect/packet_printer.h"

namespace bpfc::cli {

// The flags as given: repeatable ones are counts, as in tcpdump.
struct PrintFlags {
  int t = 0;  // -t..-ttttt
  bool e = false;
  int x = 0;  // -x, -xx
  int X = 0;  // -X, -XX
  int A = 0;  // -A, -AA
  int v = 0;  // -v, -vv, -vvv
  bool json = false;
};

// Registers the printing flags on `command` (in a group of their own) and
// appends their examples to its help footer.
void add_print_options(CLI::App& command, PrintFlags& flags);

// What the flags ask for; throws UsageError for combinations that make no
// sense (a printing flag when no line is printed, more t's than tcpdump has
// formats...). `no_lines_because` is null when packets are printed, else
// what prints instead, for the message: "with -w nothing is printed".
dissect::PrintOptions resolve_print_options(const PrintFlags& flags, const char* no_lines_because, bool nanosecond);

}  // namespace bpfc::cli
