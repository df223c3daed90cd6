// `bpfc verify`: checks a program against libpcap's bpf_validate() rules or
// the Linux kernel's classic BPF checks, naming the first bad instruction;
// with --equiv, decides whether two programs or expressions are equivalent
// (see verify_equiv.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bpfc/runtime/cbpf_vm.h"
#include "cli_status.h"
#include "commands.h"
#include "program_validation.h"
#include "text_input.h"
#include "verify_equiv.h"

namespace bpfc::cli {
namespace {

struct VerifyCommandOptions {
  bool kernel = false;
  bool equiv = false;
  EquivOptions equiv_options;
  std::vector<std::string> inputs;
};

int run_validation(const std::string& path, bool kernel) {
  auto input = read_program_file(path);
  if (!input) return kExitFailure;
  auto rules = kernel ? runtime::ValidationRules::LinuxKernel : runtime::ValidationRules::Libpcap;
  if (!check_program(*input, rules)) return kExitFailure;
  std::printf("valid under %s rules: %zu instructions\n", rules_name(rules), input->program.size());
  return kExitOk;
}

int run_verify(const VerifyCommandOptions& options) {
  if (options.equiv) {
    if (options.inputs.size() != 2) {
      throw UsageError("--equiv compares exactly two inputs, A and B (quote expressions: 'tcp port 80')");
    }
    return run_equiv(options.inputs[0], options.inputs[1], options.equiv_options);
  }
  if (options.inputs.size() > 1) throw UsageError("verify checks one program; --equiv compares two");
  return run_validation(options.inputs.empty() ? "-" : options.inputs[0], options.kernel);
}

constexpr const char* kExamples = R"(Examples:
  bpfc compile tcp | bpfc verify
  bpfc verify --kernel prog.txt
  tcpdump -ddd udp | bpfc verify -
  bpfc verify --equiv prog.txt 'tcp port 80'      # a program against an expression
  bpfc verify --equiv 'ip and ip6' 'ip6 and arp'  # both match nothing: equivalent
  bpfc verify --equiv --opt-a 0 --opt-b 2 'ip[50] = 1 or 1 = 1' 'ip[50] = 1 or 1 = 1'
                                  # differ on truncated packets (status 1)
  bpfc verify --equiv --length 1514 --verdict-only old.txt new.txt

--equiv: A and B are each a -d/-dd/-ddd program file or, when no file has
that name, a filter expression (compiled with -y/-s/-m and --opt-level, or
--opt-a/--opt-b per side). Z3 decides whether they return the same value on
every packet of up to --length captured bytes (every byte unknown, any wire
length at least the captured length), with libpcap's bpf_filter() semantics.
It prints "equivalent for every packet of up to N bytes", or "differ:" with a
packet in hex and the `bpfc run` commands that replay it, or "unknown:" and
the reason (the solver timed out; a loop, as in libpcap's protochain code,
would need more than 4,096 rounds unrolled for packets that long). An
expression libpcap's optimizer refuses as matching nothing ("expression
rejects all packets") is compared as the program that returns 0 for every
packet, with a note on stderr.

Exit status: 0 valid (--equiv: equivalent), 1 invalid or unreadable input
(the first problem and its instruction index on stderr; --equiv: the programs
differ, with the counterexample on stdout), 2 bad command line, 3 (--equiv)
undecided.)";

}  // namespace

Subcommand add_verify_command(CLI::App& app) {
  auto options = std::make_shared<VerifyCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "verify",
      "Check a -d/-dd/-ddd program with libpcap's or the Linux kernel's validator, or prove two "
      "programs or expressions equivalent (--equiv)");
  auto* kernel = command->add_flag(
      "--kernel", options->kernel, "Apply the Linux kernel's classic BPF checks instead of libpcap's bpf_validate()");
  auto* equiv = command->add_flag("--equiv", options->equiv,
                                  "Decide with Z3 whether programs/expressions A and B are equivalent");
  kernel->excludes(equiv);
  add_equiv_options(*command, options->equiv_options, equiv);
  command->add_option("inputs", options->inputs,
                      "The program text ('-' or nothing reads stdin); with --equiv, A and B: program "
                      "files or filter expressions")
      ->type_name("FILE");
  command->footer(kExamples);
  return {command, [options] { return run_verify(*options); }};
}

}  // namespace bpfc::cli
