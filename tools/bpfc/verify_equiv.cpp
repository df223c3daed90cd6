#include "verify_equiv.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <string_view>
#include <vector>

#include "bpfc/driver/compile.h"
#include "bpfc/runtime/equivalence.h"
#include "cli_status.h"
#include "option_values.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

// One side of the comparison and how `bpfc run` would load it again.
struct Side {
  cbpf::Program program;
  std::string replay;  // "bpfc run -p FILE" / "bpfc run -e 'EXPR' ..."; empty for stdin
};

bool shell_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_-./:=+,@%").find(c) != std::string_view::npos;
}

std::string shell_quote(const std::string& word) {
  bool safe = !word.empty();
  for (char c : word) safe = safe && shell_safe(c);
  if (safe) return word;
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted.push_back(c);
    }
  }
  return quoted + "'";
}

std::string hex(const std::vector<uint8_t>& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : bytes) {
    text.push_back(digits[byte >> 4]);
    text.push_back(digits[byte & 0xf]);
  }
  return text;
}

// The compile options given on the command line, spelled for `bpfc run`.
std::string settings_arguments(const CompileSettings& settings, int opt_level) {
  const CompileSettings defaults;
  std::string args;
  if (settings.linktype != defaults.linktype) args += " -y " + shell_quote(settings.linktype);
  if (settings.snaplen != defaults.snaplen) args += " -s " + std::to_string(settings.snaplen);
  if (!settings.netmask.empty()) args += " -m " + shell_quote(settings.netmask);
  if (opt_level != defaults.opt_level) args += " -O" + std::to_string(opt_level);
  return args;
}

// libpcap's message when its optimizer proves a filter can never match.
constexpr const char* kRejectsAllPackets = "expression rejects all packets";

// Whether compiling `input` failed only because libpcap's optimizer refuses a
// filter that can never match: that is its single refusal, and the
// unoptimized compilation (optimize=0) of the same filter succeeds.
bool refused_as_never_matching(const std::string& input, const std::vector<Diagnostic>& errors,
                               const CompileSettings& settings) {
  if (settings.opt_level == 0 || errors.size() != 1 || errors[0].message != kRejectsAllPackets) return false;
  CompileSettings unoptimized = settings;
  unoptimized.opt_level = 0;
  return compile_cbpf(input, to_compile_options(unoptimized)).ok();
}

// Whether `input` names a file: one exists under that name, or looking it up
// failed for a reason other than its absence (a directory on the way that may
// not be searched): reading it then says why.
bool names_a_file(const std::string& input) {
  struct stat status;
  if (::stat(input.c_str(), &status) == 0) return true;
  return errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG;
}

// A file when `input` names one ('-' is standard input), otherwise an
// expression compiled with the command line's settings.
std::optional<Side> load_side(const std::string& input, int opt_level, const CompileSettings& settings) {
  if (input == "-" || names_a_file(input)) {
    auto program = read_program_input(input);
    if (!program) return std::nullopt;
    return Side{std::move(*program), input == "-" ? "" : "bpfc run -p " + shell_quote(input)};
  }
  CompileSettings side_settings = settings;
  side_settings.opt_level = opt_level;
  auto program = compile_cbpf(input, to_compile_options(side_settings));
  if (!program && refused_as_never_matching(input, program.errors(), side_settings)) {
    std::fprintf(stderr,
                 "bpfc: note: '%s' matches no packet: libpcap's optimizer refuses it (\"%s\"); it is "
                 "compared as the program that returns 0 for every packet\n",
                 input.c_str(), kRejectsAllPackets);
    // -O0 compiles it, to the program that returns 0 on every packet.
    return Side{cbpf::Program{cbpf::stmt(cbpf::RET | cbpf::K, 0)},
                "bpfc run -e " + shell_quote(input) + settings_arguments(settings, 0)};
  }
  if (!program) {
    report_failure("'" + input + "' is neither a file nor an expression bpfc compiles:");
    report_diagnostics(program.errors(), input);
    return std::nullopt;
  }
  return Side{std::move(*program), "bpfc run -e " + shell_quote(input) + settings_arguments(settings, opt_level)};
}

std::string packet_range(const EquivOptions& options) {
  if (options.min_length == 0) return "up to " + std::to_string(options.max_length) + " bytes";
  if (options.min_length == options.max_length) return std::to_string(options.max_length) + " bytes";
  return std::to_string(options.min_length) + " to " + std::to_string(options.max_length) + " bytes";
}

