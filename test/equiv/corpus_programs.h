// The EN10MB expressions of libpcap's test corpus (test/corpus/accept) that
// can be handed to libpcap 1.10.3 without a name lookup, with libpcap's
// optimized program and bpfc's, for the equivalence tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"

namespace bpfc::equivtest {

inline const std::string kCorpusDir = BPFC_TEST_DIR "/corpus";
inline const std::string kFixtureNamesDir = BPFC_TEST_DIR "/fixtures/names";

struct CorpusExpression {
  std::string name;  // the corpus entry's name
  std::string expr;
  uint32_t snaplen = 262144;
  std::optional<uint32_t> netmask;  // host byte order; nullopt: unknown
};

// Entries of accept/EN10MB.jsonl that libpcap's harness runs everywhere (no
// `skip`: those need configured host/ether/network names), that are filters
// (not "_..." pseudo-tests), use no Linux extensions and have an optimized
// listing (libpcap -O refuses the others). In file order.
std::vector<CorpusExpression> en10mb_corpus_expressions();

// pcap_compile(pcap_open_dead(DLT_EN10MB, snaplen), expr, optimize, netmask),
// or nullopt when libpcap refuses the expression.
std::optional<cbpf::Program> libpcap_program(const CorpusExpression& e, bool optimize);

// compile_cbpf at `opt_level` with names from the fixture files; nullopt
// (and `error` set) when bpfc refuses the expression.
std::optional<cbpf::Program> bpfc_program(const CorpusExpression& e, int opt_level, std::string& error);

// libpcap's bpf_filter() on the program.
uint32_t libpcap_filter(const cbpf::Program& program, const std::vector<uint8_t>& packet, uint32_t wirelen);

}  // namespace bpfc::equivtest
