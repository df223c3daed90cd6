// Translation validation of bpfc's optimizer in the test suite (issue 4 item
// 5): Z3 (bpfc_equiv) decides, for every EN10MB corpus expression bpfc
// compiles, whether two of bpfc's programs for it return the same value on
// every packet up to 128 bytes, within a per-expression time bound; beyond the
// bound the pair falls back to a differential run on sampled packets.
//  1. lowering only (CompileOptions::passes = {}) ≡ -O2: bpfc's own SSA passes
//     keep every verdict, truncated packets included. Nothing may differ.
//  2. -O2 ≡ -O0: where they differ, libpcap's optimize=1 and optimize=0
//     programs differ too (bpfc reproduces libpcap's -O/-O0 difference on
//     truncated packets on purpose).
//  3. A deliberately broken pass is caught with a counterexample that
//     run_cbpf confirms on both programs.
#include <algorithm>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/cbpf/codegen.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/ir.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/driver/compile.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/runtime/equivalence.h"
#include "packet_builder.h"
#include "regress_support.h"

namespace bpfc::regress {
namespace {

using runtime::EquivalenceOptions;
using runtime::EquivalenceResult;
using runtime::EquivalenceVerdict;

constexpr uint32_t kTimeBoundMs = 10000;  // per expression and pair
constexpr double kRequiredProvedShare = 0.90;
constexpr int kFallbackSamples = 3000;

EquivalenceOptions bulk_options() {
  EquivalenceOptions options;
  options.max_length = 128;
  options.timeout_ms = kTimeBoundMs;
  options.shortest_counterexample = false;  // a few more queries each: not worth it in bulk
  return options;
}

struct SolverTimes {
  std::vector<double> ms;
  std::string summary() const {
    if (ms.empty()) return "no queries";
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    double total = 0;
    for (double t : sorted) total += t;
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << "solver median " << sorted[sorted.size() / 2] << " ms, max " << sorted.back()
        << " ms, total " << total / 1000 << " s";
    return out.str();
  }
};

// Pseudo-random packets of 0..128 bytes whose bytes favour the values filters
// test, with assorted wire lengths: the fallback beyond the time bound.
class PacketSampler {
 public:
  explicit PacketSampler(uint32_t seed) : rng_(seed) {}
  Bytes packet() {
    Bytes bytes(rng_() % 129);
    for (uint8_t& byte : bytes) byte = next_byte();
    return bytes;
  }
  uint32_t wirelen(uint32_t caplen) {
    switch (rng_() % 3) {
      case 0: return caplen;
      case 1: return caplen + static_cast<uint32_t>(rng_() % 2000);
      default: return std::uniform_int_distribution<uint32_t>(caplen, 0xffffffffu)(rng_);
    }
  }