void print_difference(const runtime::Counterexample& example, const Side& a, const Side& b) {
  const std::string packet = example.packet.empty() ? "''" : hex(example.packet);
  std::printf("differ: A returns %u, B returns %u on this packet of %zu bytes (wirelen %u):\n%s\n",
              example.value_a, example.value_b, example.packet.size(), example.wirelen,
              example.packet.empty() ? "(no captured bytes)" : packet.c_str());
  const std::string replay_arguments = " --wirelen " + std::to_string(example.wirelen) + " " + packet;
  bool first = true;
  for (const Side* side : {&a, &b}) {
    if (side->replay.empty()) continue;
    std::printf("%s %s%s\n", first ? "replay:" : "       ", side->replay.c_str(), replay_arguments.c_str());
    first = false;
  }
}

}  // namespace

void add_equiv_options(CLI::App& command, EquivOptions& options, CLI::Option* equiv) {
  add_compile_settings_options(command, options.settings);
  for (const char* name :
       {"--linktype", "--snaplen", "--netmask", "--opt-level", "-O", "--protochain", "--protochain-depth"}) {
    command.get_option(name)->needs(equiv);
  }
  const NumberRule level{.noun = "optimization level", .max = 2};
  const std::vector<CLI::Option*> equiv_only = {
      add_number_option(command, "--opt-a", options.opt_a, level,
                        "Optimization level 0..2 for A when it is an expression (default: --opt-level)", "LEVEL"),
      add_number_option(command, "--opt-b", options.opt_b, level,
                        "Optimization level 0..2 for B when it is an expression", "LEVEL"),
      add_number_option(command, "--length", options.max_length, {.noun = "length"},
                        "Compare on every packet of up to N captured bytes (at most 16384)")
          ->default_str("128"),
      add_number_option(command, "--min-length", options.min_length, {.noun = "length"},
                        "Only packets of at least N captured bytes")
          ->default_str("0"),
      add_number_option(command, "--timeout", options.timeout_ms, {.noun = "timeout"},
                        "Give up after MS milliseconds of solving (0: never)", "MS")
          ->default_str("10000"),
      command.add_flag("--verdict-only", options.verdict_only,
                       "Compare accept/reject only, not the number of bytes kept"),
  };
  for (CLI::Option* option : equiv_only) option->needs(equiv);
}

int run_equiv(const std::string& a_input, const std::string& b_input, const EquivOptions& options) {
  if (a_input == "-" && b_input == "-") throw UsageError("only one of A and B can be read from standard input");
  to_compile_options(options.settings);  // usage errors before any work
  runtime::EquivalenceOptions check;
  check.max_length = options.max_length;
  check.min_length = options.min_length;
  check.timeout_ms = options.timeout_ms;
  check.compare = options.verdict_only ? runtime::EquivalenceComparison::Verdict
                                       : runtime::EquivalenceComparison::ReturnValue;
  if (check.max_length > runtime::kMaxEquivalencePacketLength) {
    throw UsageError("--length " + std::to_string(check.max_length) + " is above the limit of " +
                     std::to_string(runtime::kMaxEquivalencePacketLength));
  }
  if (check.min_length > check.max_length) throw UsageError("--min-length is larger than --length");

  auto a = load_side(a_input, options.opt_a.value_or(options.settings.opt_level), options.settings);
  if (!a) return kExitFailure;
  auto b = load_side(b_input, options.opt_b.value_or(options.settings.opt_level), options.settings);
  if (!b) return kExitFailure;

  auto result = runtime::check_equivalence(a->program, b->program, check);
  if (!result) return report_failure(result.error().message);
  switch (result->verdict) {
    case runtime::EquivalenceVerdict::Equivalent:
      std::printf("equivalent%s for every packet of %s (%.0f ms)\n", options.verdict_only ? " verdicts" : "",
                  packet_range(options).c_str(), result->solver_ms);
      return kExitOk;
    case runtime::EquivalenceVerdict::Different:
      print_difference(*result->counterexample, *a, *b);
      return kExitFailure;
    case runtime::EquivalenceVerdict::Unknown:
      break;
  }
  std::printf("unknown: %s\n", result->message.c_str());
  return kExitUndecided;
}

}  // namespace bpfc::cli
