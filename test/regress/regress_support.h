// What the regression tests share: bpfc and libpcap 1.10.3 (the oracle)
// compiling the same expression, running a program both ways, and the EN10MB
// corpus expressions. Names resolve only from the fixture files; libpcap is
// only ever given numeric addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/optimizer/pass_manager.h"

namespace bpfc::regress {

inline constexpr uint32_t kDltEn10mb = 1;
inline constexpr uint32_t kSnaplen = 262144;

// What a bpfc compile is asked for: a level, and optionally a pass list that
// replaces the level's pipeline (an empty list: lowering only).
struct BpfcSetting {
  int opt_level = 2;
  std::optional<std::vector<opt::Pass>> passes;
};

struct Compiled {
  std::optional<cbpf::Program> program;  // nullopt: refused
  std::string error;                     // why, when refused
};

Compiled bpfc_compile(const std::string& expr, const BpfcSetting& setting, uint32_t snaplen = kSnaplen,
                      std::optional<uint32_t> netmask = std::nullopt);

// pcap_compile(pcap_open_dead(EN10MB, snaplen), expr, optimize, netmask).
Compiled libpcap_compile(const std::string& expr, bool optimize, uint32_t snaplen = kSnaplen,
                         std::optional<uint32_t> netmask = std::nullopt);

// libpcap's own bpf_filter() (caplen is packet.size()).
uint32_t libpcap_run(const cbpf::Program& program, const std::vector<uint8_t>& packet, uint32_t wirelen);

std::string hex(const std::vector<uint8_t>& bytes);

struct CorpusExpression {
  std::string name;
  std::string expr;
  uint32_t snaplen = kSnaplen;
  std::optional<uint32_t> netmask;  // host byte order
  bool needs_names = false;  // uses host/ether/network names: never hand it to libpcap
  // libpcap's programs as the corpus lists them (from the newer libpcap the
  // corpus came from, names configured): optimize=1 (nullopt when it refuses)
  // and optimize=0.
  std::optional<std::string> optimized_listing, unoptimized_listing;
};

// The distinct filters of test/corpus/accept/EN10MB.jsonl (not the "_..."
// pseudo-tests), with or without an optimized listing, in file order. Those
// the corpus marks `skip` need names: bpfc resolves them from the fixture
// files, libpcap must not be given them.
std::vector<CorpusExpression> en10mb_corpus_expressions();

}  // namespace bpfc::regress
