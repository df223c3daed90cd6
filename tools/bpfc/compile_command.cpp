// `bpfc compile`: filter expression -> one of the registered targets
// (classic BPF by default, printed like tcpdump -d/-dd/-ddd or as JSON).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/driver/compile.h"
#include "bpfc/driver/target.h"
#include "cli_status.h"
#include "commands.h"
#include "compile_settings.h"
#include "linktype_listing.h"
#include "output_file.h"
#include "option_values.h"
#include "pass_debug_output.h"
#include "program_output.h"
#include "target_option.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct CompileCommandOptions {
  CompileSettings settings;
  PassDebugSettings pass_debug;
  ProgramOutputOptions output;
  std::string target{driver::kDefaultTarget};
  std::string context = "dead";
  std::string filter_file;
  std::string output_file;
  std::map<std::string, std::string> target_options;  // --ebpf-hook=... and the like
  bool list_linktypes = false;
  std::vector<std::string> words;
};

// The IR as lowering gives it, before any pass, for --stats: compiled once
// more with an empty pass list (a debugging aid may cost a second compile).
IrSize lowered_size(const std::string& filter, CompileOptions options) {
  options.passes = std::vector<opt::Pass>{};
  options.pass_observer = nullptr;
  auto function = compile_to_ir(filter, options);
  return function ? ir_size(*function) : IrSize{};
}

// -d.. and --format as the target's "listing" and "format" options, and the
// target-specific options; a usage error where the target has no such
// option. `-o FILE.o` asks for an object where the target makes one.
driver::TargetSettings to_target_settings(const driver::Target& target, const CompileCommandOptions& options) {
  const ProgramOutputOptions& output = options.output;
  driver::TargetSettings settings;
  for (const auto& [name, value] : options.target_options) {
    if (target.find_option(name) == nullptr) {
      throw UsageError("--" + name + " does not apply to --target=" + target.name);
    }
    settings[name] = value;
  }
  const std::string& file = options.output_file;
  const bool object_file = file.size() > 2 && file.compare(file.size() - 2, 2, ".o") == 0;
  if (object_file && output.format == "text" && output.dump_level == 0) {
    const driver::TargetOption* format = target.find_option("format");
    if (format != nullptr && std::find(format->values.begin(), format->values.end(), "elf") != format->values.end()) {
      settings["format"] = "elf";
    }
  }
  if (output.dump_level > 0) {
    if (target.find_option("listing") == nullptr) {
      throw UsageError("-d, -dd and -ddd do not apply to --target=" + target.name);
    }
    if (output.format == "json") throw UsageError("-d, -dd and -ddd cannot be combined with --format=json");
    settings["listing"] = output.dump_level >= 3 ? "ddd" : output.dump_level == 2 ? "dd" : "d";
  }
  if (output.format != "text") {
    if (target.find_option("format") == nullptr) {
      throw UsageError("--format does not apply to --target=" + target.name);
    }
    settings["format"] = output.format;
  }
  if (auto problem = target.check_settings(settings)) throw UsageError(*problem);
  return settings;
}

int run_compile(const CompileCommandOptions& options) {
  if (options.list_linktypes) {
    if (!options.words.empty() || !options.filter_file.empty()) throw UsageError("-L lists link types; it takes no expression");
    std::fputs(linktype_listing().c_str(), stdout);
    return kExitOk;
  }
  if (!options.filter_file.empty() && !options.words.empty()) {
    throw UsageError("give the expression either with -F or on the command line, not both");
  }
  const driver::Target& target = *driver::targets().find(options.target);
  const driver::TargetSettings target_settings = to_target_settings(target, options);
  if (options.output_file.empty() && target.setting(target_settings, "format") == "elf" && isatty(STDOUT_FILENO)) {
    throw UsageError("an ELF object is binary: write it to a file with -o FILE.o (or redirect the output)");
  }
  CompileOptions compile_options = to_compile_options(options.settings);
  compile_options.context = *compile_context_from_name(options.context);  // a choice option: always known
  check_pass_names(options.pass_debug);
  PassDebugOutput pass_debug(options.pass_debug);
  compile_options.pass_observer = pass_debug.observer();

  std::string filter;
  SourceText source;  // for diagnostics: the -F file, or the command line
  if (options.filter_file.empty()) {
    filter = join_words(options.words);
  } else {
    std::string error;
    auto contents = read_text_input(options.filter_file, error);
    if (!contents) return report_failure(error);
    filter = blank_out_comments(std::move(*contents));
    source.file_name = source_file_name(options.filter_file);
  }
  source.text = filter;

  auto compiled = driver::compile_for_target(filter, target, compile_options, target_settings);
  if (!compiled) return report_diagnostics(compiled.errors(), source);
  report_compile_notes(compiled->notes, source);
  report_compile_notes(compiled->output.warnings, source);
  if (options.pass_debug.stats) {
    pass_debug.print_stats(lowered_size(filter, compile_options), compiled->output.instructions);
  }
  const std::string& bytes = compiled->output.bytes;
  if (!options.output_file.empty()) {
    std::string error;
    if (!write_file(options.output_file, bytes, error)) return report_failure(error);
    return kExitOk;
  }
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  return kExitOk;
}

