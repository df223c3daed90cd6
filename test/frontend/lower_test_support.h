// Shared helpers for the lowering tests: libpcap as the oracle
// (pcap_open_dead + pcap_compile with optimize=1, bpf_filter), the bpfc
// pipeline up to the IR (parse -> check -> lower -> verify -> interpret),
// and packet sets (savefile packets, hand-built packets, truncations and
// byte mutations).
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/compat/lower.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/ir.h"

namespace bpfc::lowertest {

using Bytes = std::vector<uint8_t>;

struct Packet {
  Bytes data;          // the captured bytes
  uint32_t wirelen;    // the length on the wire (>= data.size())
  std::string origin;  // where it came from, for failure messages
};

// ---- libpcap ----
struct PcapProgram {
  std::vector<bpf_insn> insns;
  std::string error;  // set when libpcap refused the filter
  bool ok() const { return error.empty(); }
};
PcapProgram pcap_compile_filter(int dlt, const std::string& expr, uint32_t snaplen = 262144,
                                std::optional<uint32_t> netmask = std::nullopt, bool optimize = true);
uint32_t pcap_run(const PcapProgram& p, const Packet& packet);
std::string pcap_listing(const PcapProgram& p);

// ---- bpfc ----
// Names the tests may use with both compilers: only what /etc/hosts and
// /etc/services know on any Debian machine (no DNS involved), plus the
// corpus fixture names for bpfc-only tests.
const NameResolver& test_resolver();
Result<ir::Function> bpfc_lower(int dlt, const std::string& expr, uint32_t snaplen = 262144,
                                std::optional<uint32_t> netmask = std::nullopt, bool optimize = true);
// The same without sema's checks: what the lowering itself says.
Result<ir::Function> bpfc_lower_unchecked(int dlt, const std::string& expr, uint32_t snaplen = 262144,
                                          std::optional<uint32_t> netmask = std::nullopt);

// ---- packets ----
// Every packet of the corpus savefiles (any link type: they are just bytes).
const std::vector<Packet>& savefile_packets();
// Truncations of `p` to every length from 0 to its size.
std::vector<Packet> truncations(const Packet& p);
// Copies with a few bytes set to values that steer protocol decoding.
std::vector<Packet> mutations(const Packet& p, int count, uint32_t seed);

// Compares libpcap and the IR on every packet; returns a description of
// the first difference (empty when they agree on all).
// `optimize` selects pcap_compile's optimize=1 / optimize=0 on both sides.
std::string compare_on(int dlt, const std::string& expr, const std::vector<Packet>& packets,
                       uint32_t snaplen = 262144, std::optional<uint32_t> netmask = std::nullopt,
                       bool optimize = true);

std::string hex(const Bytes& b);

}  // namespace bpfc::lowertest
