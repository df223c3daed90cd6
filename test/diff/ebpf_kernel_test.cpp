// The eBPF target against the running kernel: every accept-corpus expression
// bpfc compiles for EN10MB, RAW, LINUX_SLL and LINUX_SLL2 becomes a socket
// filter (and, for EN10MB, an XDP and a tc program) that the kernel's
// verifier loads, and BPF_PROG_TEST_RUN on corpus packets, their mutants and
// truncations gives the verdict of bpfc's classic program on the same bytes
// (with protochain following as many headers, 64, as the eBPF loop does),
// and bpfc's user-space eBPF interpreter returns what the kernel returns.
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/runtime/ebpf_vm.h"
#include "corpus_entries.h"
#include "ebpf_kernel_runner.h"
#include "packet_corpus.h"
#include "suite_config.h"
#include "../support/sanitized_share.h"

namespace bpfc::difftest {
namespace {

// Fewer synthetic packets under the sanitizers, which slow the compiles.
#ifdef BPFC_SANITIZED_BUILD
constexpr int kSyntheticPackets = 10;
#else
constexpr int kSyntheticPackets = 30;
#endif

struct Tally {
  size_t programs = 0, refused = 0, runs = 0, frames_refused = 0, mismatches = 0, interpreter_mismatches = 0;
  size_t windowed = 0;  // legacy-access programs that read a packet window
  size_t under_estimated = 0;  // the verifier checked more than the compile-time estimate
  double worst_estimate = 0;   // the smallest estimate / processed ratio
};

TEST(EbpfKernel, CorpusProgramsLoadAndGiveTheClassicVerdicts) {
  if (!kernel_loads_ebpf()) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";
  const std::vector<uint32_t> linktypes = {kDltEn10mb, kDltRaw, kDltLinuxSll, kDltLinuxSll2};
  PacketCorpusOptions packet_options;
  packet_options.mutants_per_packet = 1;
  packet_options.synthetic_per_linktype = kSyntheticPackets;
  packet_options.truncate_savefile_packets = false;
  const PacketCorpus corpus(kPcapsDir, linktypes, packet_options);

  const auto resolver = make_file_resolver(kFixtureNamesDir);
  std::map<std::string, Tally> tallies;
  size_t compiled = 0, not_compiled = 0;
  size_t entry_index = 0;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    if (!testsupport::in_sanitized_share(entry_index++, 2)) continue;
    const auto dlt = linktype_from_string(entry.dlt);
    if (!dlt || std::find(linktypes.begin(), linktypes.end(), *dlt) == linktypes.end()) continue;
    if (entry.linuxext || entry.offline) continue;
    CompileOptions options;
    options.linktype = *dlt;
    options.snaplen = entry.snaplen;
    options.netmask = entry.netmask;
    options.resolver = resolver.get();
    auto function = compile_to_ir(entry.expr, options);
    // The reference follows protochain as far as the eBPF loop does.
    CompileOptions bounded = options;
    bounded.protochain = ProtochainForm::Unrolled;
    auto classic = compile_cbpf(entry.expr, bounded);
    if (!function.ok() || !classic.ok()) {
      ++not_compiled;  // the accept corpus test says why bpfc refuses it
      continue;
    }
    ++compiled;
    // Each hook with its own packet access; on EN10MB also tc reading with
    // bpf_skb_load_bytes() alone (--packet-access=skb).
    std::vector<std::pair<ebpf::Hook, ebpf::PacketAccess>> hooks = {
        {ebpf::Hook::Socket, ebpf::default_packet_access(ebpf::Hook::Socket)}};
    if (*dlt == kDltEn10mb) {
      for (ebpf::Hook hook : {ebpf::Hook::Xdp, ebpf::Hook::Tc}) hooks.emplace_back(hook, ebpf::default_packet_access(hook));
#ifndef BPFC_SANITIZED_BUILD  // the sanitizer pass sees skb access in the random-IR and func tests
      hooks.emplace_back(ebpf::Hook::Tc, ebpf::PacketAccess::Skb);
#endif
    }
    for (const auto& [hook, access] : hooks) {
      const bool default_access = access == ebpf::default_packet_access(hook);
      Tally& tally = tallies[std::string(ebpf::name(hook)) + (default_access ? "" : "/" + std::string(ebpf::name(access)))];
      ebpf::CodegenOptions codegen = ebpf::default_codegen_options(hook);
      codegen.access = access;
      ++tally.programs;
      auto program = ebpf::compile_for_hook(*function, codegen);
      ASSERT_TRUE(program.ok()) << entry.expr << ": " << program.error().message;
      tally.windowed += program->generated.window_bytes > 0;
      const LoadedEbpf loaded(program->generated.program, hook);
      if (!loaded.loaded()) {
        ++tally.refused;
        ADD_FAILURE() << ebpf::name(hook) << " program for '" << entry.expr << "' (" << entry.dlt
                      << ") refused by the kernel:\n"
                      << loaded.log();
        continue;
      }
      // The estimate the compile warns with must cover what the kernel did.
      const size_t estimate = program->generated.verifier_estimate;
      if (loaded.processed() > estimate && ++tally.under_estimated <= 5) {
        ADD_FAILURE() << ebpf::name(hook) << " '" << entry.expr << "': the verifier checked " << loaded.processed()
                      << " instructions, over the estimate of " << estimate;
      }
      if (loaded.processed() > 0) {
        const double ratio = static_cast<double>(estimate) / static_cast<double>(loaded.processed());
        tally.worst_estimate = tally.worst_estimate == 0 ? ratio : std::min(tally.worst_estimate, ratio);
      }
      for (const PacketView& view : corpus.views_for(*dlt)) {
        const uint8_t* bytes = view.packet->bytes.data();
        // Whole packets and two truncations of each.
        for (uint32_t caplen : {view.caplen, view.caplen * 2 / 3, view.caplen / 3}) {
          auto returned = loaded.run(bytes, caplen);
          if (!returned) {
            ++tally.frames_refused;
            continue;
          }
          ++tally.runs;
          // bpfc's user-space eBPF interpreter must say what the kernel says.
          runtime::EbpfContext context;
          context.hook = hook;
          context.packet = {bytes, caplen};
          const runtime::EbpfRun interpreted = runtime::run_ebpf(program->generated.program, context);
          if (!interpreted.ok() || interpreted.r0 != *returned) {
            if (++tally.interpreter_mismatches <= 5) {
              ADD_FAILURE() << ebpf::name(hook) << " '" << entry.expr << "' on " << view.packet->origin
                            << " caplen " << caplen << ": kernel " << *returned << ", interpreter "
                            << (interpreted.ok() ? std::to_string(interpreted.r0) : interpreted.fault->describe());
            }
          }
          const uint32_t verdict = runtime::run_cbpf(*classic, {bytes, caplen}, caplen);
          if (*returned != hook_return(hook, verdict)) {
            if (++tally.mismatches <= 5) {
              ADD_FAILURE() << ebpf::name(hook) << " '" << entry.expr << "' (" << entry.dlt << ") on "
                            << view.packet->origin << " caplen " << caplen << ": kernel " << *returned
                            << ", classic verdict " << verdict;
            }
          }
        }
      }
    }
  }
  std::cout << "eBPF kernel check: " << compiled << " expressions (" << not_compiled << " bpfc refuses)\n";
  for (const auto& [hook, tally] : tallies) {
    std::cout << "  " << hook << ": " << tally.programs << " programs (" << tally.windowed
              << " reading a packet window), " << tally.refused << " refused; "
              << tally.runs << " test runs, " << tally.mismatches << " mismatches (" << tally.frames_refused
              << " frames the kernel would not run); the eBPF interpreter differs from the kernel on "
              << tally.interpreter_mismatches << "; verifier estimate / checked >= " << tally.worst_estimate << "\n";
    EXPECT_EQ(tally.under_estimated, 0u);
    EXPECT_EQ(tally.refused, 0u);
    EXPECT_EQ(tally.interpreter_mismatches, 0u);
    EXPECT_EQ(tally.mismatches, 0u);
    EXPECT_GT(tally.runs, 0u);
    // The packet window (socket and tc) is exercised by the corpus.
    if (hook == "socket" || hook == "tc") {
      EXPECT_GT(tally.windowed, tally.programs / 4) << hook;
    }
  }
}

}  // namespace
}  // namespace bpfc::difftest
