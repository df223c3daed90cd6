// `bpfc asm`: reads a program in any of tcpdump's -d/-dd/-ddd layouts and
// prints it in the requested one (or JSON). Useful to convert between the
// forms, or to turn a hand-written listing into loadable instructions.
#include <cstdio>
#include <memory>
#include <string>

#include "cli_status.h"
#include "commands.h"
#include "program_output.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct AsmCommandOptions {
  ProgramOutputOptions output;
  std::string input = "-";
};

int run_asm(const AsmCommandOptions& options) {
  auto input = read_program_file(options.input);
  if (!input) return kExitFailure;
  if (input->program.empty()) {
    // Nothing to convert: every layout of an empty program would be empty too.
    return report_diagnostics({error("no instructions: the input holds no program")},
                              SourceText{input->text, input->name});
  }
  std::fputs(format_program(input->program, options.output).c_str(), stdout);
  return kExitOk;
}

constexpr const char* kAsmExamples = R"(Examples:
  tcpdump -d tcp | bpfc asm -dd             # a -d listing to a C array
  bpfc compile -ddd udp > udp.txt && bpfc asm udp.txt
  bpfc asm --format=json prog.txt

The input layout (-d listing, -dd C array, -ddd decimal) is detected from its
content. Exit status: 0 ok, 1 the input could not be read or parsed (or the
output could not be written), 2 bad command line.)";

}  // namespace

Subcommand add_asm_command(CLI::App& app) {
  auto options = std::make_shared<AsmCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "asm", "Assemble a -d/-dd/-ddd program text and print it in another layout");
  add_program_output_options(*command, options->output);
  command->add_option("file", options->input, "The program text; '-' or nothing reads stdin")->type_name("FILE");
  command->footer(kAsmExamples);
  return {command, [options] { return run_asm(*options); }};
}

}  // namespace bpfc::cli
