// Every pass keeps every verdict: for every expression of libpcap's accept
// corpus (all link types), the IR as lowering gives it (no passes) and the IR
// after each registered pass on its own, and after the -O1 and -O2
// pipelines, return the same value under ir::interpret on every test packet:
// the corpus savefiles' packets and mutants of them, synthetic packets for
// the link type and random bytes, each whole and truncated.
//
// Both lowerings are used: libpcap's optimize=1 one (bpfc's default) and the
// optimize=0 one, whose redundant tests and loads give the passes more to do.
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/ir.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/optimizer/pass_manager.h"
#include "corpus_entries.h"
#include "packets.h"
#include "rng.h"
#include "synthetic_packets.h"
#include "../support/sanitized_share.h"

namespace bpfc::opttest {
namespace {

using difftest::Packet;
using difftest::PacketView;

const std::string kCorpusDir = BPFC_TEST_DIR "/corpus";
const std::string kNamesDir = BPFC_TEST_DIR "/fixtures/names";

constexpr int kSyntheticPerLinktype = 120;
constexpr int kTruncationsPerPacket = 4;
constexpr int kRandomPackets = 60;
constexpr int kMismatchesShown = 10;

// The packets and views for one link type. Views point into the packet
// vectors, which are complete before any view is taken.
class LinktypePackets {
 public:
  LinktypePackets(uint32_t linktype, const std::vector<Packet>& savefile_packets, const std::vector<Packet>& mutants)
      : rng_(0x70617373 + linktype) {
    synthetic_ = difftest::synthesize_packets(linktype, kSyntheticPerLinktype, 0x62706663 + linktype);
    for (int i = 0; i < kRandomPackets; ++i) {
      Packet p;
      p.bytes.resize(rng_.below(120));
      for (uint8_t& b : p.bytes) b = rng_.byte();
      p.wirelen = static_cast<uint32_t>(p.bytes.size()) + rng_.below(64);
      p.origin = "random bytes";
      random_.push_back(std::move(p));
    }
    add(savefile_packets, 1);
    add(mutants, 0);
    add(synthetic_, kTruncationsPerPacket);
    add(random_, 1);
  }
  const std::vector<PacketView>& views() const { return views_; }

 private:
  void add(const std::vector<Packet>& packets, int truncations) {
    for (const Packet& p : packets) {
      const auto size = static_cast<uint32_t>(p.bytes.size());
      views_.push_back({&p, size});
      for (int i = 0; i < truncations && size > 0; ++i) views_.push_back({&p, rng_.below(size)});
    }
  }

