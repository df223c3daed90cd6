#include "compile_settings.h"

#include <charconv>

#include "bpfc/compat/linktype_support.h"
#include "bpfc/optimizer/pass_manager.h"
#include "cli_status.h"
#include "option_values.h"

namespace bpfc::cli {
namespace {

constexpr uint32_t kDefaultSnaplen = 262144;

// A prefix length: "24" or "/24", 0 to 32 (decimal).
std::optional<uint32_t> parse_prefix_length(std::string_view text) {
  if (text.starts_with('/')) text.remove_prefix(1);
  unsigned bits = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits, 10);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || bits > 32) return std::nullopt;
  return bits == 0 ? 0u : ~uint32_t{0} << (32 - bits);
}

std::optional<uint32_t> parse_hex_mask(std::string_view text) {
  text.remove_prefix(2);  // 0x
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A mask as the 32-bit number pcap_compile() takes, written in decimal
// (4294967040); only above 32, as smaller numbers are prefix lengths.
std::optional<uint32_t> parse_decimal_mask(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Ones followed by zeros: 255.255.255.0 is, 255.0.255.0 is not.
bool is_contiguous(uint32_t mask) {
  const uint32_t host_bits = ~mask;
  return (host_bits & (host_bits + 1)) == 0;
}

std::optional<uint32_t> parse_dotted_quad(std::string_view text) {
  uint32_t value = 0;
  int parts = 0;
  while (true) {
    size_t dot = text.find('.');
    std::string_view part = text.substr(0, dot);
    unsigned byte = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), byte, 10);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || byte > 255) {
      return std::nullopt;
    }
    value = (value << 8) | byte;
    ++parts;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  if (parts != 4) return std::nullopt;
  return value;
}

std::string valid_pass_names() {
  std::string names;
  for (const opt::Pass& pass : opt::registered_passes()) {
    if (!names.empty()) names += ", ";
    names += pass.name;
  }
  return names;
}

}  // namespace

std::optional<uint32_t> parse_netmask(std::string_view text, std::string& problem) {
  const std::string forms =
      "a prefix length is 0 to 32; a mask is a dotted quad (255.255.255.0) or a number (0xffffff00)";
  std::optional<uint32_t> mask;
  bool decimal = false;
  if (text.find('.') != std::string_view::npos) {
    mask = parse_dotted_quad(text);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    mask = parse_hex_mask(text);
  } else if (auto prefix = parse_prefix_length(text)) {
    return prefix;
  } else if (!text.starts_with('/')) {
    mask = parse_decimal_mask(text);
    decimal = true;
  }
  // A decimal number that is no mask was most likely meant as a prefix.
  if (!mask || (decimal && !is_contiguous(*mask))) {
    problem = forms;
    return std::nullopt;
  }
  if (!is_contiguous(*mask)) {
    problem = "not a contiguous mask: its one bits must all come before its zero bits";
    return std::nullopt;
  }
  return mask;
}

uint32_t parse_netmask_option(const std::string& text) {
  std::string problem;
  auto mask = parse_netmask(text, problem);
  if (!mask) throw UsageError("invalid netmask '" + text + "' (" + problem + ")");
  return *mask;
}

uint32_t parse_linktype_option(const std::string& text) {
  auto dlt = linktype_from_string(text);
  if (!dlt || !linktype_support(*dlt).known) {
    throw UsageError("unknown link type '" + text + "' (bpfc compile -L lists the link types)");
  }
  return *dlt;
}

void add_compile_settings_options(CLI::App& command, CompileSettings& settings) {
  command.add_option("-y,--linktype", settings.linktype,
                     "Link type as libpcap names it (EN10MB, RAW, LINUX_SLL, ...; case-insensitive, "
                     "DLT_ prefix optional) or its DLT number; bpfc compile -L lists them")
      ->type_name("LINKTYPE")
      ->default_str("EN10MB");
  add_number_option(command, "-s,--snaplen", settings.snaplen, {.noun = "snaplen"},
                    "Snapshot length: the value an accepting filter returns; 0 means 262144, as in tcpdump",
                    "SNAPLEN")
      ->default_str("262144");
  command.add_option("-m,--netmask", settings.netmask,
                     "IPv4 netmask of the capture network, needed by 'ip broadcast': a prefix length (24 "
                     "or /24), or a contiguous mask as a dotted quad (255.255.255.0) or in hex "
                     "(0xffffff00); unknown by default")
      ->type_name("NETMASK");
  command.add_flag_callback("-O", [&settings] { settings.opt_level = 2; }, "Optimize (the default)");
  add_number_option(command, "--opt-level", settings.opt_level, {.noun = "optimization level", .min = 0, .max = 2},
                    "Optimization level 0..2; -O0 is --opt-level=0. 0 gives the program "
                    "pcap_compile(optimize=0) would (tcpdump -O); 1 and 2 give optimize=1's",
                    "LEVEL");
  add_choice_option(command, "--protochain", settings.protochain, "protochain form", {"loop", "unrolled"},
                    "How 'protochain' is compiled: 'loop' (the default) is libpcap's loop, with its "
                    "verdict on every packet; it runs in user space (bpfc, libpcap), but the Linux "
                    "kernel refuses its backward jump. 'unrolled' follows at most "
                    "--protochain-depth headers and rejects packets with longer chains, which "
                    "the kernel accepts; bpfc warns what it rejects")
      ->default_str("loop");
  add_number_option(command, "--protochain-depth", settings.protochain_depth,
                    {.noun = "protochain depth", .min = 1, .max = opt::kMaxProtochainDepth},
                    "With --protochain=unrolled: how many extension (or AH) headers the walk follows, 1.." +
                        std::to_string(opt::kMaxProtochainDepth) +
                        "; the default keeps 'ip6 protochain 6 or ip6 protochain 17' within the kernel's "
                        "4,096 instructions",
                    "DEPTH")
      ->default_str(std::to_string(opt::kDefaultProtochainDepth));
}

void add_pass_debug_options(CLI::App& command, PassDebugSettings& settings) {
  command.add_option("--print-after", settings.print_after,
                     "Print the IR on stderr after each run of pass PASS (repeatable). Passes: " +
                         valid_pass_names())
      ->allow_extra_args(false)  // `--print-after P tcp` is pass P and expression word tcp
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("PASS");
  command.add_flag("--print-after-all", settings.print_after_all, "Print the IR on stderr after every pass");
  command.add_flag("--stats", settings.stats,
                   "Print on stderr what each optimizer pass changed and how long it took, and the "
                   "final program's size");
}

void check_pass_names(const PassDebugSettings& settings) {
  for (const std::string& name : settings.print_after) {
    if (opt::find_pass(name) == nullptr) {
      throw UsageError("unknown pass '" + name + "' in --print-after; the passes are: " + valid_pass_names());
    }
  }
}

CompileOptions to_compile_options(const CompileSettings& settings) {
  CompileOptions options;
  options.linktype = parse_linktype_option(settings.linktype);
  options.snaplen = settings.snaplen == 0 ? kDefaultSnaplen : settings.snaplen;
  if (!settings.netmask.empty()) options.netmask = parse_netmask_option(settings.netmask);
  options.opt_level = settings.opt_level;
  options.protochain = settings.protochain == "unrolled" ? ProtochainForm::Unrolled : ProtochainForm::Loop;
  options.protochain_depth = settings.protochain_depth;
  return options;
}

void report_compile_notes(const std::vector<std::string>& notes, const SourceText& source) {
  for (const std::string& note : notes) report(warning(note), source);
}

}  // namespace bpfc::cli
