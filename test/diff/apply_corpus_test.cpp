// test/corpus/apply: expressions applied to savefiles with the return value
// libpcap's filter gives for each packet. For savefiles of a covered link
// type, bpfc's program (compiled with the savefile's snaplen) must give
// exactly those values.
#include <iostream>
#include <map>

#include <gtest/gtest.h>

#include "corpus_entries.h"
#include "diff_report.h"
#include "libpcap_oracle.h"
#include "packets.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

TEST(DifferentialApply, SavefileVerdictsMatchCorpus) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  DiffReport report("apply corpus");
  std::map<std::string, Savefile> savefiles;
  for (Savefile& savefile : read_savefiles(kPcapsDir)) savefiles[savefile.name] = std::move(savefile);
  uint64_t entries = 0, verdicts = 0;

  for (const ApplyEntry& entry : load_apply_entries(kCorpusDir)) {
    auto found = savefiles.find(entry.savefile);
    if (found == savefiles.end()) {
      report.count("skipped: savefile unreadable by libpcap 1.10.3");
      continue;
    }
    const Savefile& savefile = found->second;
    if (!is_covered_dlt(savefile.linktype)) {
      report.count("skipped: savefile link type not covered yet");
      continue;
    }
    Subject subject{"apply:" + entry.name + " on " + entry.savefile, entry.expr, savefile.linktype,
                    savefile.snaplen, entry.netmask};
    if (savefile.packets.size() != entry.results.size()) {
      report.record_failure(subject, "the savefile has " + std::to_string(savefile.packets.size()) +
                                         " packets but the corpus lists " + std::to_string(entry.results.size()) +
                                         " results");
      continue;
    }
    BpfcCompilation ours = compile_with_bpfc(subject, *resolver);
    if (!ours.program) {
      if (ours.unsupported) {
        report.record_unsupported(subject, ours.error);
      } else {
        report.record_failure(subject, "bpfc refuses it: " + ours.error);
      }
      continue;
    }
    LibpcapProgram program(*ours.program);
    if (!program.validates()) {
      report.record_validate_failure(subject, *ours.program);
      continue;
    }
    ++entries;
    std::string differences;
    for (size_t i = 0; i < savefile.packets.size(); ++i) {
      const Packet& packet = savefile.packets[i];
      uint32_t verdict = program.run(packet.bytes.data(), static_cast<uint32_t>(packet.bytes.size()), packet.wirelen);
      ++verdicts;
      if (verdict != entry.results[i]) {
        differences += " packet " + std::to_string(i + 1) + ": " + std::to_string(verdict) + " instead of " +
                       std::to_string(entry.results[i]) + ";";
      }
    }
    if (!differences.empty()) report.record_failure(subject, "wrong verdicts:" + differences);
  }

  report.print(std::cout);
  std::cout << "[diff] apply corpus: " << entries << " entries run, " << verdicts << " packet verdicts checked\n";
  EXPECT_TRUE(report.passed()) << report.failure_digest();
}

}  // namespace
}  // namespace bpfc::difftest
