// `bpfc help [COMMAND]`: the same text as `bpfc [COMMAND] --help`.
#include <cstdio>
#include <memory>
#include <string>

#include "cli_status.h"
#include "commands.h"
#include "linktype_listing.h"

namespace bpfc::cli {

Subcommand add_help_command(CLI::App& app) {
  auto topic = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("help", "Explain a command (bpfc help compile) or the link types (bpfc help linktypes)");
  command->add_option("topic", *topic, "a command (compile, asm, verify, run, filter, rpcap, help, completion) or linktypes")
      ->type_name("TOPIC");
  CLI::App* top = &app;
  return {command, [topic, top] {
            if (topic->empty()) {
              // top->help() would describe the selected subcommand, `help` itself.
              std::string text = top->get_formatter()->make_help(top, top->get_name(), CLI::AppFormatMode::Normal);
              std::fputs(text.c_str(), stdout);
              return kExitOk;
            }
            if (*topic == "linktypes") {
              std::fputs(linktype_help().c_str(), stdout);
              return kExitOk;
            }
            CLI::App* subcommand = nullptr;
            try {
              subcommand = top->get_subcommand(*topic);
            } catch (const CLI::OptionNotFound&) {
              throw UsageError("unknown command '" + *topic + "'");
            }
            std::fputs(subcommand->help(top->get_name()).c_str(), stdout);
            return kExitOk;
          }};
}

}  // namespace bpfc::cli
