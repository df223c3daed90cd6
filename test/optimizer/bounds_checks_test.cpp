// opt::legalize_bounds_checks: after it, no load runs out of bounds on a
// target whose loads do not trap (ir::interpret_without_load_traps reports
// none), the verdicts are the original's under the contract, every load is
// marked checked, and guards are merged exactly where ir/README.md allows.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bpfc/driver/compile.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/linktype/linktype.h"
#include "bpfc/optimizer/legalize.h"
#include "bpfc/optimizer/pass_manager.h"
#include "corpus_entries.h"
#include "packets.h"
#include "random_ir.h"
#include "synthetic_packets.h"
#include "../support/sanitized_share.h"

namespace bpfc::opttest {
namespace {

using Bytes = std::vector<uint8_t>;

// The sanitizers make compiling and interpreting many times slower: there
// fewer random functions and every fourth capture length (and the whole
// packet) are tried.
#ifdef BPFC_SANITIZED_BUILD
constexpr int kRandomFunctions = 400;
constexpr size_t kCaplenStride = 4;
#else
constexpr int kRandomFunctions = 1500;
constexpr size_t kCaplenStride = 1;
#endif

ir::Function parsed(const char* text) {
  auto f = ir::parse(text);
  EXPECT_TRUE(f.ok()) << f.error().message;
  return f ? *f : ir::Function{};
}

size_t unchecked_loads(const ir::Function& f) {
  size_t n = 0;
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) n += f.values[v].op == ir::Op::Load && !f.values[v].checked;
  }
  return n;
}

// Empty when `legal` runs `original`'s verdict without an out-of-bounds load
// on the packet; else what went wrong.
std::string compare(const ir::Function& original, const ir::Function& legal, std::span<const uint8_t> packet,
                    uint32_t wirelen) {
  const uint32_t want = ir::interpret(original, packet, wirelen);
  const ir::NonTrappingRun got = ir::interpret_without_load_traps(legal, packet, wirelen);
  if (got.faulted()) return "v" + std::to_string(got.faulting_load) + " read out of bounds";
  if (got.verdict != want) return "verdict " + std::to_string(got.verdict) + " instead of " + std::to_string(want);
  return {};
}

// f legalized, as text.
std::string legalized_text(const ir::Function& f) {
  ir::Function legal = f;
  opt::legalize_bounds_checks(legal);
  return ir::print(legal);
}

// Legalizes f and checks it on every prefix of each packet.
opt::BoundsChecks check_legalized(const ir::Function& f, const std::vector<Bytes>& packets, const std::string& what) {
  ir::Function legal = f;
  const opt::BoundsChecks report = opt::legalize_bounds_checks(legal);
  if (auto problem = ir::verify(legal)) {
    ADD_FAILURE() << what << ": malformed output: " << *problem << "\n" << ir::print(legal);
    return report;
  }
  EXPECT_EQ(unchecked_loads(legal), 0u) << what << "\n" << ir::print(legal);
  EXPECT_EQ(ir::verify_checked_loads(legal), std::nullopt) << what << "\n" << ir::print(legal);
  EXPECT_LE(report.guards, report.guards_per_block) << what;
  for (const Bytes& packet : packets) {
    for (size_t caplen = 0; caplen <= packet.size(); ++caplen) {
      const std::string problem = compare(f, legal, std::span(packet).first(caplen), 1000);
      if (!problem.empty()) {
        ADD_FAILURE() << what << ": " << problem << " on a " << caplen << "-byte packet\nbefore:\n"
                      << ir::print(f) << "after:\n" << ir::print(legal);
        return report;
      }
    }
  }
  return report;
}

// ether type IPv4 and IP protocol 6: the second load only matters where the
// first test passed, and every other path returns 0, so one guard (caplen
// >= 24) covers both.
TEST(BoundsChecks, OneGuardCoversAConjunction) {
  const ir::Function f = parsed(
      "b0:\n  v0 = load.2 [12]\n  v1 = const 0x800\n  br eq v0, v1, b1, b2\n"
      "b1:\n  v2 = load.1 [23]\n  v3 = const 0x6\n  br eq v2, v3, b3, b2\n"
      "b2:\n  v4 = const 0x0\n  ret v4\n"
      "b3:\n  v5 = const 0xffff\n  ret v5\n");
  const opt::BoundsChecks report = check_legalized(f, {Bytes(30, 0), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0,
                                                                       0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0}},
                                                   "conjunction");
  EXPECT_EQ(report.loads, 2u);
  EXPECT_EQ(report.unmerged_guards, 2u);
  EXPECT_EQ(report.guards_per_block, 2u);
  EXPECT_EQ(report.guards, 1u);
  const std::string text = legalized_text(f);
  EXPECT_NE(text.find("const 0x18\n  br gt"), std::string::npos) << text;
}

