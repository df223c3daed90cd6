// `bpfc run`: runs a compiled expression or a program file over packets given
// as hex strings and prints the filter's return value for each one, so a
// filter's verdicts can be checked without a capture.
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/driver/compile.h"
#include "bpfc/driver/executable.h"
#include "bpfc/exec/engine.h"
#include "bpfc/runtime/ebpf_kernel.h"
#include "bpfc/runtime/ebpf_vm.h"
#include "cli_status.h"
#include "commands.h"
#include "compile_settings.h"
#include "ebpf_object_input.h"
#include "engine_option.h"
#include "hex_packet.h"
#include "kernel_warning.h"
#include "option_values.h"
#include "program_validation.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct RunCommandOptions {
  CompileSettings settings;
  // The interpreter: a few packets never wait for LLVM.
  std::string engine{"interp"};
  exec::EngineSettings engine_settings;
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

// What runs each packet: its return value, or nullopt with `error` set.
using PacketRunner =
    std::function<std::optional<uint32_t>(const std::vector<uint8_t>& packet, uint32_t wirelen, std::string& error)>;

// -e with an engine: the expression compiled for what the engine runs.
std::optional<PacketRunner> engine_runner(const RunCommandOptions& options, const exec::Engine& engine) {
  const CompileOptions compile_options = to_compile_options(options.settings);
  auto made = compile_for_engine(options.expression, engine, compile_options, options.engine_settings);
  if (!made) {
    report_diagnostics(made.errors(), options.expression);
    return std::nullopt;
  }
  report_compile_notes(made->notes, SourceText{options.expression, std::nullopt});
  std::shared_ptr<exec::Filter> filter = std::move(made->output);
  return [filter](const std::vector<uint8_t>& packet, uint32_t wirelen, std::string&) -> std::optional<uint32_t> {
    return filter->run(packet, wirelen);
  };
}

// -p FILE.o with an eBPF engine: the object's program, run as its hook runs
// it (the XDP or tc action, a socket filter's bytes to keep).
std::optional<PacketRunner> object_runner(const RunCommandOptions& options, const exec::Engine& engine) {
  auto object = read_ebpf_object(options.program_file);
  if (!object) return std::nullopt;
  if (auto invalid = runtime::validate_ebpf(object->program)) {
    report_failure(input_display_name(options.program_file) + ": " + invalid->describe());
    return std::nullopt;
  }
  auto program = std::make_shared<ebpf::Program>(std::move(object->program));
  const ebpf::Hook hook = object->hook;
  if (engine.name == "kernel") {
    if (hook == ebpf::Hook::Func) {
      report_failure(input_display_name(options.program_file) +
                     ": a func object runs inside the program that calls it; link it into one (bpftool gen "
                     "object) to load it");
      return std::nullopt;
    }
    if (options.wirelen) throw UsageError("--wirelen needs --engine=ebpf: the kernel's test run sets len itself");
    auto loaded = runtime::load_program(*program, ebpf::program_type(hook),
                                        object->license.empty() ? "GPL" : object->license);
    if (!loaded) {
      report_failure(input_display_name(options.program_file) + ": the kernel refused the program: " +
                     loaded.error().describe());
      return std::nullopt;
    }
    auto fd = std::make_shared<runtime::ProgramFd>(std::move(loaded->fd));
    return [fd, hook](const std::vector<uint8_t>& packet, uint32_t, std::string& error) -> std::optional<uint32_t> {
      auto result = hook == ebpf::Hook::Socket ? runtime::test_run_socket_filter(*fd, packet)
                                               : runtime::test_run(*fd, packet);
      if (!result) {
        error = result.error().describe();
        return std::nullopt;
      }
      return result->retval;
    };
  }
  return [program, hook](const std::vector<uint8_t>& packet, uint32_t wirelen,
                         std::string& error) -> std::optional<uint32_t> {
    runtime::EbpfContext context;
    context.hook = hook;
    context.packet = packet;
    context.skb.len = wirelen;
    const runtime::EbpfRun run = runtime::run_ebpf(*program, context);
    if (run.fault) {
      error = "the program faulted: " + run.fault->describe();
      return std::nullopt;
    }
    return static_cast<uint32_t>(run.r0);
  };
}

