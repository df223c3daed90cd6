// `bpfc filter`: runs a filter expression over pcap/pcapng savefiles, like
// `tcpdump -r in -w out expr`, writing the packets it keeps to a savefile or
// one summary line per packet to standard output.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_status.h"
#include "commands.h"
#include "compile_settings.h"
#include "engine_option.h"
#include "option_values.h"
#include "print_options.h"
#include "rotation_flags.h"
#include "savefile_filter.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct FilterCommandOptions {
  std::vector<std::string> inputs;
  std::string input_list;  // -V: a file naming the inputs, one per line
  std::string output;
  RotationFlags rotation;  // -C, -G, -W
  std::optional<uint64_t> count;
  bool count_only = false;  // --count
  std::string format;  // empty: the first input's
  bool nanosecond = false;
  bool read_files = false;  // --no-mmap (--mmap, the default, changes nothing)
  std::string linktype;  // empty: each file's own
  std::string filter_file;
  std::string netmask;
  int opt_level = 2;
  std::string engine{exec::kDefaultEngine};
  exec::EngineSettings engine_settings;
  std::vector<std::string> words;
  PrintFlags print;
};

// The usage errors that need no file: found before anything is read.
void check_usage(const FilterCommandOptions& options) {
  if (!options.filter_file.empty() && !options.words.empty()) {
    throw UsageError("give the expression either with -F or on the command line, not both");
  }
  if (options.inputs.empty() == options.input_list.empty()) {
    throw UsageError(options.inputs.empty()
                         ? "bpfc filter needs -r FILE (a savefile to read) or -V FILE (a file listing them)"
                         : "-r and -V cannot be combined, as in tcpdump: list every input in the -V file");
  }
  if (options.count_only && options.output == "-") {
    throw UsageError("--count prints the count on standard output, which -w - already uses");
  }
  size_t stdin_readers = 0;
  for (const std::string& input : options.inputs) stdin_readers += input == "-";
  if (stdin_readers > 1) throw UsageError("standard input ('-r -') can be read only once");
  if (options.filter_file == "-" && (stdin_readers > 0 || options.input_list == "-")) {
    throw UsageError("-F - and " + std::string(stdin_readers > 0 ? "-r -" : "-V -") +
                     " cannot both read standard input");
  }
}

SavefileFilterOptions to_filter_options(const FilterCommandOptions& options) {
  SavefileFilterOptions filter;
  filter.inputs = options.inputs;
  filter.compile.opt_level = options.opt_level;
  if (!options.netmask.empty()) filter.compile.netmask = parse_netmask_option(options.netmask);
  if (!options.linktype.empty()) filter.forced_dlt = parse_linktype_option(options.linktype);
  filter.engine = options.engine;
  filter.engine_settings = options.engine_settings;
  filter.max_matches = options.count;
  filter.count_only = options.count_only;
  if (!options.output.empty()) filter.output = options.output;
  if (options.format == "pcap") filter.format = capture::SavefileFormat::Pcap;
  if (options.format == "pcapng") filter.format = capture::SavefileFormat::Pcapng;
  if (filter.format && !filter.output) throw UsageError("--format applies to the -w output only");
  filter.rotation = to_rotation(options.rotation, options.output);
  filter.nanosecond = options.nanosecond;
  filter.map_files = !options.read_files;
  const char* no_lines_because = filter.output    ? "with -w nothing is printed"
                                 : filter.count_only ? "with --count only the count is printed"
                                                     : nullptr;
  filter.print = resolve_print_options(options.print, no_lines_because, options.nanosecond);
  return filter;
}

