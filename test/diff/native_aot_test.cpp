// The llvm target ahead of time: each covered link type's accept-corpus
// filters compiled into one object (a symbol each) with its C header, linked by the C compiler
// into a small program as users link it (PIE, Debian's default), which runs
// every filter, one packet per call and in batches, on corpus packets,
// truncations, mutants and synthetic packets: the program's verdicts are the
// classic interpreter's.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/llvm/native.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "corpus_entries.h"
#include "packet_corpus.h"
#include "suite_config.h"

namespace bpfc::difftest {
namespace {

// Reads packets as <u32 caplen><u32 wirelen><bytes> records from argv[1];
// writes each filter's verdicts, in order, as u32s to argv[2]; exits 3 when
// a batch disagrees with the calls one by one.
constexpr const char* kRunnerSource = R"(#include <stdio.h>
#include <stdlib.h>
#include "filters.h"
#include "table.h"

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  FILE *in = fopen(argv[1], "rb");
  if (!in) return 2;
  static struct bpfc_packet packets[1 << 16];
  uint32_t count = 0, header[2];
  while (fread(header, 4, 2, in) == 2) {
    uint8_t *bytes = malloc(header[0] ? header[0] : 1);
    if (header[0] && fread(bytes, 1, header[0], in) != header[0]) return 2;
    packets[count].data = bytes;
    packets[count].caplen = header[0];
    packets[count].wirelen = header[1];
    if (++count == sizeof packets / sizeof packets[0]) return 2;
  }
  fclose(in);
  FILE *out = fopen(argv[2], "wb");
  uint32_t *verdicts = malloc(sizeof(uint32_t) * (count ? count : 1));
  for (size_t f = 0; f < sizeof filters / sizeof filters[0]; ++f) {
    batches[f](packets, count, verdicts);
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t one = filters[f](packets[i].data, packets[i].caplen, packets[i].wirelen);
      if (one != verdicts[i]) return 3;
    }
    fwrite(verdicts, 4, count, out);
  }
  return fclose(out) == 0 ? 0 : 2;
}
)";

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

CompileContext entry_context(const AcceptEntry& entry) {
  if (entry.offline == std::string("swapped")) return CompileContext::OfflineSwapped;
  if (entry.offline == std::string("unswapped")) return CompileContext::Offline;
  return CompileContext::Dead;
}

struct Tally {
  size_t filters = 0, packets = 0, mismatches = 0;
};

