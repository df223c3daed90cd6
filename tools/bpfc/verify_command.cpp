// `bpfc verify`: checks a program against libpcap's bpf_validate() rules or
// the Linux kernel's classic BPF checks, naming the first bad instruction;
// with --equiv, decides whether two programs or expressions are equivalent
// (see verify_equiv.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/runtime/ebpf_kernel.h"
#include "bpfc/runtime/ebpf_vm.h"
#include "cli_status.h"
#include "commands.h"
#include "ebpf_object_input.h"
#include "option_values.h"
#include "program_validation.h"
#include "text_input.h"
#include "verify_equiv.h"

namespace bpfc::cli {
namespace {

struct VerifyCommandOptions {
  std::string target = "cbpf";
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

// --target=ebpf: an eBPF object, checked with bpfc's rules (the kernel's
// structural ones) and, with --kernel, by the running kernel's verifier.
int run_ebpf_validation(const std::string& path, bool kernel) {
  auto object = read_ebpf_object(path);
  if (!object) return kExitFailure;
  const std::string name = input_display_name(path);
  if (auto invalid = runtime::validate_ebpf(object->program)) {
    return report_failure(name + ": " + invalid->describe());
  }
  const std::string what = std::to_string(object->program.size()) + " instructions, " +
                           std::string(ebpf::name(object->hook)) + " program '" + object->function + "'";
  if (!kernel) {
    std::printf("valid under bpfc's eBPF rules: %s\n", what.c_str());
    return kExitOk;
  }
  if (object->hook == ebpf::Hook::Func) {
    return report_failure(name + ": a func object is verified inside the program that calls it; link it into one "
                                 "(bpftool gen object) and verify that");
  }
  auto loaded = runtime::load_program(object->program, ebpf::program_type(object->hook),
                                      object->license.empty() ? "GPL" : object->license);
  if (!loaded) return report_failure(name + ": the kernel's verifier refuses it: " + loaded.error().describe());
  std::printf("the kernel's verifier accepts it: %s\n", what.c_str());
  return kExitOk;
}

int run_verify(const VerifyCommandOptions& options) {
  if (options.target == "ebpf") {
    if (options.equiv) throw UsageError("--equiv compares classic programs and expressions, not --target=ebpf");
    if (options.inputs.size() != 1) throw UsageError("verify --target=ebpf checks one object file");
    return run_ebpf_validation(options.inputs[0], options.kernel);
  }
  if (options.equiv) {
    if (options.inputs.size() != 2) {
      throw UsageError("--equiv compares exactly two inputs, A and B (quote expressions: 'tcp port 80')");
    }
    return run_equiv(options.inputs[0], options.inputs[1], options.equiv_options);
  }
  if (options.inputs.size() > 1) throw UsageError("verify checks one program; --equiv compares two");
  return run_validation(options.inputs.empty() ? "-" : options.inputs[0], options.kernel);
}

constexpr const char* kVerifyExamples = R"(Examples:
  bpfc compile tcp | bpfc verify
  bpfc verify --kernel prog.txt
  tcpdump -ddd udp | bpfc verify -
  bpfc verify --equiv prog.txt 'tcp port 80'      # a program against an expression
  bpfc verify --equiv 'ip and ip6' 'ip6 and arp'  # both match nothing: equivalent
  bpfc verify --equiv --opt-a 0 --opt-b 2 'ip[50] = 1 or 1 = 1' 'ip[50] = 1 or 1 = 1'
                                  # differ on truncated packets (status 1)
  bpfc verify --equiv --length 1514 --verdict-only old.txt new.txt
  bpfc verify --target=ebpf --kernel filter.o     # the kernel's verifier, its log on refusal

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
  auto* kernel = command->add_flag("--kernel", options->kernel,
                                   "Apply the Linux kernel's classic BPF checks instead of libpcap's bpf_validate(); "
                                   "with --target=ebpf, load the object through the running kernel's verifier");
  add_choice_option(*command, "--target", options->target, "target", {"cbpf", "ebpf"},
                    "What the input is: a classic program (cbpf: -d/-dd/-ddd text) or an eBPF object (ebpf: an ELF "
                    "file from bpfc compile --target=ebpf -o, clang or bpftool)")
      ->default_str("cbpf");
  auto* equiv = command->add_flag("--equiv", options->equiv,
                                  "Decide with Z3 whether programs/expressions A and B are equivalent");
  kernel->excludes(equiv);
  add_equiv_options(*command, options->equiv_options, equiv);
  command->add_option("inputs", options->inputs,
                      "The program text ('-' or nothing reads stdin); with --equiv, A and B: program "
                      "files or filter expressions")
      ->type_name("FILE");
  command->footer(kVerifyExamples);
  return {command, [options] { return run_verify(*options); }};
}

}  // namespace bpfc::cli
