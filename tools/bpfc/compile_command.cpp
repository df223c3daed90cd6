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
#include "bpfc/llvm/native.h"
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
  std::string target;  // empty: the default, or what --emit=KIND implies
  std::string context = "dead";
  std::vector<std::string> filter_files;
  std::vector<std::string> symbols;  // --symbol, one per -F file (or one for the expression)
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

// A command-line word NAME=EXPR naming one filter of several (--target=llvm).
// `len=100` is an expression of its own, so a name cannot be `len`.
std::optional<std::pair<std::string, std::string>> named_filter_word(const std::string& word) {
  const size_t equals = word.find('=');
  if (equals == std::string::npos || equals == 0 || word.compare(equals, 2, "==") == 0) return std::nullopt;
  std::string name = word.substr(0, equals);
  if (name == "len" || native::check_symbol(name)) return std::nullopt;
  return std::make_pair(std::move(name), word.substr(equals + 1));
}

// One filter to compile: its expression (or -F file name until it is
// read), where it came from (for diagnostics) and the symbol it gets where
// the target names filters.
struct FilterSource {
  std::string symbol;
  std::string filter;
  SourceText source;
};

std::vector<FilterSource> filter_sources(const CompileCommandOptions& options, const driver::Target& target) {
  if (!options.filter_files.empty() && !options.words.empty()) {
    throw UsageError("give the expression either with -F or on the command line, not both");
  }
  const bool named = static_cast<bool>(target.emit_named);
  if (!named && options.filter_files.size() > 1) {
    throw UsageError("--target=" + target.name + " compiles one expression: give -F once");
  }
  std::vector<FilterSource> sources;
  if (!options.filter_files.empty()) {
    if (options.filter_files.size() > 1 && options.symbols.size() != options.filter_files.size()) {
      throw UsageError("give one --symbol per -F file (" + std::to_string(options.filter_files.size()) +
                       " files, " + std::to_string(options.symbols.size()) + " symbols)");
    }
    for (size_t i = 0; i < options.filter_files.size(); ++i) {
      FilterSource one;
      one.source.file_name = source_file_name(options.filter_files[i]);
      one.filter = options.filter_files[i];  // read by the caller
      if (i < options.symbols.size()) one.symbol = options.symbols[i];
      sources.push_back(std::move(one));
    }
    return sources;
  }
  if (named && !options.words.empty()) {
    std::vector<FilterSource> words;
    for (const std::string& word : options.words) {
      auto split = named_filter_word(word);
      if (!split) break;
      FilterSource one;
      one.symbol = split->first;
      one.filter = split->second;
      words.push_back(std::move(one));
    }
    if (words.size() == options.words.size()) {
      if (!options.symbols.empty()) throw UsageError("--symbol names one expression; NAME=EXPR words name their own");
      return words;
    }
  }
  if (options.symbols.size() > 1) throw UsageError("one expression takes one --symbol");
  FilterSource one;
  one.filter = join_words(options.words);
  if (!options.symbols.empty()) one.symbol = options.symbols.front();
  sources.push_back(std::move(one));
  return sources;
}

int write_output(const CompileCommandOptions& options, const std::string& bytes) {
  if (!options.output_file.empty()) {
    std::string error;
    if (!write_file(options.output_file, bytes, error)) return report_failure(error);
    return kExitOk;
  }
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  return kExitOk;
}

const driver::Target& chosen_target(const CompileCommandOptions& options) {
  if (!options.target.empty()) return *driver::targets().find(options.target);
  auto kind = options.target_options.find("emit");
  if (kind == options.target_options.end()) return *driver::targets().find(driver::kDefaultTarget);
  const driver::Target* target = target_emitting(kind->second);
  if (target == nullptr) throw UsageError("--emit=" + kind->second + " needs --target");
  return *target;
}

