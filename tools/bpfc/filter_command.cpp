// `bpfc filter`: runs a filter expression over pcap/pcapng savefiles, like
// `tcpdump -r in -w out expr`, writing the packets it keeps to a savefile or
// one summary line per packet to standard output.
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/frontend/linktype.h"
#include "cli_status.h"
#include "commands.h"
#include "compile_settings.h"
#include "savefile_filter.h"
#include "text_input.h"

namespace bpfc::cli {
namespace {

struct FilterCommandOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::optional<uint64_t> count;
  std::string format;  // empty: the first input's
  bool nanosecond = false;
  bool map_files = false;
  std::string linktype;  // empty: each file's own
  std::string filter_file;
  std::string netmask;
  int opt_level = 2;
  std::vector<std::string> words;
};

SavefileFilterOptions to_filter_options(const FilterCommandOptions& options) {
  if (!options.filter_file.empty() && !options.words.empty()) {
    throw UsageError("give the expression either with -F or on the command line, not both");
  }
  size_t stdin_inputs = 0;
  for (const std::string& input : options.inputs) stdin_inputs += input == "-";
  if (stdin_inputs > 1) throw UsageError("standard input ('-r -') can be read only once");
  if (options.filter_file == "-" && stdin_inputs > 0) {
    throw UsageError("-F - and -r - cannot both read standard input");
  }

  SavefileFilterOptions filter;
  filter.inputs = options.inputs;
  filter.compile.opt_level = options.opt_level;
  if (!options.netmask.empty()) {
    auto netmask = parse_netmask(options.netmask);
    if (!netmask) throw UsageError("invalid netmask '" + options.netmask + "'");
    filter.compile.netmask = *netmask;
  }
  if (!options.linktype.empty()) {
    auto dlt = linktype_from_string(options.linktype);
    if (!dlt) throw UsageError("unknown link type '" + options.linktype + "'");
    filter.forced_dlt = *dlt;
  }
  filter.max_matches = options.count;
  if (!options.output.empty()) filter.output = options.output;
  if (options.format == "pcap") filter.format = capture::SavefileFormat::Pcap;
  if (options.format == "pcapng") filter.format = capture::SavefileFormat::Pcapng;
  if (filter.format && !filter.output) throw UsageError("--format applies to the -w output only");
  filter.nanosecond = options.nanosecond;
  filter.map_files = options.map_files;
  return filter;
}

int run_filter(const FilterCommandOptions& options) {
  SavefileFilterOptions filter = to_filter_options(options);
  if (options.filter_file.empty()) {
    filter.expression = join_words(options.words);
  } else {
    std::string error;
    auto contents = read_text_input(options.filter_file, error);
    if (!contents) return report_failure(error);
    filter.expression = blank_out_comments(std::move(*contents));
  }
  // An expression of blanks (or only comments) keeps everything, as in
  // tcpdump; it also needs no link type the compiler knows.
  if (filter.expression.find_first_not_of(" \t\r\n") == std::string::npos) filter.expression.clear();
  // A reader that goes away (`bpfc filter ... -w - | head -c 100`) ends the
  // run quietly, as it does tcpdump, even if our parent ignored SIGPIPE.
  std::signal(SIGPIPE, SIG_DFL);
  return run_savefile_filter(filter);
}

constexpr const char* kExamples = R"(Examples:
  bpfc filter -r in.pcap tcp port 80          one line per matching packet
  bpfc filter -r in.pcap -w out.pcap 'tcp[tcpflags] & tcp-syn != 0'
  bpfc filter -r a.pcapng -r b.pcap -w all.pcapng udp     several inputs, in order
  bpfc filter -r in.pcapng -w out.pcap --nano  convert, nanosecond timestamps
  bpfc filter -r - -w - icmp < in.pcap | tcpdump -r -    a pipeline stage
  bpfc filter -r in.pcap -c 10 -F filter.txt  first 10 matches; '#' comments
  bpfc filter -r in.pcap.gz -w out.pcap tcp   compressed input (gzip, xz, zstd)

Without -w, each packet kept prints one line like `tcpdump -n -q` (local time;
--nano for nanoseconds). Without an expression every packet is kept. The
filter is compiled once per link type found in the inputs (pcapng files may
mix several), with each interface's snaplen; -y LINKTYPE instead compiles for
and reads every packet as that link type, and labels pcap output with it
(pcapng inputs copied to pcapng keep their interface blocks). A pcap file
holds one link type: inputs with several need --format pcapng. The output
format defaults to the first input's, its timestamp precision too (--nano
forces nanoseconds). At the end "N packets read, M matched" goes to stderr;
with stderr on a terminal and more than 300 MB of input, a progress line too.
Inputs compressed with gzip, xz or zstd are recognized by their content (not
their name) and decompressed on the fly; a compressed file cut short is
damaged (status 3) after the packets before the cut. Output is uncompressed.

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
      ->required()
      ->allow_extra_args(false)  // `-r a b` is file a and expression word b
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("FILE");
  command->add_option("-w,--write", options->output,
                      "Write the kept packets to FILE ('-' is stdout) instead of printing one line each")
      ->type_name("FILE");
  command->add_option("-c,--count", options->count, "Stop after COUNT matching packets")
      ->check(CLI::PositiveNumber)
      ->type_name("COUNT");
  command->add_option("--format", options->format, "Output format: pcap or pcapng (default: the first input's)")
      ->check(CLI::IsMember({"pcap", "pcapng"}));
  command->add_flag("--nano", options->nanosecond,
                    "Nanosecond timestamps: in pcap output, and nine digits in summary lines");
  command->add_flag("--mmap", options->map_files,
                    "Map regular input files instead of reading them (faster on some machines, slower on VMs)");
  command->add_option("-y,--linktype", options->linktype,
                      "Compile for, and read every packet as, this link type (EN10MB, RAW, LINUX_SLL, ... or a "
                      "DLT number) whatever the files say");
  command->add_option("-F,--file", options->filter_file,
                      "Read the expression from FILE ('-' is stdin); '#' comments out the rest of a line");
  command->add_option("-m,--netmask", options->netmask,
                      "IPv4 netmask for 'ip broadcast' (dotted quad or number); unknown by default");
  command->add_flag_callback("-O", [options] { options->opt_level = 2; }, "Optimize (the default)");
  command->add_option("--opt-level", options->opt_level,
                      "Optimization level 0..2; -O0 is --opt-level=0 (libpcap's optimize=0 semantics)")
      ->check(CLI::Range(0, 2));
  command->add_option("expression", options->words,
                      "The filter expression; several words are joined with spaces. None keeps every packet");
  command->footer(kExamples);
  return {command, [options] { return run_filter(*options); }};
}

}  // namespace bpfc::cli
