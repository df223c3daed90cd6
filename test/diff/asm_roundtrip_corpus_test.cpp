// The assembler reads back every program the compiler makes, in every form
// bpfc prints: each libpcap corpus expression bpfc compiles (every link type,
// -O2 and -O0) is printed as a -d listing (both styles), -dd, -ddd and JSON,
// read back with parse_program() and compared field by field.
#include <string>

#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "corpus_entries.h"
#include "diff_report.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

TEST(AsmRoundTripCorpus, EveryCompiledProgramReadsBackInEveryForm) {
  auto resolver = make_file_resolver(kFixtureNamesDir);
  int programs = 0;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    auto dlt = linktype_from_string(entry.dlt);
    if (!dlt) continue;
    for (int opt_level : {2, 0}) {
      Subject subject{entry.name, entry.expr, *dlt, entry.snaplen, entry.netmask, opt_level};
      BpfcCompilation compiled = compile_with_bpfc(subject, *resolver);
      if (!compiled.program) continue;  // what bpfc refuses is the other suites' business
      const cbpf::Program& p = *compiled.program;
      ++programs;
      const std::pair<const char*, std::string> forms[] = {
          {"-d", cbpf::format_listing(p)},
          {"-d (libpcap 1.11)", cbpf::format_listing(p, cbpf::ListingStyle::Libpcap1_11)},
          {"-dd", cbpf::format_c_array(p)},
          {"-ddd", cbpf::format_decimal(p)},
          {"json", cbpf::format_json(p)}};
      for (const auto& [form, text] : forms) {
        auto parsed = cbpf::parse_program(text);
        ASSERT_TRUE(parsed.ok()) << entry.file << " " << entry.name << " -O" << opt_level << " " << form << ": "
                                 << parsed.error().message << "\n" << text;
        ASSERT_EQ(*parsed, p) << entry.file << " " << entry.name << " -O" << opt_level << " " << form;
      }
    }
  }
  // Most of the corpus compiles; a handful would mean the loop tested nothing.
  EXPECT_GT(programs, 1000);
}

}  // namespace
}  // namespace bpfc::difftest