std::optional<PacketRunner> make_runner(const RunCommandOptions& options) {
  const exec::Engine& engine = *exec::engines().find(options.engine);  // the option checked the name
  if (!options.has_expression && engine.input == exec::EngineInput::Ir) {
    throw UsageError("--engine=" + engine.name + " compiles an expression (-e); a program file runs with "
                     "--engine=interp, ebpf or kernel");
  }
  // -p with the tiered engine: the classic program, interpreted.
  if (engine.input == exec::EngineInput::Classic ||
      (!options.has_expression && engine.input == exec::EngineInput::ClassicAndIr)) {
    auto program = load_program(options);
    if (!program) return std::nullopt;
    auto shared = std::make_shared<cbpf::Program>(std::move(*program));
    return [shared](const std::vector<uint8_t>& packet, uint32_t wirelen, std::string&) -> std::optional<uint32_t> {
      return runtime::run_cbpf(*shared, packet, wirelen);
    };
  }
  return options.has_expression ? engine_runner(options, engine) : object_runner(options, engine);
}

int run_packets(const RunCommandOptions& options) {
  if (options.has_expression == !options.program_file.empty()) {
    throw UsageError("give exactly one of -e EXPRESSION and -p PROGRAMFILE");
  }
  if (options.has_expression) to_compile_options(options.settings);  // usage errors first
  if (options.program_file == "-" && reads_packets_from_stdin(options)) {
    throw UsageError("-p - reads the program from stdin, so packets must be arguments");
  }
  auto runner = make_runner(options);
  if (!runner) return kExitFailure;
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
    auto value = (*runner)(*packet, wirelen, error);
    if (!value) {
      status = report_failure("packet " + std::to_string(i + 1) + ": " + error);
      continue;
    }
    std::printf("%u\n", *value);
  }
  return status;
}

constexpr const char* kRunExamples = R"(Examples:
  bpfc run -y RAW -e 'ip and udp' 4500001c000000004011000001020304050607080035003500080000
  bpfc run -y EN10MB -e 'ether[12:2] = 0x800' - < packets.hex
  bpfc run -p prog.txt --wirelen 1500 ffffffffffff00112233445508004500001c00000000401100000a0000010a0000020400003500080000
  bpfc run --engine=ebpf -e 'udp port 53' - < packets.hex   # the eBPF socket filter
  bpfc run --engine=kernel -p xdp.o - < packets.hex        # an object, in the kernel

With --engine=ebpf or kernel, -e compiles the expression to an eBPF socket
filter, and -p takes an eBPF object (bpfc compile --target=ebpf -o FILE.o),
run as its hook runs it: an XDP or tc program prints its action (XDP_DROP 1,
XDP_PASS 2; TC_ACT_OK 0, TC_ACT_SHOT 2).

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
                                       "A -d/-dd/-ddd program file to run ('-' is stdin); with an eBPF engine, "
                                       "an eBPF object file")
                      ->type_name("FILE");
  expression->excludes(program);
  add_compile_settings_options(*command, options->settings);
  add_engine_option(*command, options->engine, options->engine_settings, "interp");
  add_number_option(*command, "--wirelen", options->wirelen, {.noun = "wire length"},
                    "Wire length given to the filter (what `len` sees); default: each packet's length");
  command->add_option("packets", options->packets,
                      "Packets as hex strings; none or '-' reads one per line from stdin")
      ->type_name("HEX");
  command->footer(kRunExamples);
  return {command, [options] { return run_packets(*options); }};
}

}  // namespace bpfc::cli
