// Long OR-lists of hosts, ports and nets (the filters people generate from
// address and port lists): past 64 terms the parser builds them as balanced
// trees, and the program must still give libpcap's verdict on every packet
// view, at -O and at -O0.
#include <functional>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "diff_report.h"
#include "kernel_check.h"
#include "libpcap_oracle.h"
#include "packet_corpus.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

std::string or_list(int n, const std::function<std::string(int)>& term) {
  std::string text;
  for (int i = 0; i < n; ++i) text += (i ? " or " : "") + term(i);
  return text;
}

TEST(DifferentialLongLists, HostPortAndNetListsMatchLibpcap) {
  PacketCorpusOptions options;
  options.mutants_per_packet = 4;
  PacketCorpus packets(kPcapsDir, {kDltEn10mb}, options);
  const std::vector<PacketView>& views = packets.views_for(kDltEn10mb);
  auto resolver = make_file_resolver(kFixtureNamesDir);
  KernelCheck kernel;
  DiffReport report("long lists");

  const std::vector<std::string> filters = {
      // Common test-network addresses, so that some packets match.
      or_list(100, [](int i) { return "host " + std::string(i % 2 ? "192.168.1." : "10.0.0.") + std::to_string(i / 2 + 1); }),
      or_list(120, [](int i) { return "port " + std::to_string(i + 1); }),
      or_list(80, [](int i) { return "dst net " + std::to_string(i) + ".0.0.0/8"; }),
      "tcp and (" + or_list(70, [](int i) { return "port " + std::to_string(20 * i + 1); }) + ")",
  };
  for (int opt_level : {2, 0}) {
    for (size_t i = 0; i < filters.size(); ++i) {
      Subject subject{"list #" + std::to_string(i + 1) + " -O" + std::to_string(opt_level), filters[i], kDltEn10mb,
                      262144, std::nullopt, opt_level};
      LibpcapReference libpcap = libpcap_reference(subject.expr, subject.linktype, subject.snaplen,
                                                   subject.netmask, opt_level > 0);
      ASSERT_TRUE(libpcap.accepted) << libpcap.error;
      ASSERT_TRUE(libpcap.optimizer_error.empty()) << libpcap.optimizer_error;
      BpfcCompilation ours = compile_with_bpfc(subject, *resolver);
      ASSERT_TRUE(ours.program) << subject.label << ": " << ours.error;
      EXPECT_TRUE(LibpcapProgram(*ours.program).validates()) << subject.label;
      if (ours.program->size() <= cbpf::kMaxInsns) {
        auto refusal = kernel.problem(*ours.program);
        EXPECT_FALSE(refusal) << subject.label << ": " << *refusal;
      }
      report.compare(subject, *ours.program, libpcap.programs, views);
    }
  }
  report.print(std::cout);
  EXPECT_TRUE(report.passed()) << report.failure_digest();
}

}  // namespace
}  // namespace bpfc::difftest