int run_filter(const FilterCommandOptions& options) {
  check_usage(options);
  SavefileFilterOptions filter = to_filter_options(options);
  if (!options.input_list.empty()) {
    std::string error;
    auto inputs = read_file_list(options.input_list, error);
    if (!inputs) return report_failure(error);
    size_t stdin_readers = 0;
    for (const std::string& input : *inputs) stdin_readers += input == "-";
    if (stdin_readers > (options.input_list == "-" ? 0 : 1) || (stdin_readers > 0 && options.filter_file == "-")) {
      return report_failure(input_display_name(options.input_list) +
                            ": names standard input ('-'), which is already read");
    }
    filter.inputs = std::move(*inputs);
  }
  std::string error;
  auto expression = read_filter_expression(options.words, options.filter_file, error);
  if (!expression) return report_failure(error);
  filter.expression = std::move(expression->text);
  filter.expression_file = std::move(expression->file);
  return run_savefile_filter(filter);
}

constexpr const char* kFilterExamples = R"(Examples:
  bpfc filter -r in.pcap tcp port 80          # one line per matching packet
  bpfc filter -r in.pcap -w out.pcap 'tcp[tcpflags] & tcp-syn != 0'
  bpfc filter -r a.pcapng -r b.pcap -w all.pcapng udp   # several inputs, in order
  bpfc filter -V inputs.txt -w all.pcap tcp   # the inputs listed in a file
  bpfc filter -r in.pcapng -w out.pcap --format pcap --nano   # convert
  bpfc filter -r - -w - icmp < in.pcap | tcpdump -r -         # a pipeline stage
  bpfc filter -r in.pcap -c 10 -F filter.txt  # first 10 matches; '#' comments
  bpfc filter -r in.pcap --count tcp          # only the number: "N packets"
  bpfc filter -n -q -r in.pcap udp            # tcpdump's -n and -q are accepted
  bpfc filter -r in.pcap.gz -w out.pcap tcp   # compressed input (gzip, xz, zstd)
  bpfc filter -r in.pcap -w part -C 100       # part, part1, part2, ... of ~100 MB
  bpfc filter -r in.pcap -w ring -C 10 -W 5   # ring0 .. ring4, the oldest overwritten

Without -w, each packet kept prints one line like `tcpdump -n -q` (local time;
--nano for nanoseconds). Without an expression every packet is kept. The
filter is compiled once per link type found in the inputs (pcapng files may
mix several), with each interface's snaplen; -y LINKTYPE instead compiles for
and reads every packet as that link type, and labels pcap output with it
(pcapng inputs copied to pcapng keep their interface blocks). A pcap file
holds one link type: inputs with several need --format pcapng, which is
checked before the output is created (for pcapng inputs, as far as the
interfaces they describe before their first packets tell). The output
format defaults to the first input's, its timestamp precision too (--nano
forces nanoseconds). At the end "N packets read, M matched" goes to stderr;
with stderr on a terminal and more than 300 MB of input, a progress line too.
--count prints "N packets" (the matches) on stdout instead of the lines, as
tcpdump --count does; with -w FILE the packets are written too. -V FILE reads
the savefiles named in FILE, one per line (a trailing CR is ignored, empty
lines are skipped); as in tcpdump it cannot be combined with -r. -n and -q do
nothing: bpfc never resolves names, and its lines are tcpdump -q's already.
When the reader of the output goes away (`| head`), the job ends there with
status 0 and the counts say so.
Inputs compressed with gzip, xz or zstd are recognized by their content (not
their name) and decompressed on the fly; a compressed file cut short is
damaged (status 3) after the packets before the cut. Output is uncompressed.
-C, -G and -W split the -w output over several files with tcpdump's names and
rules: -C SIZE starts the next file (FILE1, FILE2, ...) before a packet once the
current one holds more than SIZE * 1,000,000 bytes; with -W COUNT the files form
a ring FILE0..FILE{COUNT-1} (digits zero-padded to the width of COUNT-1) that
overwrites the oldest. -G SECONDS expands strftime(3) patterns in FILE with the
local time its file was opened and starts a new file before a packet once
SECONDS seconds of the clock have passed: as in tcpdump, reading a savefile goes
by the wall clock, not by the packets' timestamps, so a file read in less than
SECONDS gives one file. -G with -W and without -C stops after COUNT files
("Maximum file limit reached"). Every file is complete: pcap files have their
header, pcapng files start with the section header and the interface blocks.