// ether type IPv4, else keep byte 40 bytes: a packet of 20 bytes that is
// IPv4 passes before the second load runs, so its bound may not be checked
// first.
TEST(BoundsChecks, NoGuardCoversALoadAfterANonzeroReturnMayComeFirst) {
  const ir::Function f = parsed(
      "b0:\n  v0 = load.2 [12]\n  v1 = const 0x800\n  br eq v0, v1, b2, b1\n"
      "b1:\n  v2 = load.1 [40]\n  ret v2\n"
      "b2:\n  v4 = const 0xffff\n  ret v4\n");
  Bytes ipv4(20, 0);
  ipv4[12] = 8;
  const opt::BoundsChecks report = check_legalized(f, {ipv4, Bytes(44, 6)}, "disjunction");
  EXPECT_EQ(report.guards, 2u);
  ir::Function legal = f;
  opt::legalize_bounds_checks(legal);
  EXPECT_EQ(ir::interpret_without_load_traps(legal, ipv4, 60).verdict, 0xffffu);
}

// IPv4 header length from byte 14, then two loads from the TCP header:
// one guard for the absolute load, one for both indexed ones.
TEST(BoundsChecks, IndexedLoadsWithOneIndexShareAGuard) {
  const ir::Function f = parsed(
      "b0:\n  v0 = load.1 [14]\n  v1 = const 0xf\n  v2 = and v0, v1\n  v3 = const 0x2\n  v4 = shl v2, v3\n"
      "  v5 = load.2 [v4 + 14]\n  v6 = load.2 [v4 + 16]\n  v7 = add v5, v6\n  ret v7\n");
  std::vector<Bytes> packets;
  for (uint8_t ihl : {0x45, 0x4f, 0x40, 0x41}) {
    Bytes p(90, 0x11);
    p[14] = ihl;
    packets.push_back(p);
  }
  const opt::BoundsChecks report = check_legalized(f, packets, "indexed");
  EXPECT_EQ(report.loads, 3u);
  EXPECT_EQ(report.guards, 2u);
  // The indexed loads need caplen >= 18 whatever the index, so the first
  // guard asks for that: the indexed guard then tests the index alone.
  EXPECT_EQ(report.branches, 2u);
}

// `tcp port 80`'s shape: IPv6 reaches the port through a phi that is the
// constant 40 there (port at 54), IPv4 through the header length. What the
// port needs on the IPv6 edge, caplen >= 56, and IPv4's own need, 24, meet
// at the entry: one guard of 24 covers the EtherType and both paths'
// protocol bytes, and the port's guard tests only the index.
TEST(BoundsChecks, APhiOfAConstantTurnsAnIndexedNeedIntoAnAbsoluteOne) {
  const ir::Function f = parsed(
      "b0:\n  v0 = load.2 [12]\n  v1 = const 0x86dd\n  br eq v0, v1, b2, b1\n"
      "b1:\n  v2 = const 0x800\n  br eq v0, v2, b3, b5\n"
      "b2:\n  v3 = load.1 [20]\n  v4 = const 6\n  br eq v3, v4, b4, b5\n"
      "b3:\n  v5 = load.4 [20]\n  v6 = const 0x1fff00ff\n  v7 = and v5, v6\n  v8 = const 6\n"
      "  br eq v7, v8, b6, b5\n"
      "b4:\n  v9 = const 40\n  jump b7\n"
      "b5:\n  v10 = const 0\n  ret v10\n"
      "b6:\n  v11 = load.1 [14]\n  v12 = const 0xf\n  v13 = and v11, v12\n  v14 = const 2\n"
      "  v15 = shl v13, v14\n  jump b7\n"
      "b7:\n  v16 = phi [b4: v9], [b6: v15]\n  v17 = load.2 [v16 + 14]\n  v18 = const 80\n"
      "  br eq v17, v18, b8, b5\n"
      "b8:\n  v19 = const 0x40000\n  ret v19\n");
  std::vector<Bytes> packets;
  for (bool v6 : {false, true}) {
    for (uint8_t ihl : {0x45, 0x4f, 0x40}) {
      Bytes p(80, 0);
      p[12] = v6 ? 0x86 : 0x08;
      p[13] = v6 ? 0xdd : 0x00;
      p[14] = ihl;
      p[v6 ? 20 : 23] = 6;
      const size_t port = v6 ? 54 : 14 + 4 * (ihl & 0xf);
      p[port] = 0;
      p[port + 1] = 80;
      packets.push_back(p);
    }
  }
  const opt::BoundsChecks report = check_legalized(f, packets, "tcp port 80 shape");
  EXPECT_EQ(report.loads, 5u);
  EXPECT_EQ(report.guards, 2u);
  EXPECT_EQ(report.branches, 2u);
  const std::string text = legalized_text(f);
  EXPECT_NE(text.find("const 0x18\n  br gt"), std::string::npos) << text;
}

