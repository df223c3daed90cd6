// Every expression libpcap's test suite refuses (test/corpus/reject, all link
// types) must be refused by bpfc with a message that contains the corpus'
// error text. That text is what libpcap's TESTrun requires to appear in
// filtertest's error output, often only part of libpcap's message ("'vlan' not
// supported on DLT_A429" of "... on DLT_A429 (Arinc 429)"), so libpcap's whole
// message is the corpus text completed from test/fixtures/reject_full_messages
// .jsonl where it says more (see the README there). bpfc must give that whole
// message, exactly, in at least kMinExactPercent of the entries; on the link
// types the differential suite covers, every message must contain the corpus
// text.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bpfc/linktype/linktype.h"
#include "corpus_entries.h"
#include "diff_report.h"
#include "libpcap_oracle.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

// The measured rate, 10,768 of 10,795 (99.75%): libpcap's whole message,
// exactly. The 27 differences left are libpcap's stray trailing space after
// "'proto' qualifier applied to IPv6 address and prefix length", which bpfc
// does not copy.
constexpr double kMinExactPercent = 99.749;
constexpr size_t kWordingExamples = 10;

// libpcap's whole message by (link type, expression), where it is more than
// the corpus text.
std::map<std::pair<std::string, std::string>, std::string> load_full_messages() {
  std::map<std::pair<std::string, std::string>, std::string> messages;
  std::ifstream in(BPFC_TEST_DIR "/fixtures/reject_full_messages.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line);
    messages[{j.at("dlt").get<std::string>(), j.at("expr").get<std::string>()}] = j.at("message").get<std::string>();
  }
  return messages;
}

TEST(DifferentialReject, CorpusRejectionsAreRejected) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  const auto full_messages = load_full_messages();
  ASSERT_FALSE(full_messages.empty()) << "test/fixtures/reject_full_messages.jsonl is missing";
  DiffReport report("reject corpus");
  uint64_t entries = 0, rejected = 0, exact = 0, containing = 0;
  std::vector<std::string> wording_examples;
  // BPFC_REJECT_WORDING_ALL=1 lists every difference, not only the first few.
  const bool all_wording = std::getenv("BPFC_REJECT_WORDING_ALL") != nullptr;
  // Per covered link type: entries, exact messages, messages that contain the
  // corpus text.
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
    auto full = full_messages.find({entry.dlt, entry.expr});
    const std::string& libpcap_message = full != full_messages.end() ? full->second : entry.errstr;
    const bool same = ours.error == libpcap_message;
    const bool contains = ours.error.find(entry.errstr) != std::string::npos;
    if (contains) ++containing;
    if (is_covered_dlt(*dlt)) {
      Wording& wording = covered_wording[entry.dlt];
      ++wording.entries;
      if (same) ++wording.exact;
      if (contains) {
        ++wording.containing;
      } else {
        report.record_failure(subject, "libpcap's message is not in bpfc's (" + ours.error + "); libpcap says: " +
                                           libpcap_message);
      }
    }
    if (same) {
      ++exact;
    } else if (wording_examples.size() < kWordingExamples || all_wording) {
      wording_examples.push_back(subject.label + ": '" + entry.expr + "'\n      libpcap: " + libpcap_message +
                                 "\n      bpfc:    " + ours.error);
    }
  }

  const double exact_percent = rejected ? 100.0 * exact / rejected : 0.0;
  report.print(std::cout);
  std::cout << "[diff] reject corpus: " << rejected << " of " << entries << " rejected; libpcap's message exactly in "
            << exact << " of " << rejected << " (" << exact_percent << "%), the corpus text in " << containing
            << "\n";
  for (const std::string& example : wording_examples) std::cout << "[diff]   wording differs: " << example << "\n";
  for (const auto& [linktype, wording] : covered_wording) {
    std::cout << "[diff] reject corpus, " << linktype << ": " << wording.entries << " refused; libpcap's message in "
              << wording.exact << ", the corpus text in " << wording.containing << "\n";
  }
  EXPECT_TRUE(report.passed()) << report.failure_digest();
  EXPECT_GE(exact_percent, kMinExactPercent) << "bpfc's messages drifted from libpcap's wording";
}

}  // namespace
}  // namespace bpfc::difftest
