// Every expression libpcap's test suite compiles (test/corpus/accept) for the
// covered link types: bpfc's program must give the same verdict as libpcap's
// on every packet, every truncation of it and its mutants.
//
// The reference is libpcap 1.10.3's pcap_compile() with the same optimization
// setting as bpfc's (see LibpcapReference), except where it must not or cannot be used: entries needing configured host/ether/network names
// (never handed to libpcap: it would ask the system resolver) and expressions
// 1.10.3 refuses are compared with the corpus' own listing (from a newer
// libpcap), assembled by bpfc's assembler. The few expressions 1.10.3's
// optimizer is known to miscompile (libpcap_miscompiles.h) are compared with
// 1.10.3's unoptimized program instead: there bpfc -O is right on purpose.
// Entries for a savefile (generate_offline_filter) or a live Linux capture
// (linuxext) compile in that context and are compared with the corpus
// listing, which pcap_open_dead() cannot produce.
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/linktype/linktype.h"
#include "corpus_entries.h"
#include "diff_report.h"
#include "kernel_check.h"
#include "libpcap_miscompiles.h"
#include "libpcap_oracle.h"
#include "packet_corpus.h"
#include "suite_config.h"
#include "../support/sanitized_share.h"

namespace bpfc::difftest {
namespace {

// The context libpcap compiled the entry's listing for.
CompileContext entry_context(const AcceptEntry& entry) {
  if (entry.linuxext) return CompileContext::Linux;
  if (entry.offline == std::string("swapped")) return CompileContext::OfflineSwapped;
  if (entry.offline == std::string("unswapped")) return CompileContext::Offline;
  return CompileContext::Dead;
}

bool needs_configured_names(const AcceptEntry& entry) {
  return entry.skip && entry.skip->find("configure") != std::string::npos;
}

// The corpus' listing for the optimization setting (`opt` at -O, `unopt` at
// -O0), as the reference. `error` says why there is none.
std::vector<NamedProgram> corpus_listings(const AcceptEntry& entry, int opt_level, std::string& error) {
  const bool optimized = opt_level > 0;
  const auto& text = optimized ? entry.opt : entry.unopt;
  const char* name = optimized ? "corpus listing -O" : "corpus listing unoptimized";
  if (!text) {
    error = std::string("the corpus has no ") + name;
    return {};
  }
  auto program = cbpf::parse_program(*text);
  if (!program) {
    error = "bpfc's assembler refuses the " + std::string(name) + ": " + program.error().message;
    return {};
  }
  return {NamedProgram{name, std::move(*program)}};
}

// Whether libpcap 1.10.3 -O gets a listed miscompile wrong on the test
// packets: it refuses a filter its unoptimized program accepts packets with,
// or its program disagrees with the unoptimized one somewhere.
bool libpcap_optimizer_differs(const AcceptEntry& entry, uint32_t dlt, const std::vector<NamedProgram>& unoptimized,
                               const std::vector<PacketView>& views) {
  OracleResult optimized = libpcap_compile(entry.expr, dlt, entry.snaplen, entry.netmask, true);
  if (!optimized.program) return !rejects_every_view(unoptimized, views);
  return count_disagreements(*optimized.program, unoptimized, views) != 0;
}

// Per link type: the entries compared, those bpfc compiles, those whose
// verdicts differ somewhere, and program sizes against the reference
// (libpcap 1.10.3's program at the same optimization setting, or the corpus
// listing where that is the reference).
struct LinktypeTally {
  uint64_t entries = 0, compiled = 0, differing = 0;
  uint64_t bpfc_insns = 0, reference_insns = 0, longer = 0;
};

void print_tallies(const std::map<std::string, LinktypeTally>& tallies, std::ostream& out) {
  for (const auto& [linktype, t] : tallies) {
    out << "[diff] accept corpus, " << linktype << ": " << t.entries << " entries, " << t.compiled << " compiled, "
        << t.differing << " with different verdicts; instructions bpfc " << t.bpfc_insns << ", reference "
        << t.reference_insns << " (bpfc longer on " << t.longer << ")\n";
  }
}

TEST(DifferentialAccept, CorpusExpressionsMatchLibpcap) {
  PacketCorpus packets(kPcapsDir, covered_dlts(), PacketCorpusOptions{});
  auto resolver = make_file_resolver(kFixtureNamesDir);
  KernelCheck kernel;
  std::cout << "[diff] kernel checks: " << (kernel.uses_real_kernel() ? "SO_ATTACH_FILTER and bpfc's model" : "bpfc's model only (SO_ATTACH_FILTER not permitted)") << "\n";
  DiffReport report("accept corpus");
  std::map<std::string, LinktypeTally> tallies;
  std::cout << "[diff] packets: " << packets.savefile_packet_count() << " from " << packets.savefile_count()
            << " readable savefiles, with every truncation, mutants and synthetic packets\n";

  size_t entry_index = 0;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    // The sanitizer build checks every other entry (sanitized_share.h).
    if (!testsupport::in_sanitized_share(entry_index++, 2)) continue;
    auto dlt = libpcap_linktype(entry.dlt);
    if (!dlt || !is_covered_dlt(*dlt)) continue;
    // Entries without an optimized listing are libpcap's tests of unoptimized
    // compilation (optimizing refuses them: "expression rejects all packets").
    int opt_level = entry.opt ? 2 : 0;
    const CompileContext context = entry_context(entry);
    Subject subject{entry.file + ":" + entry.name, entry.expr, *dlt, entry.snaplen, entry.netmask, opt_level, context};
    if (entry.expr.starts_with("_")) {
      report.count("skipped: not filters (" + entry.expr + ")");
      continue;
    }
    if (entry.skip && !needs_configured_names(entry)) {
      report.count("skipped: listings for other platforms (" + *entry.skip + ")");
      continue;
    }
    if (linktype_from_string(entry.dlt) != dlt) {
      report.record_failure(subject, "bpfc's link-type table maps " + entry.dlt + " differently from libpcap");
      continue;
    }

    const std::vector<PacketView>& views = packets.views_for(*dlt);
    LinktypeTally& tally = tallies[entry.dlt];
    ++tally.entries;
    std::string listing_error;
    std::vector<NamedProgram> listings = corpus_listings(entry, opt_level, listing_error);
    std::vector<NamedProgram> references;  // what bpfc must agree with
    std::vector<NamedProgram> newer;       // the corpus listings, where 1.10.3 is the reference
    std::string reason;                    // why the corpus listings are the reference
    std::string optimizer_error;           // libpcap 1.10.3 -O's refusal, if only it refuses
    if (context != CompileContext::Dead) {
      references = listings;
      reason = "compiled for the " + std::string(compile_context_name(context)) + " context";
    } else if (needs_configured_names(entry)) {
      references = listings;
      reason = "names from fixture files";
    } else {
      // Where 1.10.3's optimizer is known to miscompile the expression, its
      // unoptimized program is the reference (libpcap_miscompiles.h).
      const std::optional<LibpcapMiscompile> miscompile = known_libpcap_miscompile(entry.expr);
      LibpcapReference libpcap =
          libpcap_reference(entry.expr, *dlt, entry.snaplen, entry.netmask, opt_level > 0 && !miscompile);
      if (libpcap.accepted && miscompile && opt_level > 0) {
        if (!libpcap_optimizer_differs(entry, *dlt, libpcap.programs, views)) {
          report.record_failure(subject, "listed as miscompiled by libpcap 1.10.3 -O (" +
                                             std::string(miscompile->issue) + "), but -O agrees with -O0");
          continue;
        }
        report.count("intended difference from libpcap 1.10.3 -O, checked against its unoptimized program: " +
                     std::string(miscompile->issue));
      }
      if (libpcap.accepted) {
        references = std::move(libpcap.programs);
        newer = listings;
        optimizer_error = libpcap.optimizer_error;
        if (!optimizer_error.empty()) report.count("libpcap 1.10.3 -O refuses: " + optimizer_error);
      } else {
        references = listings;
        reason = "libpcap 1.10.3 refuses the expression";
        listing_error = "libpcap 1.10.3 refuses it (" + libpcap.error + ") and " + listing_error;
      }
    }
    if (references.empty()) {
      report.record_failure(subject, listing_error);
      continue;
    }

    BpfcCompilation ours = compile_with_bpfc(subject, *resolver);
    if (!ours.program) {
      if (!optimizer_error.empty() && ours.error == optimizer_error) {
        report.count("refused by libpcap 1.10.3 -O and bpfc alike: " + optimizer_error);
        continue;
      }
      if (ours.error == kRejectsAllPackets && rejects_every_view(references, views)) {
        report.count("refused by bpfc only as \"" + std::string(kRejectsAllPackets) +
                     "\"; the references reject every test packet");
      } else if (ours.unsupported) {
        // Every link type here is covered: nothing may be left unsupported.
        report.record_failure(subject, "bpfc does not support it yet: " + ours.error);
      } else {
        report.record_failure(subject, "bpfc refuses an expression libpcap accepts: " + ours.error);
      }
      continue;
    }
    ++tally.compiled;
    // Sizes against the program whose verdicts bpfc is held to.
    auto tally_size = [&](const NamedProgram& reference) {
      tally.bpfc_insns += ours.program->size();
      tally.reference_insns += reference.program.size();
      if (ours.program->size() > reference.program.size()) {
        ++tally.longer;
        std::cout << "[diff] longer than " << reference.name << ": " << subject.label << " `" << entry.expr << "` ("
                  << ours.program->size() << " > " << reference.program.size() << ")\n";
      }
    };
    if (!optimizer_error.empty()) {
      report.record_failure(subject, "libpcap 1.10.3 -O refuses it (" + optimizer_error + ") but bpfc compiles it");
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
    if (ours.deep_unrolled_program) report.compare(subject, *ours.deep_unrolled_program, references, views);
    // The corpus listings come from a newer libpcap; where 1.10.3's programs
    // behave differently, bpfc may follow the newer one, but on every packet.
    if (!newer.empty() && count_disagreements(*ours.program, references, views) != 0 &&
        count_disagreements(*ours.program, newer, views) == 0) {
      report.count("compared with the corpus listing: bpfc follows the newer libpcap where 1.10.3 differs");
      tally_size(newer.front());
      if (!report.compare(subject, *ours.program, newer, views)) ++tally.differing;
      continue;
    }
    if (!reason.empty()) report.count("compared with the corpus listing: " + reason);
    tally_size(references.front());
    if (!report.compare(subject, *ours.program, references, views)) ++tally.differing;
  }

  report.print(std::cout);
  print_tallies(tallies, std::cout);
  for (const auto& [linktype, tally] : tallies) {
    EXPECT_EQ(tally.longer, 0u) << "bpfc's program is longer than the reference on " << tally.longer << " "
                                << linktype << " entries";
  }
  EXPECT_TRUE(report.passed()) << report.failure_digest();
}

}  // namespace
}  // namespace bpfc::difftest