TEST(BoundsChecks, ASecondRunChangesNothing) {
  const ir::Function f = parsed(
      "b0:\n  v0 = load.2 [12]\n  v1 = load.4 [v0 + 2]\n  ret v1\n");
  ir::Function once = f;
  opt::legalize_bounds_checks(once);
  ir::Function twice = once;
  const opt::BoundsChecks second = opt::legalize_bounds_checks(twice);
  EXPECT_EQ(second.guards, 0u);
  EXPECT_EQ(ir::print(twice), ir::print(once));
}

TEST(BoundsChecks, AnOffsetPast4GiBAlwaysReturnsZero) {
  const ir::Function f = parsed(
      "b0:\n  v0 = len\n  v1 = const 0x5\n  br gt v0, v1, b1, b2\n"
      "b1:\n  v2 = load.4 [4294967294]\n  ret v2\n"
      "b2:\n  ret v1\n");
  check_legalized(f, {Bytes(16, 1)}, "past 4 GiB");
}

TEST(BoundsChecks, IsATargetLegalizationByName) {
  const opt::Pass* pass = opt::find_target_legalization("bounds-checks");
  ASSERT_NE(pass, nullptr);
  EXPECT_EQ(opt::find_pass("bounds-checks"), nullptr);  // not one of the optimizer's passes
  ir::Function f = parsed("b0:\n  v0 = load.2 [12]\n  ret v0\n");
  opt::PassCounters counters;
  EXPECT_TRUE(pass->run(f, counters));
  EXPECT_EQ(unchecked_loads(f), 0u);
}

TEST(BoundsChecks, RandomIrKeepsVerdictsWithoutOutOfBoundsLoads) {
  std::mt19937 rng(0x6c656761);
  testing::RandomIrShape shape;
  shape.max_offset = 24;
  size_t loads = 0, guards = 0, per_block = 0;
  for (int i = 0; i < kRandomFunctions && !HasFailure(); ++i) {
    const ir::Function f = testing::random_function(rng, shape);
    std::vector<Bytes> packets;
    for (int j = 0; j < 6; ++j) packets.push_back(testing::random_packet(rng, shape.max_offset + 8));
    const opt::BoundsChecks report = check_legalized(f, packets, "random function " + std::to_string(i));
    loads += report.loads;
    guards += report.guards;
    per_block += report.guards_per_block;
  }
  std::cout << "[bounds-checks] random IR: " << loads << " loads, " << per_block
            << " guards merging within blocks, " << guards << " guards merged as the contract allows\n";
  EXPECT_LT(guards, per_block);
}

