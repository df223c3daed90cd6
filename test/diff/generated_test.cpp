// Thousands of random and/or/not trees over numeric primitives (fixed seed),
// compiled by bpfc and by libpcap 1.10.3: where libpcap compiles one, bpfc's
// program must give the same verdicts as libpcap's program compiled with the
// same optimization setting (bpfc -O against pcap_compile(optimize=1), bpfc
// -O0 against optimize=0); where libpcap refuses one, bpfc must refuse it too.
#include <iostream>

#include <gtest/gtest.h>

#include "diff_report.h"
#include "kernel_check.h"
#include "expression_generator.h"
#include "libpcap_oracle.h"
#include "link_primitives.h"
#include "packet_corpus.h"
#include "suite_config.h"
#include "../support/sanitized_share.h"

namespace bpfc::difftest {
namespace {

constexpr uint64_t kSeed = 20240601;

void run_filters(const std::vector<GeneratedFilter>& filters, int opt_level, const std::string& title,
                 const std::vector<uint32_t>& dlts) {
  PacketCorpusOptions options;
  options.mutants_per_packet = 6;
  PacketCorpus packets(kPcapsDir, dlts, options);
  auto resolver = make_file_resolver(kFixtureNamesDir);
  KernelCheck kernel;
  std::cout << "[diff] kernel checks: " << (kernel.uses_real_kernel() ? "SO_ATTACH_FILTER and bpfc's model" : "bpfc's model only (SO_ATTACH_FILTER not permitted)") << "\n";
  DiffReport report(title);

  for (size_t i = 0; i < filters.size(); ++i) {
    const GeneratedFilter& filter = filters[i];
    Subject subject{"generated #" + std::to_string(i + 1), filter.expr, filter.linktype, filter.snaplen,
                    filter.netmask, opt_level};
    LibpcapReference libpcap =
        libpcap_reference(filter.expr, filter.linktype, filter.snaplen, filter.netmask, opt_level > 0);
    BpfcCompilation ours = compile_with_bpfc(subject, *resolver);
    if (!libpcap.accepted) {
      if (ours.program) {
        report.record_failure(subject, "bpfc accepts what libpcap refuses (" + libpcap.error + ")");
      } else {
        report.count("refused by both");
        if (ours.error == libpcap.error) report.count("  ... with libpcap's exact message");
      }
      continue;
    }
    if (!libpcap.optimizer_error.empty()) {
      // pcap_compile refuses it only when optimizing ("expression rejects all
      // packets"); bpfc at -O reproduces that refusal.
      report.count("refused by libpcap -O only: " + libpcap.optimizer_error);
      if (!ours.program && ours.error == libpcap.optimizer_error) {
        report.count("  ... and by bpfc alike");
      } else {
        report.record_failure(subject, "libpcap -O refuses (" + libpcap.optimizer_error +
                                           ") but bpfc " + (ours.program ? "compiles it" : "says: " + ours.error));
      }
      continue;
    }
    const std::vector<PacketView>& views = packets.views_for(filter.linktype);
    if (!ours.program && ours.error == kRejectsAllPackets && rejects_every_view(libpcap.programs, views)) {
      report.count("refused by bpfc only as \"" + std::string(kRejectsAllPackets) +
                   "\"; libpcap's programs reject every test packet");
      continue;
    }
    if (!ours.program) {
      if (ours.unsupported) {
        report.record_unsupported(subject, ours.error);
      } else {
        report.record_failure(subject, "bpfc refuses an expression libpcap accepts: " + ours.error);
      }
      continue;
    }
    if (!LibpcapProgram(*ours.program).validates()) {
      report.record_validate_failure(subject, *ours.program);
      continue;
    }
    if (!ours.kernel_program || (ours.kernel_program != ours.program && !ours.deep_unrolled_program)) {
      report.record_failure(subject, "bpfc compiles it, but not in the unrolled protochain form");
      continue;
    }
    if (ours.kernel_program->size() > cbpf::kMaxInsns && ours.kernel_program != ours.program) {
      // Several walks unrolled: bpfc warns that the program does not fit.
      report.count("unrolled protochain form over the kernel's 4,096 instructions (bpfc warns)");
    } else if (auto refusal = kernel.problem(*ours.kernel_program)) {
      report.record_failure(subject, "the Linux kernel would refuse bpfc's program: " + *refusal);
      continue;
    }
    if (ours.deep_unrolled_program) report.compare(subject, *ours.deep_unrolled_program, libpcap.programs, views);
    report.compare(subject, *ours.program, libpcap.programs, views);
  }

  report.print(std::cout);
  EXPECT_TRUE(report.passed()) << report.failure_digest();
}

void run_generated(int opt_level, int count, const std::string& title) {
  run_filters(generate_filters(count, kSeed), opt_level, title, covered_dlts());
}

// Per link type with fields of its own: trees over those primitives and the
// generic ones, against libpcap with pcap_open_dead() on that link type.
void run_link_generated(int opt_level, int count) {
  for (const LinkPrimitives& set : link_primitive_sets()) {
    run_filters(generate_link_filters(set.dlt, set.primitives, set.only_own, count, kSeed), opt_level,
                std::string("generated ") + set.name + " expressions, bpfc -O" + (opt_level > 0 ? "" : "0") +
                    " vs libpcap",
                {set.dlt});
  }
}

TEST(DifferentialGenerated, LinkTypePrimitivesMatchLibpcap) {
  run_link_generated(2, testsupport::full_or_sanitized(1000, 30));
  run_link_generated(0, testsupport::full_or_sanitized(200, 10));
}

TEST(DifferentialGenerated, RandomExpressionsMatchOptimizedLibpcap) {
  run_generated(2, testsupport::full_or_sanitized(5000, 500), "generated expressions, bpfc -O vs libpcap -O");
}

TEST(DifferentialGenerated, RandomExpressionsMatchUnoptimizedLibpcap) {
  run_generated(0, testsupport::full_or_sanitized(1500, 150), "generated expressions, bpfc -O0 vs libpcap -O0");
}

}  // namespace
}  // namespace bpfc::difftest
