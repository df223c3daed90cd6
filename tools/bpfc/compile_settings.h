// The options that shape a compilation (-y, -s, -m, -O, --protochain),
// shared by `compile` and `run -e`, and their translation into
// bpfc::CompileOptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "bpfc/driver/compile.h"
#include "cli_status.h"

namespace bpfc::cli {

struct CompileSettings {
  std::string linktype = "EN10MB";
  uint32_t snaplen = 262144;
  std::string netmask;  // empty: unknown
  int opt_level = 2;
  std::string protochain = "loop";  // loop | unrolled
  uint32_t protochain_depth = opt::kDefaultProtochainDepth;
};

void add_compile_settings_options(CLI::App& command, CompileSettings& settings);

// `bpfc compile`'s views into the SSA optimizer.
struct PassDebugSettings {
  std::vector<std::string> print_after;  // pass names
  bool print_after_all = false;
  bool stats = false;
  bool any() const { return !print_after.empty() || print_after_all || stats; }
};

void add_pass_debug_options(CLI::App& command, PassDebugSettings& settings);

// Throws UsageError, listing the valid names, when --print-after names a
// pass bpfc does not have.
void check_pass_names(const PassDebugSettings& settings);

// Resolves the link-type name and netmask; throws UsageError for bad values.
CompileOptions to_compile_options(const CompileSettings& settings);

// A netmask in host byte order, as pcap_compile() takes it, from a prefix
// length ("24" or "/24", 0 to 32) or a contiguous mask written as a dotted
// quad ("255.255.255.0") or a number ("0xffffff00", "4294967040"); nullopt
// with `problem` set to the reason otherwise. A number from 0 to 32 is
// always a prefix length: "-m 24" meaning 0.0.0.24 would be a trap.
// /32 (255.255.255.255) is libpcap's PCAP_NETMASK_UNKNOWN: 'ip broadcast'
// then refuses to compile, as with libpcap.
std::optional<uint32_t> parse_netmask(std::string_view text, std::string& problem);

// The -m and -y values of every command; throw UsageError in the common
// style ("invalid netmask '255.0.255.0' (...)", "unknown link type 'FOO'
// ..."). A DLT number must be one libpcap's compiler knows.
uint32_t parse_netmask_option(const std::string& text);
uint32_t parse_linktype_option(const std::string& text);

// Prints each compile note (CompileResult notes: what the chosen options
// change against libpcap) on stderr as a warning about `source`.
void report_compile_notes(const std::vector<std::string>& notes, const SourceText& source);

}  // namespace bpfc::cli