// The passes take legalized code (caplen, guards, checked loads) like any
// other: well formed after -O2, same verdicts under the contract.
TEST(BoundsChecks, ThePassesKeepLegalizedCodesVerdicts) {
  std::mt19937 rng(0x70617373);
  testing::RandomIrShape shape;
  shape.max_offset = 24;
  for (int i = 0; i < 300 && !HasFailure(); ++i) {
    ir::Function legal = testing::random_function(rng, shape);
    opt::legalize_bounds_checks(legal);
    ir::Function optimized = legal;
    opt::OptimizeOptions options;
    options.verify_each = true;
    auto report = opt::optimize(optimized, options);
    ASSERT_TRUE(report.ok()) << report.error().message << "\n" << ir::print(legal);
    for (int j = 0; j < 20; ++j) {
      const Bytes packet = testing::random_packet(rng, shape.max_offset + 8);
      ASSERT_EQ(ir::interpret(optimized, packet, 1000), ir::interpret(legal, packet, 1000))
          << "before:\n" << ir::print(legal) << "after:\n" << ir::print(optimized);
    }
  }
}

const std::string kCorpusDir = BPFC_TEST_DIR "/corpus";

// Every accept-corpus filter as bpfc compiles it (-O2), legalized, on the
// corpus savefiles' packets and synthetic ones for its link type, at every
// capture length.
TEST(BoundsChecks, CorpusFiltersKeepVerdictsWithoutOutOfBoundsLoads) {
  std::vector<difftest::Packet> savefile_packets;
  for (const auto& s : difftest::read_savefiles(kCorpusDir + "/pcaps")) {
    savefile_packets.insert(savefile_packets.end(), s.packets.begin(), s.packets.end());
  }
  // The first bytes decide nearly every filter; longer packets add prefixes
  // the synthetic ones already give.
  for (auto& p : savefile_packets) {
    if (p.bytes.size() > 96) p.bytes.resize(96);
  }
  auto resolver = make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  std::map<uint32_t, std::vector<difftest::Packet>> synthetic;
  size_t functions = 0, loads = 0, per_block = 0, guards = 0, branches = 0;
  size_t entry_index = 0;
  for (const difftest::AcceptEntry& entry : difftest::load_accept_entries(kCorpusDir)) {
    if (!testsupport::in_sanitized_share(entry_index++, 3)) continue;
    auto linktype = linktype_from_string(entry.dlt);
    if (!linktype || entry.expr.starts_with("_")) continue;
    CompileOptions options;
    options.linktype = *linktype;
    options.snaplen = entry.snaplen;
    options.netmask = entry.netmask;
    options.resolver = resolver.get();
    auto compiled = compile_to_ir(entry.expr, options);
    if (!compiled) continue;  // refused by bpfc; other suites cover those
    auto& own = synthetic[*linktype];
    if (own.empty()) own = difftest::synthesize_packets(*linktype, 40, 0x6c67 + *linktype);
    ir::Function legal = *compiled;
    const opt::BoundsChecks report = opt::legalize_bounds_checks(legal);
    ASSERT_EQ(ir::verify(legal), std::nullopt) << entry.expr;
    ASSERT_EQ(unchecked_loads(legal), 0u) << entry.expr;
    ASSERT_EQ(ir::verify_checked_loads(legal), std::nullopt) << entry.expr << "\n" << ir::print(legal);
    ++functions;
    loads += report.loads;
    per_block += report.guards_per_block;
    guards += report.guards;
    branches += report.branches;
    for (const auto* packets : {&savefile_packets, &own}) {
      for (const difftest::Packet& p : *packets) {
        for (size_t caplen = 0; caplen <= p.bytes.size(); ++caplen) {
          if (caplen % kCaplenStride != 0 && caplen != p.bytes.size()) continue;
          const std::string problem = compare(*compiled, legal, std::span(p.bytes).first(caplen), p.wirelen);
          if (problem.empty()) continue;
          FAIL() << entry.file << ":" << entry.name << " `" << entry.expr << "`: " << problem << " on " << p.origin
                 << " cut to " << caplen << " bytes\nbefore:\n" << ir::print(*compiled) << "after:\n"
                 << ir::print(legal);
        }
      }
    }
  }
  std::cout << "[bounds-checks] corpus: " << functions << " filters, " << loads << " loads; guards: " << loads
            << " one per load, " << per_block << " merging within blocks, " << guards << " merged ("
            << branches << " branches)\n";
  EXPECT_GT(functions, testsupport::full_or_sanitized<size_t>(500, 150));
  EXPECT_LT(guards, per_block);
}

}  // namespace
}  // namespace bpfc::opttest
