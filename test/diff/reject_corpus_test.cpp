// Every expression libpcap's test suite refuses (test/corpus/reject, all link
// types) must be refused by bpfc with a message. Matching libpcap's exact
// wording is measured and printed; on the link types the differential suite
// covers, bpfc's message must contain libpcap's.
#include <iostream>
#include <map>
#include <utility>

#include <gtest/gtest.h>

#include "bpfc/linktype/linktype.h"
#include "corpus_entries.h"
#include "diff_report.h"
#include "libpcap_oracle.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

TEST(DifferentialReject, CorpusRejectionsAreRejected) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  DiffReport report("reject corpus");
  uint64_t entries = 0, rejected = 0, exact = 0;
  std::vector<std::string> wording_examples;
  // Per covered link type: entries, exact messages, messages that contain
  // libpcap's (bpfc adds the link type's description, the value, or the
  // keyword), and the differences.
  struct Wording {
    uint64_t entries = 0, exact = 0, containing = 0;
  };
  std::map<std::string, Wording> covered_wording;

  for (const RejectEntry& entry : load_reject_entries(kCorpusDir)) {
    auto dlt = linktype_from_string(entry.dlt);
    if (!dlt) {
      dlt = libpcap_linktype(entry.dlt);
      if (!dlt) {
        report.count("skipped: link-type name unknown to bpfc and to libpcap 1.10.3");
        continue;
      }
      report.record_failure(Subject{entry.file + ":" + entry.name, entry.expr, *dlt, kDefaultSnaplen, entry.netmask},
                            "bpfc's link-type table does not know " + entry.dlt);
    }
    ++entries;
    Subject subject{entry.file + ":" + entry.name, entry.expr, *dlt, kDefaultSnaplen, entry.netmask};
    BpfcCompilation ours = compile_with_bpfc(subject, *resolver);
    if (ours.program) {
      report.record_failure(subject, "bpfc accepts it; libpcap says: " + entry.errstr);
      continue;
    }
    if (ours.error.empty()) {
      report.record_failure(subject, "bpfc refuses it with an empty message");
      continue;
    }
    ++rejected;
    const bool same = ours.error == entry.errstr;
    if (is_covered_dlt(*dlt)) {
      Wording& wording = covered_wording[entry.dlt];
      ++wording.entries;
      if (same) ++wording.exact;
      if (ours.error.find(entry.errstr) != std::string::npos) {
        ++wording.containing;
      } else {
        report.record_failure(subject, "libpcap's message is not in bpfc's (" + ours.error + "); libpcap says: " +
                                           entry.errstr);
      }
    }
    if (same) {
      ++exact;
    } else if (wording_examples.size() < 10) {
      wording_examples.push_back(subject.label + ": '" + entry.expr + "'\n      libpcap: " + entry.errstr +
                                 "\n      bpfc:    " + ours.error);
    }
  }

  report.print(std::cout);
  std::cout << "[diff] reject corpus: " << rejected << " of " << entries << " rejected; libpcap's exact message in "
            << exact << " of " << rejected << " (" << (rejected ? 100.0 * exact / rejected : 0.0) << "%)\n";
  for (const std::string& example : wording_examples) std::cout << "[diff]   wording differs: " << example << "\n";
  for (const auto& [linktype, wording] : covered_wording) {
    std::cout << "[diff] reject corpus, " << linktype << ": " << wording.entries << " refused; libpcap's exact message in "
              << wording.exact << ", contained in bpfc's in " << wording.containing << "\n";
  }
  EXPECT_TRUE(report.passed()) << report.failure_digest();
}

}  // namespace
}  // namespace bpfc::difftest
