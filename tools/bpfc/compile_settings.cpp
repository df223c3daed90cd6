#include "compile_settings.h"

#include <charconv>

#include "bpfc/frontend/linktype.h"
#include "bpfc/optimizer/pass_manager.h"
#include "cli_status.h"

namespace bpfc::cli {
namespace {

constexpr uint32_t kDefaultSnaplen = 262144;

std::optional<uint32_t> parse_number(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
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

std::optional<uint32_t> parse_netmask(std::string_view text) {
  if (text.find('.') != std::string_view::npos) return parse_dotted_quad(text);
  return parse_number(text);
}

void add_compile_settings_options(CLI::App& command, CompileSettings& settings) {
  command.add_option("-y,--linktype", settings.linktype,
                     "Link type as libpcap names it (EN10MB, RAW, LINUX_SLL, ...; case-insensitive, "
                     "DLT_ prefix optional) or its DLT number")
      ->default_str("EN10MB");
  command.add_option("-s,--snaplen", settings.snaplen,
                     "Snapshot length: the value an accepting filter returns; 0 means 262144, as "
                     "in tcpdump")
      ->default_str("262144");
  command.add_option("-m,--netmask", settings.netmask,
                     "IPv4 netmask of the capture network (dotted quad or number), needed by "
                     "'ip broadcast'; unknown by default");
  command.add_flag_callback("-O", [&settings] { settings.opt_level = 2; }, "Optimize (the default)");
  command.add_option("--opt-level", settings.opt_level,
                     "Optimization level 0..2; -O0 is --opt-level=0. 0 gives the program "
                     "pcap_compile(optimize=0) would (tcpdump -O); 1 and 2 give optimize=1's")
      ->check(CLI::Range(0, 2));
  command.add_option("--protochain", settings.protochain,
                     "How 'protochain' is compiled: 'loop' (the default) is libpcap's loop, with its "
                     "verdict on every packet; it runs in user space (bpfc, libpcap), but the Linux "
                     "kernel refuses its backward jump. 'unrolled' follows at most "
                     "--protochain-depth headers and rejects packets with longer chains, which "
                     "the kernel accepts; bpfc warns what it rejects")
      ->check(CLI::IsMember({"loop", "unrolled"}))
      ->default_str("loop");
  command.add_option("--protochain-depth", settings.protochain_depth,
                     "With --protochain=unrolled: how many extension (or AH) headers the walk "
                     "follows, 1.." + std::to_string(opt::kMaxProtochainDepth) +
                         "; the default keeps 'ip6 protochain 6 or ip6 protochain 17' within the "
                         "kernel's 4,096 instructions")
      ->check(CLI::Range(uint32_t{1}, opt::kMaxProtochainDepth))
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
  auto linktype = linktype_from_string(settings.linktype);
  if (!linktype) throw UsageError("unknown link type '" + settings.linktype + "'");
  options.linktype = *linktype;
  options.snaplen = settings.snaplen == 0 ? kDefaultSnaplen : settings.snaplen;
  if (!settings.netmask.empty()) {
    auto netmask = parse_netmask(settings.netmask);
    if (!netmask) throw UsageError("invalid netmask '" + settings.netmask + "'");
    options.netmask = *netmask;
  }
  options.opt_level = settings.opt_level;
  options.protochain = settings.protochain == "unrolled" ? ProtochainForm::Unrolled : ProtochainForm::Loop;
  options.protochain_depth = settings.protochain_depth;
  return options;
}

void report_compile_notes(const std::vector<std::string>& notes) {
  for (const std::string& note : notes) report_failure("warning: " + note);
}

}  // namespace bpfc::cli