  difftest::Rng rng_;
  std::vector<Packet> synthetic_, random_;
  std::vector<PacketView> views_;
};

std::vector<uint32_t> verdicts(const ir::Function& f, const std::vector<PacketView>& views) {
  std::vector<uint32_t> out;
  out.reserve(views.size());
  for (const PacketView& v : views) out.push_back(ir::interpret(f, {v.packet->bytes.data(), v.caplen}, v.packet->wirelen));
  return out;
}

struct Variant {
  std::string name;  // a pass name, or "-O1" / "-O2"
  opt::OptimizeOptions options;
};

std::vector<Variant> variants() {
  std::vector<Variant> all;
  for (const opt::Pass& pass : opt::registered_passes()) {
    Variant v{pass.name, {}};
    v.options.passes = std::vector<opt::Pass>{pass};
    v.options.verify_each = true;
    all.push_back(std::move(v));
  }
  for (int level : {1, 2}) {
    Variant v{"-O" + std::to_string(level), {}};
    v.options.level = level;
    v.options.verify_each = true;
    all.push_back(std::move(v));
  }
  return all;
}

TEST(PipelineDifferential, EveryPassKeepsEveryVerdictOnTheCorpus) {
  const std::vector<difftest::Savefile> savefiles = difftest::read_savefiles(kCorpusDir + "/pcaps");
  std::vector<Packet> savefile_packets;
  for (const auto& s : savefiles) savefile_packets.insert(savefile_packets.end(), s.packets.begin(), s.packets.end());
  const std::vector<Packet> mutants = difftest::mutate_packets(savefile_packets, 1, 0x6d757461);
  auto resolver = make_file_resolver(kNamesDir);
  std::map<uint32_t, std::unique_ptr<LinktypePackets>> packets_by_linktype;
  const std::vector<Variant> all_variants = variants();

  size_t functions = 0, skipped = 0, mismatches = 0, comparisons = 0;
  std::map<std::string, size_t> changed_by;  // variant -> functions it changed
  std::map<std::string, size_t> skip_reasons;
  size_t entry_index = 0;
  for (const difftest::AcceptEntry& entry : difftest::load_accept_entries(kCorpusDir)) {
    if (!testsupport::in_sanitized_share(entry_index++, 3)) continue;
    auto linktype = linktype_from_string(entry.dlt);
    if (!linktype || entry.expr.starts_with("_")) {
      ++skipped;
      ++skip_reasons[!linktype ? "unknown link type" : "not a filter"];
      continue;
    }
    auto& packets = packets_by_linktype[*linktype];
    if (!packets) packets = std::make_unique<LinktypePackets>(*linktype, savefile_packets, mutants);
    const std::vector<PacketView>& views = packets->views();

    for (int lowering_level : {2, 0}) {
      if (lowering_level > 0 && !entry.opt) continue;  // libpcap's optimizer refuses it
      CompileOptions options;
      options.linktype = *linktype;
      options.snaplen = entry.snaplen;
      options.netmask = entry.netmask;
      options.opt_level = lowering_level;
      options.passes = std::vector<opt::Pass>{};  // the IR exactly as lowered
      options.resolver = resolver.get();
      auto lowered = compile_to_ir(entry.expr, options);
      if (!lowered) {
        ++skipped;
        ++skip_reasons[lowered.error().message];
        continue;
      }
      ++functions;
      const std::vector<uint32_t> expected = verdicts(*lowered, views);
      const std::string lowered_text = ir::print(*lowered);
      for (const Variant& variant : all_variants) {
        ir::Function f = *lowered;
        auto report = opt::optimize(f, variant.options);
        const std::string subject = entry.file + ":" + entry.name + " `" + entry.expr + "` (lowered for -O" +
                                    std::to_string(lowering_level) + ") after " + variant.name;
        if (!report) {
          ADD_FAILURE() << subject << ": " << report.error().message << "\nlowered IR:\n" << lowered_text;
          continue;
        }
        if (ir::print(f) != lowered_text) ++changed_by[variant.name];
        const std::vector<uint32_t> got = verdicts(f, views);
        comparisons += views.size();
        for (size_t i = 0; i < views.size(); ++i) {
          if (got[i] == expected[i]) continue;
          if (mismatches++ < kMismatchesShown) {
            const PacketView& v = views[i];
            ADD_FAILURE() << subject << ": " << got[i] << " instead of " << expected[i] << " on "
                          << v.packet->origin << " (caplen " << v.caplen << ", wirelen " << v.packet->wirelen
                          << "): " << difftest::hex(v.packet->bytes.data(), v.caplen) << "\nlowered IR:\n"
                          << lowered_text << "after:\n"
                          << ir::print(f);
          }
          break;  // one mismatch per function and variant is enough
        }
      }
    }
  }
  std::cout << "[pipeline] " << functions << " lowered functions, " << skipped << " compilations skipped (refused by bpfc), "
            << comparisons << " verdicts compared, " << mismatches << " functions with a changed verdict\n";
  for (const auto& [reason, count] : skip_reasons) std::cout << "[pipeline]   skipped " << count << ": " << reason << "\n";
  for (const Variant& variant : all_variants) {
    std::cout << "[pipeline]   " << variant.name << " changed " << changed_by[variant.name] << " functions\n";
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(functions, testsupport::full_or_sanitized<size_t>(1000, 300));
}

}  // namespace
}  // namespace bpfc::opttest
