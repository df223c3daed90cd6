#include "docs_commands.h"

#include <cstdio>
#include <memory>
#include <string>

#include "bash_completion.h"
#include "cli_status.h"
#include "man_page.h"

namespace bpfc::cli {
namespace {

constexpr const char* kCompletionExamples = R"(Examples:
  source <(bpfc completion bash)            completion in the current shell
  bpfc completion bash > ~/.local/share/bash-completion/completions/bpfc

Exit status: 0 printed, 2 bad command line.)";

}  // namespace

Subcommand add_completion_command(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("completion", "Print a shell completion script for bpfc");
  command->add_option("shell", *shell, "The shell: bash")->check(CLI::IsMember({"bash"}))->required();
  command->footer(kCompletionExamples);
  CLI::App* top = &app;
  // The lambda holds `shell`, which the option writes into.
  return {command, [shell, top] {
            std::string script = render_bash_completion(*top);
            std::fwrite(script.data(), 1, script.size(), stdout);
            return kExitOk;
          }};
}

Subcommand add_manpage_command(CLI::App& app, const char* version) {
  CLI::App* command = app.add_subcommand("manpage", "Print bpfc(1) in roff");
  command->group("");  // hidden: the build runs it
  CLI::App* top = &app;
  return {command, [top, version] {
            std::string page = render_man_page(*top, version);
            std::fwrite(page.data(), 1, page.size(), stdout);
            return kExitOk;
          }};
}

}  // namespace bpfc::cli
