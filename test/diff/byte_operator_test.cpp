// `byte N & V` and `byte N | V`: true when the byte at N of the link-layer
// header, masked (or or-ed) with V, is not 0, as libpcap 1.11 defines them
// ("Fix the | and & operators of the byte primitive"). libpcap 1.10.3 forgets
// to load the byte and tests whatever the accumulator holds, so the reference
// here is libpcap 1.10.3 compiling the same test written with `link[N]`,
// which it gets right, alone and inside compound filters (where the
// accumulator holds what the code before left there), at -O and -O0, on
// every packet view of the differential suite's corpus.
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "corpus_entries.h"
#include "diff_report.h"
#include "libpcap_oracle.h"
#include "packet_corpus.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

struct ByteTest {
  uint32_t offset;
  char op;  // '&' or '|'
  uint32_t value;
};

// The filter around the test, with `%` standing for it.
const std::vector<std::string> kContexts = {
    "%", "not %", "tcp or %", "udp and % or icmp", "% and ip", "(port 53 or %) and not arp", "ip[0] > 0x44 or %",
};

std::string fill(const std::string& context, const std::string& test) {
  std::string out = context;
  out.replace(out.find('%'), 1, test);
  return out;
}

TEST(ByteOperator, AndOrTestTheLoadedByteAsLinkAccessDoes) {
  const std::vector<ByteTest> tests = {{0, '&', 0xf0}, {9, '&', 0x11}, {12, '&', 0x08}, {13, '&', 1},
                                       {18, '&', 61},  {23, '&', 6},   {14, '|', 0},    {30, '|', 0}};
  PacketCorpusOptions options;
  options.mutants_per_packet = 2;
  options.synthetic_per_linktype = 100;
  const std::vector<uint32_t> linktypes = {1, 12};  // EN10MB, RAW
  PacketCorpus packets(kPcapsDir, linktypes, options);
  auto resolver = make_file_resolver(kFixtureNamesDir);
  uint64_t compared = 0, accepted = 0, mismatches = 0;
  std::string shown;
  for (uint32_t linktype : linktypes) {
    const std::vector<PacketView>& views = packets.views_for(linktype);
    for (const ByteTest& t : tests) {
      const std::string byte = "byte " + std::to_string(t.offset) + " " + t.op + " " + std::to_string(t.value);
      const std::string link =
          "link[" + std::to_string(t.offset) + "] " + t.op + " " + std::to_string(t.value) + " != 0";
      for (const std::string& context : kContexts) {
        for (int opt_level : {2, 0}) {
          const std::string expr = fill(context, byte);
          const OracleResult reference =
              libpcap_compile(fill(context, link), linktype, kDefaultSnaplen, std::nullopt, opt_level > 0);
          ASSERT_TRUE(reference.program) << fill(context, link) << ": " << reference.error;
          const BpfcCompilation ours =
              compile_with_bpfc(Subject{"byte operator", expr, linktype, kDefaultSnaplen, std::nullopt, opt_level},
                                *resolver);
          ASSERT_TRUE(ours.program) << expr << ": " << ours.error;
          const LibpcapProgram theirs(*reference.program), mine(*ours.program);
          for (const PacketView& v : views) {
            const uint32_t expected = theirs.run(v.packet->bytes.data(), v.caplen, v.packet->wirelen);
            const uint32_t got = mine.run(v.packet->bytes.data(), v.caplen, v.packet->wirelen);
            ++compared;
            accepted += expected != 0;
            if (got != expected && ++mismatches <= 10) {
              shown += "  '" + expr + "' DLT " + std::to_string(linktype) + " -O" + std::to_string(opt_level) +
                       " caplen " + std::to_string(v.caplen) + ": bpfc " + std::to_string(got) + ", libpcap (" +
                       link + ") " + std::to_string(expected) + "\n";
            }
          }
        }
      }
    }
  }
  std::cout << "[byte-operator] " << compared << " verdicts compared, " << accepted << " accepting; mismatches "
            << mismatches << "\n";
  EXPECT_EQ(mismatches, 0u) << shown;
  EXPECT_GT(accepted, compared / 20);  // the tests pass as well as fail
}

}  // namespace
}  // namespace bpfc::difftest
