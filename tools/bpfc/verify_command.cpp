// `bpfc verify`: checks a program against libpcap's bpf_validate() rules or
// the Linux kernel's classic BPF checks, naming the first bad instruction.
#include <cstdio>
#include <memory>
#include <string>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "cli_status.h"
#include "commands.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct VerifyCommandOptions {
  bool kernel = false;
  std::string input = "-";
};

int run_verify(const VerifyCommandOptions& options) {
  auto program = read_program_input(options.input);
  if (!program) return kExitFailure;
  auto rules = options.kernel ? runtime::ValidationRules::LinuxKernel : runtime::ValidationRules::Libpcap;
  const char* rules_name = options.kernel ? "the Linux kernel's" : "libpcap's";
  if (auto invalid = runtime::validate_cbpf(*program, rules)) {
    std::string message = "invalid program under " + std::string(rules_name) + " rules: instruction " +
                          std::to_string(invalid->index) + ": " + invalid->message;
    if (invalid->index < program->size()) {
      message += "\n    " + cbpf::format_insn((*program)[invalid->index], invalid->index);
    }
    return report_failure(message);
  }
  std::printf("valid under %s rules: %zu instructions\n", rules_name, program->size());
  return kExitOk;
}

constexpr const char* kExamples = R"(Examples:
  bpfc compile tcp | bpfc verify
  bpfc verify --kernel prog.txt
  tcpdump -ddd udp | bpfc verify -

Exit status: 0 valid, 1 invalid (the first problem and its instruction index
on stderr) or unreadable input, 2 bad command line.)";

}  // namespace

Subcommand add_verify_command(CLI::App& app) {
  auto options = std::make_shared<VerifyCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "verify", "Check a -d/-dd/-ddd program with libpcap's or the Linux kernel's validator");
  command->add_flag("--kernel", options->kernel,
                    "Apply the Linux kernel's classic BPF checks instead of libpcap's bpf_validate()");
  command->add_option("file", options->input, "The program text; '-' or nothing reads stdin");
  command->footer(kExamples);
  return {command, [options] { return run_verify(*options); }};
}

}  // namespace bpfc::cli
