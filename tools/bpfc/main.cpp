// bpfc: the command-line driver. Each subcommand lives in its own file; this
// one builds the command line, parses it, maps failures to exit statuses
// (see cli_status.h) and checks that standard output was written.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_status.h"
#include "commands.h"
#include "diagnostic_color.h"
#include "docs_commands.h"
#include "standard_output.h"
#include "usage_errors.h"

#ifndef BPFC_VERSION
#define BPFC_VERSION "unknown"
#endif

namespace {

constexpr const char* kOverview = R"(bpfc compiles tcpdump/pcap-filter expressions to classic BPF with libpcap's
semantics (the same verdict as pcap_compile() on every packet).)";

constexpr const char* kFooter = R"(Examples:
  bpfc compile tcp port 80                  # print the program like tcpdump -d
  bpfc compile -y RAW -dd 'udp dst port 53' # C array, raw-IP link type
  bpfc compile -L                           # the link types bpfc compiles for
  bpfc asm -ddd prog.txt                    # convert between -d/-dd/-ddd layouts
  bpfc verify --kernel prog.txt             # would Linux accept this program?
  bpfc run -y RAW -e icmp 4500001c00000000400100000a0000010a0000020800f7ff00000000
                                            # the filter's verdict on a packet
  bpfc filter -r in.pcap -w out.pcap tcp    # filter a savefile (pcap or pcapng)

Run `bpfc help COMMAND` for the options of each command, `bpfc help
linktypes` for the link types. Exit status: 0 success, 1 input refused
(compile error, invalid program, unreadable or unwritable file, a write error
on standard output), 2 bad command line, 3 (filter) an input savefile is
damaged part-way. A reader of standard output that goes away (`| head`) ends
the job with status 0.)";

constexpr const char* kShortExamples = R"(Examples:
  bpfc compile tcp port 80                    # the program, like tcpdump -d
  bpfc filter -r in.pcap -w out.pcap tcp      # keep the TCP packets of a savefile
  bpfc filter -r in.pcap 'port 53'            # one line per matching packet
  bpfc verify --equiv 'tcp port 80' 'tcp src port 80 or tcp dst port 80'

Run `bpfc help` for the overview, `bpfc help COMMAND` for a command's options.
)";

// `bpfc` alone: what the commands are and how to start, on one screen.
int print_short_usage(const CLI::App& app) {
  std::string text = "Usage: bpfc COMMAND [OPTIONS] ...\n\nCommands:\n";
  // Hidden commands (the build's own) are left out, as in `bpfc help`.
  const auto listed = app.get_subcommands([](const CLI::App* command) { return !command->get_group().empty(); });
  size_t width = 0;
  for (const CLI::App* command : listed) width = std::max(width, command->get_name().size() + 2);
  for (const CLI::App* command : listed) {
    std::string name = command->get_name();
    name.resize(width, ' ');
    text += "  " + name + command->get_description() + "\n";
  }
  text += "\n";
  text += kShortExamples;
  std::fputs(text.c_str(), stdout);
  return bpfc::cli::kExitOk;
}

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

int report_usage_error(const CLI::App& app, const std::string& message) {
  const CLI::App& command = bpfc::cli::selected_command(app);
  const bool about_commands = &command == &app || command.get_name() == "help";
  const std::string hint = about_commands ? "Run 'bpfc help' for the commands and their options."
                                            : "Run 'bpfc help " + command.get_name() + "' for its options.";
  std::fprintf(stderr, "bpfc: %s\n%s\n", message.c_str(), hint.c_str());
  return bpfc::cli::kExitUsage;
}

int run_command_line(int argc, char** argv) {
  CLI::App app(kOverview, "bpfc");
  app.set_version_flag("--version", "bpfc " BPFC_VERSION);
  app.footer(kFooter);
  // At most one subcommand: the maximum also stops an expression word such
  // as "run" from being taken for a second subcommand. None is the short
  // usage (bpfc alone) or a usage error.
  app.require_subcommand(0, 1);

  std::vector<bpfc::cli::Subcommand> subcommands = {
      bpfc::cli::add_compile_command(app), bpfc::cli::add_asm_command(app),
      bpfc::cli::add_verify_command(app), bpfc::cli::add_run_command(app),
      bpfc::cli::add_filter_command(app), bpfc::cli::add_capture_command(app),
      bpfc::cli::add_replay_command(app), bpfc::cli::add_rpcap_command(app),
      bpfc::cli::add_help_command(app),
      bpfc::cli::add_completion_command(app), bpfc::cli::add_manpage_command(app, BPFC_VERSION)};
  bpfc::cli::add_color_option(app);
  for (const auto& subcommand : subcommands) bpfc::cli::add_color_option(*subcommand.command);
  // Unknown options and stray words are left over rather than thrown by
  // CLI11, so that describe_leftover_words() can name them.
  app.allow_extras();
  for (const auto& subcommand : subcommands) subcommand.command->allow_extras();

  if (argc <= 1) return print_short_usage(app);
  try {
    std::vector<std::string> args = normalize_optimization_flags(argc, argv);
    std::reverse(args.begin(), args.end());  // CLI11 consumes the vector from the back
    app.parse(args);
    if (auto leftover = bpfc::cli::describe_leftover_words(app)) return report_usage_error(app, *leftover);
    for (const auto& subcommand : subcommands) {
      if (subcommand.command->parsed()) return subcommand.run();
    }
    return report_usage_error(app, "no command given");
  } catch (const CLI::Success& e) {
    // --help, --version: printed through stdio like every other output, so
    // that a write error keeps its errno for finish_standard_output().
    std::ostringstream text;
    const int status = app.exit(e, text);
    std::fputs(text.str().c_str(), stdout);
    return status;
  } catch (const CLI::ParseError& e) {
    return report_usage_error(app, bpfc::cli::describe_parse_error(app, e));
  } catch (const bpfc::cli::UsageError& e) {
    return report_usage_error(app, e.what());
  } catch (const bpfc::cli::InputError& e) {
    std::fprintf(stderr, "bpfc: %s\n", e.what());
    return bpfc::cli::kExitFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // A write to a pipe nobody reads fails with EPIPE instead of killing bpfc:
  // standard_output.h turns it into the quiet end of the job.
  std::signal(SIGPIPE, SIG_IGN);
  return bpfc::cli::finish_standard_output(run_command_line(argc, argv));
}