int run_compile(const CompileCommandOptions& options) {
  if (options.list_linktypes) {
    if (!options.words.empty() || !options.filter_files.empty()) {
      throw UsageError("-L lists link types; it takes no expression");
    }
    std::fputs(linktype_listing().c_str(), stdout);
    return kExitOk;
  }
  const driver::Target& target = chosen_target(options);
  if (!options.symbols.empty() && target.find_option("symbol") == nullptr) {
    throw UsageError("--symbol does not apply to --target=" + target.name);
  }
  driver::TargetSettings target_settings = to_target_settings(target, options);
  const bool binary = target.setting(target_settings, "format") == "elf" ||
                      (target.find_option("emit") != nullptr && target.setting(target_settings, "emit") == "obj");
  if (options.output_file.empty() && binary && isatty(STDOUT_FILENO)) {
    throw UsageError("an object file is binary: write it to a file with -o FILE.o (or redirect the output)");
  }
  std::vector<FilterSource> sources = filter_sources(options, target);
  for (FilterSource& one : sources) {
    if (auto problem = one.symbol.empty() ? std::nullopt : native::check_symbol(one.symbol)) {
      throw UsageError(*problem);
    }
  }
  CompileOptions compile_options = to_compile_options(options.settings);
  compile_options.context = *compile_context_from_name(options.context);  // a choice option: always known
  check_pass_names(options.pass_debug);
  PassDebugOutput pass_debug(options.pass_debug);
  compile_options.pass_observer = pass_debug.observer();

  for (FilterSource& one : sources) {
    if (!one.source.file_name) continue;
    std::string error;
    auto contents = read_text_input(one.filter, error);
    if (!contents) return report_failure(error);
    one.filter = blank_out_comments(std::move(*contents));
  }
  for (FilterSource& one : sources) one.source.text = one.filter;  // views: once the strings stay put

  if (sources.size() > 1) {
    std::vector<driver::NamedFunction> functions;
    for (FilterSource& one : sources) {
      auto compiled = compile_to_ir_with_notes(one.filter, compile_options);
      if (!compiled) return report_diagnostics(compiled.errors(), one.source);
      report_compile_notes(compiled->notes, one.source);
      functions.push_back({one.symbol, std::move(compiled->output)});
    }
    auto emitted = target.emit_named(functions, compile_options, target_settings);
    if (!emitted) return report_diagnostics(emitted.errors(), SourceText{});
    report_compile_notes(emitted->warnings, SourceText{});
    return write_output(options, emitted->bytes);
  }

  FilterSource& only = sources.front();
  if (!only.symbol.empty()) target_settings["symbol"] = only.symbol;
  auto compiled = driver::compile_for_target(only.filter, target, compile_options, target_settings);
  if (!compiled) return report_diagnostics(compiled.errors(), only.source);
  report_compile_notes(compiled->notes, only.source);
  report_compile_notes(compiled->output.warnings, only.source);
  if (options.pass_debug.stats) {
    pass_debug.print_stats(lowered_size(only.filter, compile_options), compiled->output.instructions);
  }
  return write_output(options, compiled->output.bytes);
}

constexpr const char* kCompileExamples = R"(Examples:
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
  bpfc compile --target=llvm -o web.o --symbol web 'tcp port 80'
                                            # native code: uint32_t web(packet, caplen, wirelen)
  bpfc compile --emit=header --symbol web > web.h   # its C declaration
  bpfc compile --target=llvm -o filters.o web='tcp port 80' dns='udp port 53'
                                            # two filters in one object
  bpfc compile --emit=asm --cpu=native 'vlan and ip6'   # the code for this host's CPU

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
  add_target_option(*command, options->target, options->target_options);
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
  command->add_option("-F,--file", options->filter_files,
                      "Read the expression from FILE ('-' is stdin) instead of the command line; "
                      "as in tcpdump, '#' comments out the rest of a line. --target=llvm takes several, "
                      "each with its --symbol, into one object")
      ->type_name("FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->add_option("--symbol", options->symbols,
                      "(--target=llvm) the function name of the filter (default bpfc_filter), or of each -F "
                      "file in order; NAME=EXPR words name several filters on the command line")
      ->type_name("NAME")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command->add_flag("-L,--list-linktypes", options->list_linktypes,
                    "List the link types bpfc compiles for (names for -y, DLT numbers, what each supports), "
                    "as tcpdump -L lists an interface's");
  command->add_option("expression", options->words,
                      "The filter expression; several words are joined with spaces. Empty means "
                      "accept every packet");
  command->footer(kCompileExamples);
  return {command, [options] { return run_compile(*options); }};
}

}  // namespace bpfc::cli
