// The jit engine against the classic interpreter: every accept-corpus
// expression bpfc compiles for a covered link type (kernel-metadata ones
// aside: a native function has no metadata), JIT-compiled, gives the
// interpreter's verdict on every corpus packet, every truncation of each,
// mutants and synthetic packets, one packet per call and in batches; and
// reads nothing past the captured bytes, each packet sitting right before a
// PROT_NONE page. The auto engine, once it has switched to native code,
// agrees too.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/driver/executable.h"
#include "bpfc/exec/engine.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "corpus_entries.h"
#include "guarded_packets.h"
#include "packet_corpus.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

CompileContext entry_context(const AcceptEntry& entry) {
  if (entry.offline == std::string("swapped")) return CompileContext::OfflineSwapped;
  if (entry.offline == std::string("unswapped")) return CompileContext::Offline;
  return CompileContext::Dead;
}

PacketCorpusOptions packet_options() {
  PacketCorpusOptions options;
#ifdef BPFC_SANITIZED_BUILD
  // The sanitizers slow the interpreter: fewer packets, every truncation still.
  options.mutants_per_packet = 2;
  options.synthetic_per_linktype = 40;
#else
  options.mutants_per_packet = 6;
  options.synthetic_per_linktype = 150;
#endif
  return options;
}

TEST(NativeJit, CorpusFiltersGiveTheInterpretersVerdictsAndReadOnlyTheCapturedBytes) {
  const exec::Engine& jit = *exec::engines().find("jit");
  const PacketCorpus packets(kPcapsDir, covered_dlts(), packet_options());
  const auto resolver = make_file_resolver(kFixtureNamesDir);
  size_t largest = 0;
  for (uint32_t dlt : covered_dlts()) {
    for (const PacketView& view : packets.views_for(dlt)) largest = std::max<size_t>(largest, view.caplen);
  }
  fuzz::GuardedPackets guarded(1, largest);

  size_t filters = 0, refused = 0, runs = 0, mismatches = 0;
  std::map<uint32_t, size_t> per_linktype;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    const auto dlt = linktype_from_string(entry.dlt);
    if (!dlt || !is_covered_dlt(*dlt) || entry.linuxext) continue;
#ifdef BPFC_SANITIZED_BUILD
    // The sanitizers slow JIT compiles and runs: at most 120 filters of a
    // link type (the Release build runs every one).
    if (per_linktype[*dlt] >= 120) continue;
#endif
    CompileOptions options;
    options.linktype = *dlt;
    options.snaplen = entry.snaplen;
    options.netmask = entry.netmask;
    options.resolver = resolver.get();
    options.context = entry_context(entry);
    auto function = compile_to_ir(entry.expr, options);
    auto classic = compile_cbpf(entry.expr, options);
    if (!function.ok() || !classic.ok()) {
      ++refused;  // the accept corpus test says why bpfc refuses it
      continue;
    }
    auto made = jit.make_native(*function, exec::EngineSettings{});
    ASSERT_TRUE(made.ok()) << entry.expr << ": " << made.error().message;
    const exec::Filter& filter = **made;
    ++filters;
    ++per_linktype[*dlt];

    const std::vector<PacketView>& views = packets.views_for(*dlt);
    std::vector<exec::PacketView> batch;
    std::vector<uint32_t> expected;
    batch.reserve(views.size());
    expected.reserve(views.size());
    for (const PacketView& view : views) {
      const uint8_t* bytes = view.packet->bytes.data();
      const uint32_t wirelen = view.packet->wirelen;
      const uint32_t reference = runtime::run_cbpf(*classic, {bytes, view.caplen}, wirelen);
      const uint32_t native = filter.run(guarded.place(0, {bytes, view.caplen}), wirelen);
      ++runs;
      if (native != reference && ++mismatches <= 10) {
        ADD_FAILURE() << "'" << entry.expr << "' (" << entry.dlt << ") on " << view.packet->origin << " caplen "
                      << view.caplen << " wirelen " << wirelen << ": jit " << native << ", interpreter " << reference
                      << "\n  " << hex(bytes, view.caplen);
      }
      batch.push_back({bytes, view.caplen, wirelen});
      expected.push_back(reference);
    }
    std::vector<uint32_t> verdicts(batch.size(), 0xdeadbeef);
    filter.run_batch(batch, verdicts);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (verdicts[i] != expected[i] && ++mismatches <= 10) {
        ADD_FAILURE() << "'" << entry.expr << "' (" << entry.dlt << ") in a batch, packet " << i << " caplen "
                      << batch[i].caplen << ": jit " << verdicts[i] << ", interpreter " << expected[i];
      }
    }
  }
  std::cout << "jit check: " << filters << " corpus filters (" << refused << " bpfc refuses), " << runs
            << " guarded runs and as many in batches, " << mismatches << " mismatches; per link type:";
  for (const auto& [dlt, count] : per_linktype) std::cout << " " << dlt << ":" << count;
  std::cout << "\n";
  EXPECT_GT(filters, 600u);
  // Every covered link type the corpus has entries for.
  size_t with_entries = 0;
  for (uint32_t dlt : covered_dlts()) {
    for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
      if (linktype_from_string(entry.dlt) == dlt) {
        ++with_entries;
        break;
      }
    }
  }
  EXPECT_EQ(per_linktype.size(), with_entries);
  EXPECT_EQ(mismatches, 0u);
}

// The tiered engine interprets first and runs native code once it has seen
// enough packets; its verdicts never change across the switch.
TEST(NativeJit, AutoGivesTheSameVerdictsBeforeAndAfterItSwitches) {
  const exec::Engine& tiered = *exec::engines().find("auto");
  const exec::Engine& interp = *exec::engines().find("interp");
  PacketCorpusOptions options;
  options.mutants_per_packet = 1;
  options.synthetic_per_linktype = 50;
  const PacketCorpus packets(kPcapsDir, {kDltEn10mb}, options);
  for (const char* expression : {"tcp port 80", "vlan and ip6 and tcp", "ip6 protochain 17 or icmp[0] = 8"}) {
    auto made = compile_for_engine(expression, tiered, CompileOptions{});
    auto reference = compile_for_engine(expression, interp, CompileOptions{});
    ASSERT_TRUE(made.ok() && reference.ok()) << expression;
    const std::vector<PacketView>& views = packets.views_for(kDltEn10mb);
    ASSERT_GT(views.size(), 20000u);  // beyond the warm-up, so the code switches
    size_t mismatches = 0;
    for (int round = 0; round < 3; ++round) {
      std::vector<exec::PacketView> batch;
      for (const PacketView& view : views) {
        batch.push_back({view.packet->bytes.data(), view.caplen, view.packet->wirelen});
        if (batch.size() == 256 || &view == &views.back()) {
          std::vector<uint32_t> verdicts(batch.size());
          made->output->run_batch(batch, verdicts);
          for (size_t i = 0; i < batch.size(); ++i) {
            const uint32_t one = made->output->run({batch[i].data, batch[i].caplen}, batch[i].wirelen);
            const uint32_t want = reference->output->run({batch[i].data, batch[i].caplen}, batch[i].wirelen);
            mismatches += (verdicts[i] != want) + (one != want);
          }
          batch.clear();
        }
      }
    }
    EXPECT_EQ(mismatches, 0u) << expression;
  }
}

}  // namespace
}  // namespace bpfc::difftest
