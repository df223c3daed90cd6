// `bpfc run`: runs a compiled expression or a program file over packets given
// as hex strings and prints the filter's return value for each one, so a
// filter's verdicts can be checked without a capture.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/driver/compile.h"
#include "cli_status.h"
#include "commands.h"
#include "compile_settings.h"
#include "hex_packet.h"
#include "kernel_warning.h"
#include "option_values.h"
#include "program_validation.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct RunCommandOptions {
  CompileSettings settings;
  std::string expression;
  bool has_expression = false;
  std::string program_file;
  std::optional<uint32_t> wirelen;
  std::vector<std::string> packets;
};

// The program to run: compiled from -e, or read from -p.
std::optional<cbpf::Program> load_program(const RunCommandOptions& options) {
  if (options.has_expression) {
    const CompileOptions compile_options = to_compile_options(options.settings);
    auto program = compile_cbpf_with_notes(options.expression, compile_options);
    if (!program) {
      report_diagnostics(program.errors(), options.expression);
      return std::nullopt;
    }
    const SourceText source{options.expression, std::nullopt};
    report_compile_notes(program->notes, source);
    warn_if_kernel_refuses(program->output, compile_options, source);
    return std::move(program->output);
  }
  // libpcap refuses to install a program its bpf_validate() rejects; so does
  // bpfc before running one.
  auto input = read_program_file(options.program_file);
  if (!input || !check_program(*input, runtime::ValidationRules::Libpcap)) return std::nullopt;
  return std::move(input->program);
}

bool reads_packets_from_stdin(const RunCommandOptions& options) {
  return options.packets.empty() || (options.packets.size() == 1 && options.packets[0] == "-");
}

// Packets from the arguments, or one per line from stdin when there are none
// (or the only one is "-"); blank lines and lines starting with '#' are skipped.
std::optional<std::vector<std::string>> packet_texts(const RunCommandOptions& options) {
  if (!reads_packets_from_stdin(options)) return options.packets;
  std::string error;
  auto text = read_text_input("-", error);
  if (!text) {
    report_failure(error);
    return std::nullopt;
  }
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + start, end - start);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

int run_packets(const RunCommandOptions& options) {
  if (options.has_expression == !options.program_file.empty()) {
    throw UsageError("give exactly one of -e EXPRESSION and -p PROGRAMFILE");
  }
  if (options.has_expression) to_compile_options(options.settings);  // usage errors first
  if (options.program_file == "-" && reads_packets_from_stdin(options)) {
    throw UsageError("-p - reads the program from stdin, so packets must be arguments");
  }
  auto program = load_program(options);
  if (!program) return kExitFailure;
  auto texts = packet_texts(options);
  if (!texts) return kExitFailure;
  int status = kExitOk;
  for (size_t i = 0; i < texts->size(); ++i) {
    std::string error;
    auto packet = parse_hex_packet((*texts)[i], error);
    if (!packet) {
      status = report_failure("packet " + std::to_string(i + 1) + ": " + error);
      continue;
    }
    uint32_t wirelen = options.wirelen.value_or(static_cast<uint32_t>(packet->size()));
    std::printf("%u\n", runtime::run_cbpf(*program, *packet, wirelen));
  }
  return status;
}

constexpr const char* kExamples = R"(Examples:
  bpfc run -y RAW -e 'ip and udp' 4500001c000000004011000001020304050607080035003500080000
  bpfc run -y EN10MB -e 'ether[12:2] = 0x800' - < packets.hex
  bpfc run -p prog.txt --wirelen 1500 ffffffffffff00112233445508004500001c00000000401100000a0000010a0000020400003500080000

Prints one line per packet: the filter's return value (0 = rejected, otherwise
the number of bytes to keep). Packets are hex strings (spaces and ':' allowed).
Exit status: 0 ok, 1 the program or a packet was refused, 2 bad command line.)";

}  // namespace

Subcommand add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Run an expression or a program over hex packets and print each return value");
  auto* expression = command->add_option("-e,--expression", options->expression,
                                         "The filter expression to compile and run")
                         ->type_name("EXPRESSION")
                         ->each([options](const std::string&) { options->has_expression = true; });
  auto* program = command->add_option("-p,--program", options->program_file,
                                       "A -d/-dd/-ddd program file to run ('-' is stdin)")
                      ->type_name("FILE");
  expression->excludes(program);
  add_compile_settings_options(*command, options->settings);
  add_number_option(*command, "--wirelen", options->wirelen, {.noun = "wire length"},
                    "Wire length given to the filter (what `len` sees); default: each packet's length");
  command->add_option("packets", options->packets,
                      "Packets as hex strings; none or '-' reads one per line from stdin")
      ->type_name("HEX");
  command->footer(kExamples);
  return {command, [options] { return run_packets(*options); }};
}

}  // namespace bpfc::cli
