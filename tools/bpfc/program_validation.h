// Checking a program read from a file before it is used, with messages that
// point at the instruction's line in that file.
#pragma once

#include "bpfc/runtime/cbpf_vm.h"
#include "text_input.h"

namespace bpfc::cli {

// The name of a rule set in messages: "libpcap's", "the Linux kernel's".
const char* rules_name(runtime::ValidationRules rules);

// Validates `input` under `rules`. An invalid program is reported on stderr
// at the instruction's line in the input (FILE:LINE:COLUMN and the line), or
// at the file for a problem of the whole program (empty, too long), and the
// result is false.
bool check_program(const ProgramInput& input, runtime::ValidationRules rules);

}  // namespace bpfc::cli
