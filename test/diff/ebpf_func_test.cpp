// The func hook against the running kernel: every accept-corpus expression
// bpfc compiles for EN10MB becomes a func object for each packet access —
// direct and probe (filter(data, data_end), linked into an XDP caller that
// hands it the frame's bounds) and skb (filter(struct __sk_buff *), linked
// into a socket filter that hands it its context) — that libbpf's static
// linker links into its caller compiled by clang, and that the kernel's
// verifier loads in that caller; BPF_PROG_TEST_RUN of the caller on corpus
// packets, their mutants and truncations passes exactly the frames bpfc's
// classic program accepts (with protochain following as many headers, 64,
// as the eBPF loop does), and bpfc's user-space eBPF interpreter, running
// the func program alone, accepts what the kernel passes.
#include <iostream>
#include <map>
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
#include "../support/sanitized_share.h"

namespace bpfc::difftest {
namespace {

// Fewer synthetic packets under the sanitizers, which slow the compiles.
#ifdef BPFC_SANITIZED_BUILD
constexpr int kSyntheticPackets = 4;
#else
constexpr int kSyntheticPackets = 30;
#endif

struct Tally {
  size_t programs = 0, refused = 0, runs = 0, frames_refused = 0, mismatches = 0, interpreter_mismatches = 0;
};

struct Access {
  ebpf::PacketAccess access;
  CallerKind caller;
  const char* caller_words;
};

const Access kAccesses[] = {
    {ebpf::PacketAccess::Direct, CallerKind::XdpPacketBounds, "an XDP caller"},
    {ebpf::PacketAccess::Probe, CallerKind::XdpPacketBounds, "an XDP caller"},
    {ebpf::PacketAccess::Skb, CallerKind::SocketContext, "a socket filter caller"},
};

// What the caller returns for the filter's verdict.
uint32_t caller_return(CallerKind caller, uint32_t verdict) {
  return caller == CallerKind::XdpPacketBounds ? hook_return(ebpf::Hook::Xdp, verdict) : (verdict != 0 ? 1 : 0);
}

TEST(EbpfFunc, CorpusFiltersLinkIntoTheirCallersLoadAndGiveTheClassicVerdicts) {
  if (!kernel_loads_ebpf()) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";
  FuncCaller xdp_caller(CallerKind::XdpPacketBounds), socket_caller(CallerKind::SocketContext);
  if (!xdp_caller.unavailable().empty()) GTEST_SKIP() << xdp_caller.unavailable();
  if (!socket_caller.unavailable().empty()) GTEST_SKIP() << socket_caller.unavailable();

  PacketCorpusOptions packet_options;
  packet_options.mutants_per_packet = 1;
  packet_options.synthetic_per_linktype = kSyntheticPackets;
  packet_options.truncate_savefile_packets = false;
  const PacketCorpus corpus(kPcapsDir, {kDltEn10mb}, packet_options);

  const auto resolver = make_file_resolver(kFixtureNamesDir);
  size_t compiled = 0, not_compiled = 0;
  std::map<std::string, Tally> tallies;
  size_t entry_index = 0;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    if (!testsupport::in_sanitized_share(entry_index++, 2)) continue;
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
      ++not_compiled;  // the accept corpus test says why bpfc refuses it
      continue;
    }
    ++compiled;
    for (const Access& mode : kAccesses) {
      Tally& tally = tallies[std::string(ebpf::name(mode.access))];
      ebpf::CodegenOptions codegen = ebpf::default_codegen_options(ebpf::Hook::Func);
      codegen.access = mode.access;
      auto program = ebpf::compile_for_hook(*function, codegen);
      ASSERT_TRUE(program.ok()) << entry.expr << ": " << program.error().message;
      const ebpf::Program& func = program->generated.program;
      ebpf::ObjectOptions object_options;
      object_options.hook = ebpf::Hook::Func;
      object_options.access = mode.access;
      auto object = ebpf::write_object(func, object_options);
      ASSERT_TRUE(object.ok()) << entry.expr << ": " << object.error().message;

      ++tally.programs;
      FuncCaller& caller = mode.caller == CallerKind::XdpPacketBounds ? xdp_caller : socket_caller;
      const LinkedFilter linked = caller.link_and_load(*object);
      if (!linked.loaded()) {
        ++tally.refused;
        ADD_FAILURE() << ebpf::name(mode.access) << " func object for '" << entry.expr << "' (" << entry.name
                      << ") linked into " << mode.caller_words << " does not load:\n"
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
          // The interpreter runs the function as linked code would call it:
          // with the frame's bounds, or with a socket filter's context.
          runtime::EbpfContext context;
          context.hook = mode.access == ebpf::PacketAccess::Skb ? ebpf::Hook::Socket : ebpf::Hook::Func;
          context.packet = {bytes, caplen};
          const runtime::EbpfRun interpreted = runtime::run_ebpf(func, context);
          const bool interpreter_agrees =
              interpreted.ok() && caller_return(mode.caller, interpreted.r0 != 0 ? 1 : 0) == *returned;
          if (!interpreter_agrees && ++tally.interpreter_mismatches <= 5) {
            ADD_FAILURE() << ebpf::name(mode.access) << " func '" << entry.expr << "' on " << view.packet->origin
                          << " caplen " << caplen << ": the kernel's caller returns " << *returned
                          << ", the interpreter's filter() "
                          << (interpreted.ok() ? std::to_string(interpreted.r0) : interpreted.fault->describe());
          }
          const uint32_t verdict = runtime::run_cbpf(*classic, {bytes, caplen}, caplen);
          if (*returned != caller_return(mode.caller, verdict) && ++tally.mismatches <= 5) {
            ADD_FAILURE() << ebpf::name(mode.access) << " func '" << entry.expr << "' on " << view.packet->origin
                          << " caplen " << caplen << ": the kernel's caller returns " << *returned
                          << ", classic verdict " << verdict;
          }
        }
      }
    }
  }
  std::cout << "eBPF func check: " << compiled << " EN10MB expressions (" << not_compiled << " bpfc refuses)\n";
  for (const Access& mode : kAccesses) {
    const Tally& tally = tallies[std::string(ebpf::name(mode.access))];
    std::cout << "  " << ebpf::name(mode.access) << ": " << tally.programs << " func objects linked into "
              << mode.caller_words << ", " << tally.refused << " refused; " << tally.runs << " test runs, "
              << tally.mismatches << " mismatches (" << tally.frames_refused
              << " frames the kernel would not run); the eBPF interpreter differs from the kernel on "
              << tally.interpreter_mismatches << "\n";
    EXPECT_GT(tally.programs, 0u);
    EXPECT_EQ(tally.refused, 0u);
    EXPECT_EQ(tally.mismatches, 0u);
    EXPECT_EQ(tally.interpreter_mismatches, 0u);
    EXPECT_GT(tally.runs, 0u);
  }
}

}  // namespace
}  // namespace bpfc::difftest
