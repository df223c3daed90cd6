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

struct pcap;  // pcap_t

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

// libpcap compiling for a live capture on this Linux host's loopback
// interface (Ethernet link type): the Linux BPF extensions and its special
// VLAN handling, which pcap_open_dead() never produces. `lo` must be up.
class LiveLibpcapCompiler {
 public:
  LiveLibpcapCompiler();
  ~LiveLibpcapCompiler();
  LiveLibpcapCompiler(const LiveLibpcapCompiler&) = delete;
  LiveLibpcapCompiler& operator=(const LiveLibpcapCompiler&) = delete;
  // Empty when a live capture could be opened; otherwise why not.
  const std::string& unavailable() const { return unavailable_; }
  OracleResult compile(std::string_view filter, bool optimize) const;

 private:
  ::pcap* handle_ = nullptr;
  std::string unavailable_;
};

// A program some compiler produced for the expression under test.
struct NamedProgram {
  std::string name;
  cbpf::Program program;
};

// What libpcap makes of an expression, as the one reference bpfc must match.
// libpcap's optimizer is not semantics-preserving on truncated packets (it
// deletes loads whose values it proves unneeded), so optimize=1 and
// optimize=0 are different references: bpfc at -O must give libpcap -O's
// verdicts and bpfc at -O0 libpcap -O0's, on every packet.
struct LibpcapReference {
  bool accepted = false;             // the unoptimized compilation succeeded
  std::string error;                 // libpcap's message when not accepted
  std::string optimizer_error;       // set when only the optimized compilation failed
  // The program compiled with the requested setting; when only the optimized
  // compilation failed, the unoptimized one (to check a refusal's claim).
  std::vector<NamedProgram> programs;
};

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
