#include "issue_checks.h"

#include <iostream>
#include <optional>

#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/runtime/equivalence.h"
#include "regress_support.h"

namespace bpfc::regress {
namespace {

constexpr int kLevels[] = {0, 1, 2};

uint32_t wirelen_of(const Probe& p) { return p.wirelen != 0 ? p.wirelen : static_cast<uint32_t>(p.packet.size()); }

std::optional<cbpf::Program> bpfc_at(const std::string& expr, int level) {
  Compiled compiled = bpfc_compile(expr, BpfcSetting{level, std::nullopt});
  EXPECT_TRUE(compiled.program) << "bpfc -O" << level << " refuses '" << expr << "': " << compiled.error;
  return compiled.program;
}

void check_bpfc_level(const std::string& expr, const std::vector<Probe>& probes, int level,
                      const cbpf::Program& program) {
  for (const Probe& p : probes) {
    const bool expected = level == 0 ? p.accept_unoptimized : p.accept_optimized;
    const uint32_t value = runtime::run_cbpf(program, p.packet, wirelen_of(p));
    EXPECT_EQ(value, expected ? kSnaplen : 0u)
        << "'" << expr << "' at -O" << level << " on " << p.what << " (" << hex(p.packet) << ", wirelen "
        << wirelen_of(p) << ") should " << (expected ? "accept" : "reject") << "; program:\n"
        << cbpf::format_listing(program);
  }
}

void check_against_libpcap(const std::string& expr, const std::vector<Probe>& probes, bool optimize, Oracle oracle,
                           const std::vector<std::optional<cbpf::Program>>& ours) {
  const Compiled reference = libpcap_compile(expr, optimize);
  const char* setting = optimize ? "optimize=1" : "optimize=0";
  if (oracle != Oracle::Right) {
    // Shown, not asserted: the point is bpfc's right answer, not 1.10.3's wrong one.
    std::cout << "[regress] libpcap 1.10.3 " << setting << " on '" << expr << "' ("
              << (oracle == Oracle::Wrong ? "known wrong" : "syntax unknown to it") << "): ";
    if (!reference.program) {
      std::cout << "refused: " << reference.error << "\n";
      return;
    }
    for (const Probe& p : probes) std::cout << p.what << " -> " << libpcap_run(*reference.program, p.packet, wirelen_of(p)) << "; ";
    std::cout << "\n";
    return;
  }
  ASSERT_TRUE(reference.program) << "libpcap 1.10.3 " << setting << " refuses '" << expr << "': " << reference.error;
  for (int level : kLevels) {
    if ((level > 0) != optimize || !ours[level]) continue;
    for (const Probe& p : probes) {
      EXPECT_EQ(runtime::run_cbpf(*ours[level], p.packet, wirelen_of(p)),
                libpcap_run(*reference.program, p.packet, wirelen_of(p)))
          << "'" << expr << "': bpfc -O" << level << " and libpcap 1.10.3 " << setting << " disagree on " << p.what
          << " (" << hex(p.packet) << ")\nbpfc:\n"
          << cbpf::format_listing(*ours[level]) << "libpcap:\n"
          << cbpf::format_listing(*reference.program);
    }
  }
}

std::string describe(const runtime::EquivalenceResult& result) {
  std::string text = std::string(runtime::to_string(result.verdict)) + ": " + result.message;
  if (result.counterexample) {
    text += "\ncounterexample " + hex(result.counterexample->packet) + " wirelen " +
            std::to_string(result.counterexample->wirelen) + ": -O2 gives " +
            std::to_string(result.counterexample->value_a) + ", -O0 gives " +
            std::to_string(result.counterexample->value_b);
  }
  return text;
}

}  // namespace

Probe probe(std::string what, Bytes packet, bool accept, uint32_t wirelen) {
  return Probe{std::move(what), std::move(packet), wirelen, accept, accept};
}

void expect_right_verdicts(const std::string& expr, const std::vector<Probe>& probes, Oracle libpcap_unoptimized,
                           Oracle libpcap_optimized) {
  std::vector<std::optional<cbpf::Program>> ours;
  for (int level : kLevels) {
    ours.push_back(bpfc_at(expr, level));
    if (ours.back()) check_bpfc_level(expr, probes, level, *ours.back());
  }
  check_against_libpcap(expr, probes, false, libpcap_unoptimized, ours);
  check_against_libpcap(expr, probes, true, libpcap_optimized, ours);
}

void expect_optimized_equals_unoptimized(const std::string& expr) {
  auto optimized = bpfc_at(expr, 2);
  auto unoptimized = bpfc_at(expr, 0);
  if (!optimized || !unoptimized) return;
  auto result = runtime::check_equivalence(*optimized, *unoptimized);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->verdict, runtime::EquivalenceVerdict::Equivalent)
      << "'" << expr << "': bpfc -O2 vs -O0: " << describe(*result) << "\n-O2:\n"
      << cbpf::format_listing(*optimized) << "-O0:\n"
      << cbpf::format_listing(*unoptimized);
  std::cout << "[regress] '" << expr << "': bpfc -O2 vs -O0 " << runtime::to_string(result->verdict) << " in "
            << result->solver_ms << " ms\n";
}

void expect_levels_differ_as_libpcap_does(const std::string& expr) {
  auto optimized = bpfc_at(expr, 2);
  auto unoptimized = bpfc_at(expr, 0);
  if (!optimized || !unoptimized) return;
  auto result = runtime::check_equivalence(*optimized, *unoptimized);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->verdict, runtime::EquivalenceVerdict::Different) << "'" << expr << "': " << describe(*result);
  const runtime::Counterexample& example = *result->counterexample;
  EXPECT_EQ(runtime::run_cbpf(*optimized, example.packet, example.wirelen), example.value_a);
  EXPECT_EQ(runtime::run_cbpf(*unoptimized, example.packet, example.wirelen), example.value_b);
  const Compiled libpcap_optimized = libpcap_compile(expr, true);
  const Compiled libpcap_unoptimized = libpcap_compile(expr, false);
  ASSERT_TRUE(libpcap_optimized.program) << libpcap_optimized.error;
  ASSERT_TRUE(libpcap_unoptimized.program) << libpcap_unoptimized.error;
  EXPECT_EQ(libpcap_run(*libpcap_optimized.program, example.packet, example.wirelen), example.value_a)
      << "'" << expr << "': libpcap optimize=1 on " << describe(*result);
  EXPECT_EQ(libpcap_run(*libpcap_unoptimized.program, example.packet, example.wirelen), example.value_b)
      << "'" << expr << "': libpcap optimize=0 on " << describe(*result);
  std::cout << "[regress] '" << expr << "': bpfc -O2 vs -O0 differ as libpcap's levels do, e.g. on "
            << describe(*result) << " (" << result->solver_ms << " ms)\n";
}

}  // namespace bpfc::regress
