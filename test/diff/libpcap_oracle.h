// libpcap as the test oracle: its compiler (pcap_compile on a pcap_open_dead
// handle), its interpreter (bpf_filter) and its validator (bpf_validate).
// libpcap is linked by the tests only; the product never uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pcap/bpf.h>

#include "bpfc/cbpf/insn.h"

namespace bpfc::difftest {

struct OracleResult {
  std::optional<cbpf::Program> program;  // set when libpcap compiled the filter
  std::string error;                     // pcap_geterr() otherwise
};

// pcap_compile(pcap_open_dead(linktype, snaplen), filter, optimize, netmask);
// nullopt netmask means PCAP_NETMASK_UNKNOWN. The filter must not contain a
// host or network name (libpcap would ask the system resolver).
OracleResult libpcap_compile(std::string_view filter, uint32_t linktype, uint32_t snaplen,
                             std::optional<uint32_t> netmask, bool optimize);

// A program some compiler produced for the expression under test.
struct NamedProgram {
  std::string name;
  cbpf::Program program;
};

// What libpcap makes of an expression. Its optimizer is not semantics-
// preserving everywhere: it deletes loads whose value is unused (so a
// truncated packet it would have rejected may pass) and 1.10.3 has known
// miscompilations; so both pcap_compile() outputs, optimized and not, are
// references, and a verdict agreeing with either is libpcap's verdict.
struct LibpcapReference {
  bool accepted = false;             // the unoptimized compilation succeeded
  std::string error;                 // libpcap's message when not accepted
  std::string optimizer_error;       // set when only the optimized compilation failed
  std::vector<NamedProgram> programs;  // optimized first (when it exists), then unoptimized
};

// With `optimizing` false only the unoptimized program is a reference, for
// expressions that are meant to be compiled without optimization.
LibpcapReference libpcap_reference(std::string_view filter, uint32_t linktype, uint32_t snaplen,
                                   std::optional<uint32_t> netmask, bool optimizing = true);

// A program converted once to struct bpf_insn, run with libpcap's
// bpf_filter(): the one interpreter every comparison goes through.
class LibpcapProgram {
 public:
  explicit LibpcapProgram(const cbpf::Program& program);
  uint32_t run(const uint8_t* packet, uint32_t caplen, uint32_t wirelen) const;
  bool validates() const;  // bpf_validate()

 private:
  std::vector<bpf_insn> insns_;
};

// pcap_datalink_name_to_val(), or nullopt when libpcap does not know the name.
std::optional<uint32_t> libpcap_linktype(const std::string& name);

// "255.255.255.0" -> 0xffffff00 (host order, as pcap_compile takes it).
std::optional<uint32_t> parse_dotted_netmask(const std::string& text);

}  // namespace bpfc::difftest
