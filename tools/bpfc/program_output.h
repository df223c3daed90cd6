// How a classic BPF program is printed: tcpdump's -d / -dd / -ddd layouts or
// JSON. Shared by `compile` and `asm`.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bpfc/cbpf/insn.h"

namespace bpfc::cli {

struct ProgramOutputOptions {
  int dump_level = 0;          // number of -d given; 0 and 1 both mean -d
  std::string format = "text"; // "text" or "json"
};

// -d and --format; `formats` are the values --format accepts, "text" first.
void add_program_output_options(CLI::App& command, ProgramOutputOptions& options,
                                std::vector<std::string> formats = {"text", "json"});

// The program in the requested layout, ending with a newline. Throws
// UsageError when -d.. and --format=json are both given.
std::string format_program(const cbpf::Program& program, const ProgramOutputOptions& options);

}  // namespace bpfc::cli