// One link type's corpus filters in one object, linked into the runner in
// `dir`, run on that link type's packets.
void check_linktype(uint32_t dlt, const std::string& dir, const PacketCorpus& corpus, Tally& tally) {
  const auto resolver = make_file_resolver(kFixtureNamesDir);
  std::vector<native::NamedFilter> filters;
  std::vector<cbpf::Program> classics;
  std::vector<std::string> expressions;
  size_t corpus_entries = 0;
  for (const AcceptEntry& entry : load_accept_entries(kCorpusDir)) {
    if (linktype_from_string(entry.dlt) != dlt || entry.linuxext) continue;
    ++corpus_entries;
    CompileOptions options;
    options.linktype = dlt;
    options.snaplen = entry.snaplen;
    options.netmask = entry.netmask;
    options.resolver = resolver.get();
    options.context = entry_context(entry);
    auto function = compile_to_ir(entry.expr, options);
    auto classic = compile_cbpf(entry.expr, options);
    if (!function.ok() || !classic.ok()) continue;
    filters.push_back({"f" + std::to_string(filters.size()), std::move(*function)});
    classics.push_back(std::move(*classic));
    expressions.push_back(entry.expr);
#ifdef BPFC_SANITIZED_BUILD
    if (filters.size() == 40) break;  // the sanitizers slow the compile
#endif
  }
  // Link types the corpus has no entries for (covered by generated
  // expressions only) have nothing to link here.
  if (corpus_entries == 0) return;
  ASSERT_FALSE(filters.empty()) << "no corpus filter for link type " << dlt;
  auto object = native::emit(filters, native::NativeOutput::Object, native::MachineOptions{});
  ASSERT_TRUE(object.ok()) << object.error().message;
  std::vector<std::string> symbols;
  std::string table = "static uint32_t (*const filters[])(const uint8_t *, uint32_t, uint32_t) = {";
  std::string batch_table =
      "static void (*const batches[])(const struct bpfc_packet *, uint32_t, uint32_t *) = {";
  for (const native::NamedFilter& filter : filters) {
    symbols.push_back(filter.symbol);
    table += filter.symbol + ",";
    batch_table += filter.symbol + "_batch,";
  }
  std::ofstream(dir + "/filters.o", std::ios::binary) << *object;
  std::ofstream(dir + "/filters.h") << native::c_header(symbols);
  std::ofstream(dir + "/table.h") << table << "};\n" << batch_table << "};\n";
  std::ofstream(dir + "/runner.c") << kRunnerSource;
  ASSERT_EQ(run(std::string(BPFC_C_COMPILER) + " -std=c11 -Wall -Wextra -Werror -O1 -o " + dir + "/runner " + dir +
                "/runner.c " + dir + "/filters.o"),
            0)
      << "the C compiler could not link the object";

  std::vector<std::pair<const Packet*, uint32_t>> views;  // packet, caplen
  for (const PacketView& view : corpus.views_for(dlt)) {
    for (uint32_t caplen : {view.caplen, view.caplen * 3 / 4, view.caplen / 2, view.caplen / 4, 14u, 4u}) {
      if (caplen <= view.caplen) views.emplace_back(view.packet, caplen);
    }
  }
  // The runner counts views in 16 bits: link types with long headers (Prism's
  // 144 bytes) have more truncations than that, of which every n-th is kept.
  if (views.size() >= 65536u) {
    const size_t stride = views.size() / 65536u + 1;
    std::vector<std::pair<const Packet*, uint32_t>> kept;
    for (size_t i = 0; i < views.size(); i += stride) kept.push_back(views[i]);
    views = std::move(kept);
  }
  ASSERT_LT(views.size(), 65536u);
  {
    std::ofstream packets(dir + "/packets.bin", std::ios::binary);
    for (const auto& [packet, caplen] : views) {
      const uint32_t header[2] = {caplen, packet->wirelen};
      packets.write(reinterpret_cast<const char*>(header), sizeof header);
      packets.write(reinterpret_cast<const char*>(packet->bytes.data()), caplen);
    }
  }
  ASSERT_EQ(run(dir + "/runner " + dir + "/packets.bin " + dir + "/verdicts.bin"), 0)
      << "the program failed, or a batch disagreed with the calls one by one";
  std::ifstream in(dir + "/verdicts.bin", std::ios::binary);
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string verdicts = whole.str();
  ASSERT_EQ(verdicts.size(), filters.size() * views.size() * 4);
  for (size_t f = 0; f < filters.size(); ++f) {
    for (size_t i = 0; i < views.size(); ++i) {
      uint32_t native = 0;
      std::memcpy(&native, verdicts.data() + (f * views.size() + i) * 4, 4);
      const auto& [packet, caplen] = views[i];
      const uint32_t reference = runtime::run_cbpf(classics[f], {packet->bytes.data(), caplen}, packet->wirelen);
      if (native != reference && ++tally.mismatches <= 10) {
        ADD_FAILURE() << "'" << expressions[f] << "' (link type " << dlt << ") on " << packet->origin << " caplen "
                      << caplen << ": the linked object " << native << ", interpreter " << reference;
      }
    }
  }
  tally.filters += filters.size();
  tally.packets += views.size();
}

TEST(NativeAot, CorpusFiltersLinkedIntoACProgramGiveTheInterpretersVerdicts) {
  char scratch[] = "/tmp/bpfc-aot-XXXXXX";
  ASSERT_NE(mkdtemp(scratch), nullptr);
  const std::string dir = scratch;
  PacketCorpusOptions options;
  options.mutants_per_packet = 2;
  options.synthetic_per_linktype = 100;
  options.truncate_savefile_packets = false;
  const PacketCorpus corpus(kPcapsDir, covered_dlts(), options);
  Tally tally;
  for (uint32_t dlt : covered_dlts()) {
    SCOPED_TRACE("link type " + std::to_string(dlt));
    check_linktype(dlt, dir, corpus, tally);
  }
  std::cout << "AOT check: " << tally.filters << " filters in " << covered_dlts().size()
            << " objects (one per link type), " << tally.packets << " packet views, " << tally.mismatches
            << " mismatches\n";
  EXPECT_EQ(tally.mismatches, 0u);
  run("rm -rf " + dir);
}

}  // namespace
}  // namespace bpfc::difftest
