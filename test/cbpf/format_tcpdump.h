// Real tcpdump as an oracle for the printers: runs `tcpdump <flag> -y <dlt>
// '<expr>'` (no interface, no network, no name lookups for the numeric
// expressions the tests use) and compiles the same expression in process with
// libpcap, so the test can print that program itself and compare.
#pragma once

#include <pcap/pcap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>

#include "../runtime/libpcap_oracle.h"
#include "bpfc/cbpf/insn.h"

namespace bpfc::testing {

inline bool tcpdump_available() { return ::access("/usr/bin/tcpdump", X_OK) == 0; }

// stdout of tcpdump, or nullopt when it failed. `expr` must not contain a
// single quote.
inline std::optional<std::string> tcpdump_output(const std::string& flags, const std::string& dlt,
                                                 const std::string& expr) {
  const std::string command =
      "/usr/bin/tcpdump " + flags + " -y " + dlt + " '" + expr + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

// What tcpdump compiles for `expr` (snaplen 262144, netmask 0 as tcpdump
// uses without an interface).
inline std::optional<cbpf::Program> libpcap_compile(const std::string& dlt, const std::string& expr,
                                                    bool optimize) {
  const int linktype = pcap_datalink_name_to_val(dlt.c_str());
  if (linktype < 0) return std::nullopt;
  pcap_t* pcap = pcap_open_dead(linktype, 262144);
  if (pcap == nullptr) return std::nullopt;
  bpf_program prog;
  std::optional<cbpf::Program> out;
  if (pcap_compile(pcap, &prog, expr.c_str(), optimize ? 1 : 0, 0) == 0) {
    out = from_libpcap(prog);
    pcap_freecode(&prog);
  }
  pcap_close(pcap);
  return out;
}

}  // namespace bpfc::testing
