// The func hook against the running kernel: every accept-corpus expression
// bpfc compiles for EN10MB becomes a func object (a global function
// filter(data, data_end)) that libbpf's static linker links into an XDP
// caller compiled by clang, and that the kernel's verifier loads in that
// caller; BPF_PROG_TEST_RUN of the caller on corpus packets, their mutants
// and truncations passes exactly the frames bpfc's classic program accepts
// (with protochain following as many headers, 64, as the eBPF loop does),
// and bpfc's user-space eBPF interpreter, running the func program alone,
// accepts what the kernel passes.
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/ebpf/object.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/runtime/ebpf_vm.h"
#include "corpus_entries.h"
#include "ebpf_func_linker.h"
#include "ebpf_kernel_runner.h"
#include "packet_corpus.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

// Fewer synthetic packets under the sanitizers, which slow the compiles.
#ifdef BPFC_SANITIZED_BUILD
constexpr int kSyntheticPackets = 10;
#else
constexpr int kSyntheticPackets = 30;
#endif

struct Tally {
  size_t compiled = 0, not_compiled = 0;
  size_t programs = 0, refused = 0, runs = 0, frames_refused = 0, mismatches = 0, interpreter_mismatches = 0;
};

TEST(EbpfFunc, CorpusFiltersLinkIntoAnXdpCallerLoadAndGiveTheClassicVerdicts) {
  if (!kernel_loads_ebpf()) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";
  XdpCaller caller;
  if (!caller.unavailable().empty()) GTEST_SKIP() << caller.unavailable();

  PacketCorpusOptions packet_options;
  packet_options.mutants_per_packet = 1;
  packet_options.synthetic_per_linktype = kSyntheticPackets;
  packet_options.truncate_savefile_packets = false;
  const PacketCorpus corpus(kPcapsDir, {kDltEn10mb}, packet_options);

  const auto resolver = make_file_resolver(kFixtureNamesDir);
  Tally tally;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    if (linktype_from_string(entry.dlt) != kDltEn10mb) continue;
    if (entry.linuxext || entry.offline) continue;
    CompileOptions options;
    options.linktype = kDltEn10mb;
    options.snaplen = entry.snaplen;
    options.netmask = entry.netmask;
    options.resolver = resolver.get();
    auto function = compile_to_ir(entry.expr, options);
    // The reference follows protochain as far as the eBPF loop does.
    CompileOptions bounded = options;
    bounded.protochain = ProtochainForm::Unrolled;
    auto classic = compile_cbpf(entry.expr, bounded);
    if (!function.ok() || !classic.ok()) {
      ++tally.not_compiled;  // the accept corpus test says why bpfc refuses it
      continue;
    }
    ++tally.compiled;
    auto program = ebpf::compile_for_hook(*function, ebpf::default_codegen_options(ebpf::Hook::Func));
    ASSERT_TRUE(program.ok()) << entry.expr << ": " << program.error().message;
    const ebpf::Program& func = program->generated.program;
    ebpf::ObjectOptions object_options;
    object_options.hook = ebpf::Hook::Func;
    auto object = ebpf::write_object(func, object_options);
    ASSERT_TRUE(object.ok()) << entry.expr << ": " << object.error().message;

    ++tally.programs;
    const LinkedXdpFilter linked = caller.link_and_load(*object);
    if (!linked.loaded()) {
      ++tally.refused;
      ADD_FAILURE() << "func object for '" << entry.expr << "' (" << entry.name
                    << ") linked into the XDP caller does not load:\n"
                    << linked.failure();
      continue;
    }
    for (const PacketView& view : corpus.views_for(kDltEn10mb)) {
      const uint8_t* bytes = view.packet->bytes.data();
      // Whole packets and two truncations of each.
      for (uint32_t caplen : {view.caplen, view.caplen * 2 / 3, view.caplen / 3}) {
        auto returned = linked.run(bytes, caplen);
        if (!returned) {
          ++tally.frames_refused;
          continue;
        }
        ++tally.runs;
        // The interpreter runs the function as linked code would call it.
        runtime::EbpfContext context;
        context.hook = ebpf::Hook::Func;
        context.packet = {bytes, caplen};
        const runtime::EbpfRun interpreted = runtime::run_ebpf(func, context);
        const bool interpreter_agrees =
            interpreted.ok() && hook_return(ebpf::Hook::Xdp, interpreted.r0 != 0 ? 1 : 0) == *returned;
        if (!interpreter_agrees && ++tally.interpreter_mismatches <= 5) {
          ADD_FAILURE() << "func '" << entry.expr << "' on " << view.packet->origin << " caplen " << caplen
                        << ": the kernel's caller returns " << *returned << ", the interpreter's filter() "
                        << (interpreted.ok() ? std::to_string(interpreted.r0) : interpreted.fault->describe());
        }
        const uint32_t verdict = runtime::run_cbpf(*classic, {bytes, caplen}, caplen);
        if (*returned != hook_return(ebpf::Hook::Xdp, verdict) && ++tally.mismatches <= 5) {
          ADD_FAILURE() << "func '" << entry.expr << "' on " << view.packet->origin << " caplen " << caplen
                        << ": the kernel's caller returns " << *returned << " (2 passes, 1 drops), classic verdict "
                        << verdict;
        }
      }
    }
  }
  std::cout << "eBPF func check: " << tally.compiled << " EN10MB expressions (" << tally.not_compiled
            << " bpfc refuses); " << tally.programs << " func objects linked into an XDP caller, " << tally.refused
            << " refused; " << tally.runs << " test runs, " << tally.mismatches << " mismatches ("
            << tally.frames_refused << " frames the kernel would not run); the eBPF interpreter differs from the "
            << "kernel on " << tally.interpreter_mismatches << "\n";
  EXPECT_GT(tally.programs, 0u);
  EXPECT_EQ(tally.refused, 0u);
  EXPECT_EQ(tally.mismatches, 0u);
  EXPECT_EQ(tally.interpreter_mismatches, 0u);
  EXPECT_GT(tally.runs, 0u);
}

}  // namespace
}  // namespace bpfc::difftest