 private:
  uint8_t next_byte() {
    static constexpr uint8_t kFavourites[] = {0x00, 0xff, 0x01, 0x02, 0x04, 0x06, 0x08, 0x11,
                                              0x45, 0x60, 0x81, 0x86, 0xdd, 0x88, 0x0f, 0x80};
    return rng_() % 2 ? kFavourites[rng_() % sizeof kFavourites] : static_cast<uint8_t>(rng_());
  }
  std::mt19937 rng_;
};

struct SampledPacket {
  Bytes packet;
  uint32_t wirelen = 0;
  std::string text() const { return hex(packet) + " (wirelen " + std::to_string(wirelen) + ")"; }
};

// A packet on which a and b return different values among sampled ones, if any.
std::optional<SampledPacket> sampled_difference(const cbpf::Program& a, const cbpf::Program& b) {
  PacketSampler sampler(20261122);
  for (int i = 0; i < kFallbackSamples; ++i) {
    SampledPacket sample;
    sample.packet = sampler.packet();
    sample.wirelen = sampler.wirelen(static_cast<uint32_t>(sample.packet.size()));
    if (runtime::run_cbpf(a, sample.packet, sample.wirelen) != runtime::run_cbpf(b, sample.packet, sample.wirelen)) {
      return sample;
    }
  }
  return std::nullopt;
}

std::string counterexample_text(const EquivalenceResult& result) {
  const runtime::Counterexample& c = *result.counterexample;
  return hex(c.packet) + " (caplen " + std::to_string(c.packet.size()) + ", wirelen " + std::to_string(c.wirelen) +
         "): " + std::to_string(c.value_a) + " vs " + std::to_string(c.value_b);
}

// libpcap's optimize=1 and optimize=0 programs for a corpus expression: from
// libpcap 1.10.3 itself, or, for expressions with names (which libpcap must
// not be given) and syntax 1.10.3 does not know, the corpus' listings of the
// newer libpcap the corpus came from (names configured there).
std::optional<std::pair<cbpf::Program, cbpf::Program>> libpcap_programs(const CorpusExpression& e) {
  if (!e.needs_names) {
    const Compiled optimized = libpcap_compile(e.expr, true, e.snaplen, e.netmask);
    const Compiled unoptimized = libpcap_compile(e.expr, false, e.snaplen, e.netmask);
    if (optimized.program && unoptimized.program) return std::pair{*optimized.program, *unoptimized.program};
  }
  if (!e.optimized_listing || !e.unoptimized_listing) return std::nullopt;
  auto optimized = cbpf::parse_program(*e.optimized_listing);
  auto unoptimized = cbpf::parse_program(*e.unoptimized_listing);
  if (!optimized.ok() || !unoptimized.ok()) return std::nullopt;
  return std::pair{*optimized, *unoptimized};
}

struct Tally {
  int proved = 0, different = 0, undecided = 0;
  SolverTimes times;
  int compiled() const { return proved + different + undecided; }
};

TEST(OptimizerEquivalence, SsaPassesKeepTheLoweringsVerdicts) {
  runtime::EquivalenceChecker checker;
  const EquivalenceOptions options = bulk_options();
  Tally tally;
  int refused = 0;
  for (const CorpusExpression& e : en10mb_corpus_expressions()) {
    const Compiled lowered = bpfc_compile(e.expr, BpfcSetting{2, std::vector<opt::Pass>{}}, e.snaplen, e.netmask);
    const Compiled optimized = bpfc_compile(e.expr, BpfcSetting{2, std::nullopt}, e.snaplen, e.netmask);
    if (!lowered.program || !optimized.program) {
      EXPECT_EQ(lowered.program.has_value(), optimized.program.has_value())
          << e.name << ": '" << e.expr << "' compiles with one pipeline only: " << lowered.error << optimized.error;
      ++refused;
      continue;
    }
    auto result = checker.check(*optimized.program, *lowered.program, options);
    ASSERT_TRUE(result.ok()) << e.name << ": " << result.error().message;
    tally.times.ms.push_back(result->solver_ms);
    switch (result->verdict) {
      case EquivalenceVerdict::Equivalent: ++tally.proved; break;
      case EquivalenceVerdict::Different:
        ++tally.different;
        ADD_FAILURE() << "OPTIMIZER BUG: " << e.name << ": '" << e.expr << "': -O2 differs from its lowering on "
                      << counterexample_text(*result) << "\n-O2:\n"
                      << cbpf::format_listing(*optimized.program) << "lowering only:\n"
                      << cbpf::format_listing(*lowered.program);
        break;
      case EquivalenceVerdict::Unknown: {
        ++tally.undecided;
        EXPECT_NE(result->unknown_reason, runtime::UnknownReason::EncodingMismatch) << e.expr;
        const auto difference = sampled_difference(*optimized.program, *lowered.program);
        EXPECT_FALSE(difference) << "OPTIMIZER BUG (sampled): '" << e.expr << "' on " << difference->text();
        std::cout << "[regress] undecided within " << kTimeBoundMs << " ms (" << result->message
                  << "), sampled packets checked: " << e.expr << "\n";
        break;
      }
    }
  }
  const int compiled = tally.compiled();
  std::cout << "[regress] lowering-only vs -O2, EN10MB corpus, packets <= 128 bytes: " << compiled
            << " compiled (" << refused << " refused), " << tally.proved << " proved equivalent, " << tally.different
            << " different, " << tally.undecided << " undecided; " << tally.times.summary() << "\n";
  ASSERT_GE(compiled, 300);
  EXPECT_EQ(tally.different, 0);
  EXPECT_GE(tally.proved, kRequiredProvedShare * compiled);
}

TEST(OptimizerEquivalence, OptimizedMatchesUnoptimizedExceptWhereLibpcapsLevelsDiffer) {
  runtime::EquivalenceChecker checker;
  const EquivalenceOptions options = bulk_options();
  Tally tally;
  int refused = 0;
  std::vector<std::string> differing;
  for (const CorpusExpression& e : en10mb_corpus_expressions()) {
    const Compiled optimized = bpfc_compile(e.expr, BpfcSetting{2, std::nullopt}, e.snaplen, e.netmask);
    const Compiled unoptimized = bpfc_compile(e.expr, BpfcSetting{0, std::nullopt}, e.snaplen, e.netmask);
    if (!optimized.program || !unoptimized.program) {
      ++refused;
      continue;
    }
    auto result = checker.check(*optimized.program, *unoptimized.program, options);
    ASSERT_TRUE(result.ok()) << e.name << ": " << result.error().message;
    tally.times.ms.push_back(result->solver_ms);
    if (result->verdict == EquivalenceVerdict::Equivalent) {
      ++tally.proved;
      continue;
    }
    if (result->verdict == EquivalenceVerdict::Unknown) {
      // Beyond the time bound: a differential run on sampled packets, where a
      // difference must again be one libpcap's own two programs show.
      ++tally.undecided;
      EXPECT_NE(result->unknown_reason, runtime::UnknownReason::EncodingMismatch) << e.expr;
      std::cout << "[regress] -O2 vs -O0 undecided within " << kTimeBoundMs << " ms: " << e.expr << "\n";
      if (const auto sample = sampled_difference(*optimized.program, *unoptimized.program)) {
        const auto libpcap_pair = libpcap_programs(e);
        ASSERT_TRUE(libpcap_pair) << e.expr << ": no libpcap programs to compare";
        EXPECT_NE(libpcap_run(libpcap_pair->first, sample->packet, sample->wirelen),
                  libpcap_run(libpcap_pair->second, sample->packet, sample->wirelen))
            << "BPFC BUG? '" << e.expr << "': bpfc -O2 and -O0 differ on " << sample->text()
            << " but libpcap's two programs agree there";
      }
      continue;
    }
    ++tally.different;
    // A difference is acceptable only as libpcap's own: its optimize=1 and
    // optimize=0 programs must differ too.
    const auto libpcap_pair = libpcap_programs(e);
    ASSERT_TRUE(libpcap_pair) << e.expr << ": no libpcap programs to compare";
    const auto& [libpcap_optimized, libpcap_unoptimized] = *libpcap_pair;
    auto libpcap_result = checker.check(libpcap_optimized, libpcap_unoptimized, options);
    ASSERT_TRUE(libpcap_result.ok()) << libpcap_result.error().message;
    tally.times.ms.push_back(libpcap_result->solver_ms);
    EXPECT_EQ(libpcap_result->verdict, EquivalenceVerdict::Different)
        << "BPFC BUG? " << e.name << ": '" << e.expr << "': bpfc -O2 and -O0 differ on "
        << counterexample_text(*result) << " but libpcap's optimize=1 and optimize=0 programs are "
        << runtime::to_string(libpcap_result->verdict);
    // Replaying bpfc's counterexample on libpcap's programs shows whether it
    // is the same difference (it usually is: a load past the capture).
    const runtime::Counterexample& c = *result->counterexample;
    const bool same_values = libpcap_run(libpcap_optimized, c.packet, c.wirelen) == c.value_a &&
                             libpcap_run(libpcap_unoptimized, c.packet, c.wirelen) == c.value_b;
    differing.push_back(e.expr + "  [" + counterexample_text(*result) +
                        (same_values ? "; libpcap's programs return the same two values]" : "]"));
  }
  const int compiled = tally.compiled();
  std::cout << "[regress] -O2 vs -O0, EN10MB corpus, packets <= 128 bytes: " << compiled << " compiled at both levels ("
            << refused << " refused), " << tally.proved << " proved equivalent, " << tally.different
            << " different as libpcap's levels are, " << tally.undecided << " undecided; " << tally.times.summary()
            << "\n";
  for (const std::string& d : differing) std::cout << "[regress]   -O2 != -O0 (as in libpcap): " << d << "\n";
  ASSERT_GE(compiled, 300);
  EXPECT_GE(tally.proved, kRequiredProvedShare * compiled);
}

// Deliberately wrong passes for the validator to catch.
bool is_constant(const ir::Function& f, ir::ValueId v) { return v != ir::kNoValue && f.value(v).op == ir::Op::Const; }

// Turns every `x == constant` branch into `x >= constant`.
opt::Pass eq_becomes_ge_pass() {
  return opt::Pass{"break-eq-as-ge", "deliberately wrong: eq against a constant becomes ge",
                   [](ir::Function& f, opt::PassCounters& counters) {
                     bool changed = false;
                     for (ir::Block& block : f.blocks) {
                       if (block.term.kind == ir::TermKind::Branch && block.term.cond == ir::Cond::Eq &&
                           is_constant(f, block.term.rhs)) {
                         block.term.cond = ir::Cond::Ge;
                         counters.add("compares broken");
                         changed = true;
                       }
                     }
                     return changed;
                   }};
}

// Replaces the last two-way branch by a jump to its true side (the false side
// may become unreachable; the IR stays well formed).
opt::Pass drop_branch_pass() {
  return opt::Pass{"break-drop-branch", "deliberately wrong: the last branch always goes to its true side",
                   [](ir::Function& f, opt::PassCounters& counters) {
                     for (size_t i = f.blocks.size(); i-- > 0;) {
                       ir::Terminator& term = f.blocks[i].term;
                       if (term.kind != ir::TermKind::Branch) continue;
                       const ir::BlockId target = term.on_true;
                       const ir::BlockId dropped = term.on_false;
                       term = ir::Terminator{};
                       term.kind = ir::TermKind::Jump;
                       term.on_true = target;
                       // The dropped side loses this predecessor: remove its phi inputs from here.
                       for (ir::ValueId v : f.blocks[dropped].insts) {
                         ir::Inst& inst = f.value(v);
                         if (inst.op != ir::Op::Phi) continue;
                         std::erase_if(inst.incoming, [i](const ir::PhiIncoming& in) { return in.block == i; });
                       }
                       ir::renumber_topologically(f);
                       counters.add("branches dropped");
                       return true;
                     }
                     return false;
                   }};
}

struct BrokenCase {
  opt::Pass pass;
  std::string expr;
};

std::vector<BrokenCase> broken_cases() {
  return {
      {eq_becomes_ge_pass(), "tcp port 80"},
      {eq_becomes_ge_pass(), "ip host 192.0.2.1"},
      {eq_becomes_ge_pass(), "ether proto 0x8892 or (vlan and ether proto 0x8892)"},
      {drop_branch_pass(), "tcp port 80"},
      {drop_branch_pass(), "udp and src net 10.0.1.0/24"},
  };
}

// What `bpfc verify --equiv` does (check_equivalence, 128 bytes, shortest
// counterexample) finds the programs different, and run_cbpf confirms the
// counterexample on both with the values reported; the right program's value
// is also libpcap's.
void expect_caught(const BrokenCase& c, const cbpf::Program& broken, const cbpf::Program& good) {
  EquivalenceOptions options;
  auto result = runtime::check_equivalence(broken, good, options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->verdict, EquivalenceVerdict::Different)
      << "the broken pass went unnoticed (" << result->message << ")\nbroken:\n"
      << cbpf::format_listing(broken) << "right:\n"
      << cbpf::format_listing(good);
  ASSERT_TRUE(result->counterexample);
  const runtime::Counterexample& example = *result->counterexample;
  const uint32_t broken_value = runtime::run_cbpf(broken, example.packet, example.wirelen);
  const uint32_t good_value = runtime::run_cbpf(good, example.packet, example.wirelen);
  EXPECT_EQ(broken_value, example.value_a);
  EXPECT_EQ(good_value, example.value_b);
  EXPECT_NE(broken_value, good_value);
  const Compiled reference = libpcap_compile(c.expr, true);
  ASSERT_TRUE(reference.program) << reference.error;
  EXPECT_EQ(libpcap_run(*reference.program, example.packet, example.wirelen), good_value);
  std::cout << "[regress] " << c.pass.name << " on '" << c.expr << "' caught in " << result->solver_ms
            << " ms: " << counterexample_text(*result) << "\n";
}

// The test: the broken pass runs through CompileOptions::passes (the
// pass manager), against the lowering alone.
TEST(OptimizerEquivalence, BrokenPassIsCaughtWithAConfirmedCounterexample) {
  for (const BrokenCase& c : broken_cases()) {
    SCOPED_TRACE(c.pass.name + " on '" + c.expr + "'");
    const Compiled good = bpfc_compile(c.expr, BpfcSetting{2, std::vector<opt::Pass>{}});
    const Compiled broken = bpfc_compile(c.expr, BpfcSetting{2, std::vector<opt::Pass>{c.pass}});
    ASSERT_TRUE(good.program) << good.error;
    ASSERT_TRUE(broken.program) << broken.error;
    expect_caught(c, *broken.program, *good.program);
  }
}

// The same passes applied by hand to the lowered IR, without the pass
// manager: shows the passes really miscompile (and the validator catches
// them) whatever the state of the pipeline wiring.
TEST(OptimizerEquivalence, BrokenPassAppliedByHandIsCaught) {
  const std::unique_ptr<NameResolver> resolver = make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  for (const BrokenCase& c : broken_cases()) {
    SCOPED_TRACE(c.pass.name + " on '" + c.expr + "'");
    CompileOptions options;
    options.passes = std::vector<opt::Pass>{};
    options.resolver = resolver.get();
    auto lowered = compile_to_ir(c.expr, options);
    ASSERT_TRUE(lowered.ok()) << lowered.error().message;
    auto good = cbpf::generate(*lowered);
    ASSERT_TRUE(good.ok()) << good.error().message;
    ir::Function broken_ir = *lowered;
    opt::PassCounters counters;
    ASSERT_TRUE(c.pass.run(broken_ir, counters)) << "the pass found nothing to break";
    const auto malformed = ir::verify(broken_ir);
    ASSERT_FALSE(malformed) << *malformed;
    auto broken = cbpf::generate(broken_ir);
    ASSERT_TRUE(broken.ok()) << broken.error().message;
    expect_caught(c, *broken, *good);
  }
}

}  // namespace
}  // namespace bpfc::regress
