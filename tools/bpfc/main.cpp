// bpfc: the command-line driver. Each subcommand lives in its own file; this
// one builds the command line, parses it and maps failures to exit statuses
// (see cli_status.h).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_status.h"
#include "commands.h"
#include "diagnostic_color.h"
#include "docs_commands.h"

#ifndef BPFC_VERSION
#define BPFC_VERSION "unknown"
#endif

namespace {

constexpr const char* kOverview = R"(bpfc compiles tcpdump/pcap-filter expressions to classic BPF with libpcap's
semantics (the same verdict as pcap_compile() on every packet).)";

constexpr const char* kFooter = R"(Examples:
  bpfc compile tcp port 80                  print the program like tcpdump -d
  bpfc compile -y RAW -dd 'udp dst port 53' C array, raw-IP link type
  bpfc asm -ddd prog.txt                    convert between -d/-dd/-ddd layouts
  bpfc verify --kernel prog.txt             would Linux accept this program?
  bpfc run -e 'icmp' 4500001c...            the filter's verdict on a packet
  bpfc filter -r in.pcap -w out.pcap tcp    filter a savefile (pcap or pcapng)

Run `bpfc help COMMAND` for the options of each command.
Exit status: 0 success, 1 input refused (compile error, invalid program,
unreadable or unwritable file), 2 bad command line, 3 (filter) an input
savefile is damaged part-way.)";

// CLI11 reads "-O0" as the flag -O followed by a stray "-0", so the compiler-
// style spellings -O0/-O1/-O2 are rewritten to --opt-level=N first. Words
// after "--" belong to the expression and are left alone.
std::vector<std::string> normalize_optimization_flags(int argc, char** argv) {
  std::vector<std::string> args;
  bool expression_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") expression_only = true;
    if (!expression_only && arg.size() == 3 && arg.starts_with("-O") && arg[2] >= '0' && arg[2] <= '9') {
      arg = "--opt-level=" + arg.substr(2);
    }
    args.push_back(std::move(arg));
  }
  return args;
}

int report_usage_error(const std::string& message) {
  std::fprintf(stderr, "bpfc: %s\nRun with --help for more information.\n", message.c_str());
  return bpfc::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(kOverview, "bpfc");
  app.set_version_flag("--version", "bpfc " BPFC_VERSION);
  app.footer(kFooter);
  // Exactly one subcommand; the maximum of one also stops an expression word
  // such as "run" from being taken for a second subcommand.
  app.require_subcommand(1);

  std::vector<bpfc::cli::Subcommand> subcommands = {
      bpfc::cli::add_compile_command(app), bpfc::cli::add_asm_command(app),
      bpfc::cli::add_verify_command(app), bpfc::cli::add_run_command(app),
      bpfc::cli::add_filter_command(app), bpfc::cli::add_help_command(app),
      bpfc::cli::add_completion_command(app), bpfc::cli::add_manpage_command(app, BPFC_VERSION)};
  bpfc::cli::add_color_option(app);
  for (const auto& subcommand : subcommands) bpfc::cli::add_color_option(*subcommand.command);

  try {
    std::vector<std::string> args = normalize_optimization_flags(argc, argv);
    std::reverse(args.begin(), args.end());  // CLI11 consumes the vector from the back
    app.parse(args);
    for (const auto& subcommand : subcommands) {
      if (subcommand.command->parsed()) return subcommand.run();
    }
    return report_usage_error("no command given");
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    return report_usage_error(e.what());
  } catch (const bpfc::cli::UsageError& e) {
    return report_usage_error(e.what());
  }
}
