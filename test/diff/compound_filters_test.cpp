// The everyday compound filters of test/corpus/compound/filters.txt (host,
// net, port and portrange tests mixed with protocols, TCP flags, ICMP types,
// VLAN and IPv6 under and/or/not): bpfc -O2 must give libpcap -O's verdict on
// every packet view, and be no longer than libpcap's program on any of them;
// in total it must stay within kCompoundSizeCeiling of libpcap's
// instructions (the goal, kCompoundSizeGoal, is reported alongside).
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "compound_filters.h"
#include "corpus_entries.h"
#include "diff_report.h"
#include "kernel_check.h"
#include "libpcap_oracle.h"
#include "packet_corpus.h"
#include "suite_config.h"
#include "synthetic_packets.h"

namespace bpfc::difftest {
namespace {

const std::string kCompoundFilters = BPFC_TEST_DIR "/corpus/compound/filters.txt";

std::vector<uint32_t> linktypes_of(const std::vector<CompoundFilter>& filters) {
  std::set<uint32_t> linktypes;
  for (const CompoundFilter& filter : filters) linktypes.insert(filter.linktype);
  return {linktypes.begin(), linktypes.end()};
}

Subject subject_of(const CompoundFilter& filter) {
  return Subject{"line " + std::to_string(filter.line), filter.expr, filter.linktype, kDefaultSnaplen, std::nullopt,
                 2};
}

TEST(CompoundCorpus, HoldsEnoughFiltersOnEveryLinkTypeTheDiffSuiteCovers) {
  const std::vector<CompoundFilter> filters = load_compound_filters(kCompoundFilters);
  EXPECT_GE(filters.size(), 150u);
  for (uint32_t linktype : linktypes_of(filters)) EXPECT_TRUE(is_covered_dlt(linktype)) << "DLT " << linktype;
}

TEST(CompoundCorpus, ProgramsNoLongerThanLibpcapAndNoLongerInTotalThanToday) {
  const std::vector<CompoundFilter> filters = load_compound_filters(kCompoundFilters);
  auto resolver = make_file_resolver(kFixtureNamesDir);
  size_t bpfc_total = 0, libpcap_total = 0;
  std::ostringstream longer;
  for (const CompoundFilter& filter : filters) {
    const OracleResult libpcap = libpcap_compile(filter.expr, filter.linktype, kDefaultSnaplen, std::nullopt, true);
    ASSERT_TRUE(libpcap.program) << "line " << filter.line << ": libpcap refuses " << filter.expr << ": "
                                 << libpcap.error;
    const BpfcCompilation ours = compile_with_bpfc(subject_of(filter), *resolver);
    ASSERT_TRUE(ours.program) << "line " << filter.line << ": " << ours.error;
    bpfc_total += ours.program->size();
    libpcap_total += libpcap.program->size();
    if (ours.program->size() > libpcap.program->size()) {
      longer << "  line " << filter.line << " (" << filter.linktype_name << "): " << ours.program->size() << " vs "
             << libpcap.program->size() << ": " << filter.expr << "\n";
    }
  }
  const double ratio = static_cast<double>(bpfc_total) / static_cast<double>(libpcap_total);
  std::cout << "[compound] instructions: bpfc -O2 " << bpfc_total << ", libpcap -O " << libpcap_total
            << ", ratio " << ratio << " over " << filters.size() << " filters\n";
  EXPECT_TRUE(longer.str().empty()) << "bpfc longer than libpcap on:\n" << longer.str();
  std::cout << "[compound] goal " << kCompoundSizeGoal << ": " << (ratio <= kCompoundSizeGoal ? "met" : "not met")
            << "\n";
  EXPECT_LE(ratio, kCompoundSizeCeiling);
}

TEST(CompoundCorpus, VerdictsMatchOptimizedLibpcap) {
  const std::vector<CompoundFilter> filters = load_compound_filters(kCompoundFilters);
  const std::vector<uint32_t> linktypes = linktypes_of(filters);
  PacketCorpusOptions options;
  options.mutants_per_packet = 6;
  PacketCorpus packets(kPcapsDir, linktypes, options);
  // Mutants of synthetic packets too: the filters' own addresses and ports
  // with neighbouring bytes changed exercise every exit of their tests.
  std::map<uint32_t, std::vector<Packet>> synthetic_mutants;
  std::map<uint32_t, std::vector<PacketView>> views;
  for (uint32_t linktype : linktypes) {
    synthetic_mutants[linktype] = mutate_packets(synthesize_packets(linktype, 400, 0x636f6d70), 4, 0x73697a65);
  }
  for (uint32_t linktype : linktypes) {
    views[linktype] = packets.views_for(linktype);
    add_whole(synthetic_mutants[linktype], views[linktype]);
  }
  auto resolver = make_file_resolver(kFixtureNamesDir);
  KernelCheck kernel;
  DiffReport report("compound filters, bpfc -O2 vs libpcap -O");
  for (const CompoundFilter& filter : filters) {
    const Subject subject = subject_of(filter);
    const LibpcapReference libpcap = libpcap_reference(filter.expr, filter.linktype, kDefaultSnaplen, std::nullopt);
    ASSERT_TRUE(libpcap.accepted && libpcap.optimizer_error.empty())
        << subject.label << ": " << libpcap.error << libpcap.optimizer_error;
    const BpfcCompilation ours = compile_with_bpfc(subject, *resolver);
    ASSERT_TRUE(ours.program) << subject.label << ": " << ours.error;
    if (!LibpcapProgram(*ours.program).validates()) {
      report.record_validate_failure(subject, *ours.program);
      continue;
    }
    if (auto refusal = kernel.problem(*ours.program)) {
      report.record_failure(subject, "the Linux kernel would refuse bpfc's program: " + *refusal);
      continue;
    }
    report.compare(subject, *ours.program, libpcap.programs, views.at(filter.linktype));
  }
  report.print(std::cout);
  EXPECT_TRUE(report.passed()) << report.failure_digest();
}

}  // namespace
}  // namespace bpfc::difftest