Exit status: 0 ok; 1 refused: the filter does not compile, a file cannot be
opened or created, an input is not a savefile, a write error, pcap output for
several link types; 2 bad command line; 3 an input savefile is damaged part-way
(truncated, corrupt length): the message gives its byte offset, everything
before the damage was processed, and the output written so far is complete
and readable. Reader warnings (e.g. a caplen above the snaplen) are printed
once each and do not change the status.)";

}  // namespace

Subcommand add_filter_command(CLI::App& app) {
  auto options = std::make_shared<FilterCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "filter", "Filter pcap/pcapng savefiles: keep the packets an expression matches (like tcpdump -r -w)");
  command->add_option("-r,--read", options->inputs, "Savefile to read ('-' is stdin); repeat to read several, in order")
      ->allow_extra_args(false)  // `-r a b` is file a and expression word b
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("FILE");
  command->add_option("-V", options->input_list,
                      "Read the savefiles named in FILE, one per line ('-' is stdin), in order, as tcpdump -V "
                      "does; not combinable with -r")
      ->type_name("FILE");
  command->add_option("-w,--write", options->output,
                      "Write the kept packets to FILE ('-' is stdout) instead of printing one line each")
      ->type_name("FILE");
  add_rotation_options(*command, options->rotation);
  add_number_option(*command, "-c", options->count, {.noun = "count", .min = 1, .max = UINT64_MAX},
                    "Stop after COUNT matching packets", "COUNT");
  command->add_flag("--count", options->count_only,
                    "Print only the number of matching packets (\"N packets\"), as tcpdump --count does");
  add_choice_option(*command, "--format", options->format, "format", {"pcap", "pcapng"},
                    "Output format (default: the first input's)");
  command->add_flag("--nano", options->nanosecond,
                    "Nanosecond timestamps: in pcap output, and nine digits in summary lines");
  command->add_flag("--mmap")->description("Map regular input files (the default; pipes and standard input are read)");
  command->add_flag("--no-mmap", options->read_files,
                    "Read regular input files through a buffer instead of mapping them, whatever --mmap says: for a "
                    "file that another process may cut short meanwhile");
  command->add_option("-y,--linktype", options->linktype,
                      "Compile for, and read every packet as, this link type (EN10MB, RAW, LINUX_SLL, ... or a "
                      "DLT number) whatever the files say")
      ->type_name("LINKTYPE");
  command->add_option("-F,--file", options->filter_file,
                      "Read the expression from FILE ('-' is stdin); '#' comments out the rest of a line")
      ->type_name("FILE");
  command->add_option("-m,--netmask", options->netmask,
                      "IPv4 netmask for 'ip broadcast': a prefix length (24 or /24) or a contiguous mask "
                      "(255.255.255.0, 0xffffff00); unknown by default")
      ->type_name("NETMASK");
  command->add_flag_callback("-O", [options] { options->opt_level = 2; }, "Optimize (the default)");
  add_number_option(*command, "--opt-level", options->opt_level, {.noun = "optimization level", .max = 2},
                    "Optimization level 0..2; -O0 is --opt-level=0 (libpcap's optimize=0 semantics)", "LEVEL");
  add_engine_option(*command, options->engine, options->engine_settings);
  command->add_flag_callback("-n", [] {}, "Accepted for tcpdump's sake: bpfc never turns addresses into names");
  command->add_flag_callback("-q", [] {}, "Accepted for tcpdump's sake: the lines already are tcpdump -q's");
  command->add_option("expression", options->words,
                      "The filter expression; several words are joined with spaces. None keeps every packet");
  command->footer(kFilterExamples);
  add_print_options(*command, options->print);
  return {command, [options] { return run_filter(*options); }};
}

}  // namespace bpfc::cli
