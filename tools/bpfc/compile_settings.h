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

#include "bpfc/runtime/compile.h"

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

// Prints each compile note on stderr as "bpfc: warning: <note>".
void report_compile_notes(const std::vector<std::string>& notes);

// "255.255.255.0" or a number (decimal, 0x hex, 0 octal), in host byte order
// as pcap_compile() takes it.
std::optional<uint32_t> parse_netmask(std::string_view text);

}  // namespace bpfc::cli
