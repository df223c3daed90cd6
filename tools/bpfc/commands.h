// The bpfc subcommands. Each one registers its options on the top-level app
// and returns the action to run once the command line has been parsed.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace bpfc::cli {

struct Subcommand {
  CLI::App* command = nullptr;
  std::function<int()> run;  // returns the exit status
};

Subcommand add_compile_command(CLI::App& app);
Subcommand add_asm_command(CLI::App& app);
Subcommand add_verify_command(CLI::App& app);
Subcommand add_run_command(CLI::App& app);
Subcommand add_filter_command(CLI::App& app);
Subcommand add_capture_command(CLI::App& app);
Subcommand add_replay_command(CLI::App& app);
Subcommand add_help_command(CLI::App& app);
Subcommand add_rpcap_command(CLI::App& app);

}  // namespace bpfc::cli
