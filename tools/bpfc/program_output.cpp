#include "program_output.h"

#include "cbpf_target.h"
#include "cli_status.h"
#include "option_values.h"

namespace bpfc::cli {

void add_program_output_options(CLI::App& command, ProgramOutputOptions& options, std::vector<std::string> formats) {
  command.add_flag("-d", options.dump_level,
                   "Print the program as tcpdump -d does (the default); -dd prints it as a C "
                   "array of struct bpf_insn, -ddd as decimal numbers (a count line, then "
                   "\"code jt jf k\" per instruction)");
  std::string help = "text (the -d/-dd/-ddd layouts) or json";
  if (formats.size() > 2) help += "; with --target=ebpf also elf (an object file) or header (func's declaration)";
  add_choice_option(command, "--format", options.format, "format", std::move(formats), help)
      ->default_str("text");
}

std::string format_program(const cbpf::Program& program, const ProgramOutputOptions& options) {
  if (options.format == "json" && options.dump_level > 0) {
    throw UsageError("-d, -dd and -ddd cannot be combined with --format=json");
  }
  return cbpf::format_as(program, options.format, options.dump_level);
}

}  // namespace bpfc::cli