constexpr const char* kExamples = R"(Examples:
  bpfc compile tcp port 80                  # the -d listing, Ethernet link type
  bpfc compile -dd 'ip and udp'             # a C array for struct bpf_insn
  bpfc compile -y RAW -ddd icmp             # decimal form, for iptables -m bpf
  bpfc compile -y LINUX_SLL2 --format=json 'ip and host 10.0.0.1'
  bpfc compile -m 24 ip broadcast           # netmask 255.255.255.0 (also /24)
  bpfc compile --target=ir 'tcp[tcpflags] & tcp-syn != 0'   # --emit=ir alike
  bpfc compile -F filter.txt                # expression from a file; '#' comments
  bpfc compile -L                           # the link types -y accepts
  bpfc compile -y NULL --context=offline ip6
                                            # as tcpdump -r compiles for a savefile
  bpfc compile --context=linux inbound      # reads the kernel's packet type
  bpfc compile --stats 'host 10.0.0.1 or host 10.0.0.2' > /dev/null
                                            # what each optimizer pass did (stderr)
  bpfc compile --print-after=cfg-simplify --target=ir 'tcp port 80' > /dev/null
                                            # the IR after one pass (stderr)
  bpfc compile --protochain=unrolled 'ip6 protochain 6'
                                            # loop-free, for the Linux kernel: follows
                                            # at most 64 headers (a warning says so)
  bpfc compile --target=ebpf 'tcp port 80'  # an eBPF socket filter, bpftool's notation
  bpfc compile --target=ebpf --ebpf-hook=xdp -o drop.o 'udp port 53'
                                            # an XDP object: bpftool prog load drop.o ...

A program the Linux kernel would not load (over 4096 instructions, a backward
jump) is still printed, with a warning on stderr: it runs in user space.
Exit status: 0 compiled, 1 the expression was refused (message on stderr with a
caret under the offending text; FILE:LINE:COLUMN for -F) or a file could not
be read or written, 2 bad command line.)";

}  // namespace

Subcommand add_compile_command(CLI::App& app) {
  auto options = std::make_shared<CompileCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "compile", "Compile a pcap-filter expression to classic BPF, as pcap_compile() would");
  add_compile_settings_options(*command, options->settings);
  add_program_output_options(*command, options->output, target_formats());
  add_pass_debug_options(*command, options->pass_debug);
  add_target_option(*command, options->target);
  add_target_specific_options(*command, options->target_options);
  command->add_option("-o,--output", options->output_file,
                      "Write the output to FILE instead of standard output; a FILE ending in .o gets an ELF "
                      "object where the target makes one (--target=ebpf)")
      ->type_name("FILE");
  add_choice_option(*command, "--context", options->context, "compile context",
                    {kCompileContextNames.begin(), kCompileContextNames.end()},
                    "What to compile for, as libpcap does for its pcap_t: dead (pcap_open_dead(), the "
                    "default), offline or offline-swapped (a savefile in this host's or the other "
                    "byte order: DLT_NULL and DLT_LOOP test the BSD AF_INET6 values 24, 28 and 30), "
                    "or linux (a live Linux socket: 'inbound', 'outbound' and 'ifindex' read the "
                    "kernel's packet metadata)")
      ->default_str("dead");
  command->add_option("-F,--file", options->filter_file,
                      "Read the expression from FILE ('-' is stdin) instead of the command line; "
                      "as in tcpdump, '#' comments out the rest of a line")
      ->type_name("FILE");
  command->add_flag("-L,--list-linktypes", options->list_linktypes,
                    "List the link types bpfc compiles for (names for -y, DLT numbers, what each supports), "
                    "as tcpdump -L lists an interface's");
  command->add_option("expression", options->words,
                      "The filter expression; several words are joined with spaces. Empty means "
                      "accept every packet");
  command->footer(kExamples);
  return {command, [options] { return run_compile(*options); }};
}

}  // namespace bpfc::cli
