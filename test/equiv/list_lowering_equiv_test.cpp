// Proofs that lists lowered through representatives (compat/src/lists/representatives.h)
// keep libpcap's verdicts: for host/net/port lists of many shapes, bpfc's
// whole default pipeline (representative lowering, SSA passes, cBPF backend)
// and pcap_compile(optimize=1) return the same value on every packet of up
// to 128 bytes, truncated ones included (Z3, runtime/equivalence.h), and on
// pseudo-random packets as a cross-check. The run threshold is lowered
// through LowerOptions::list_run_threshold so that even 8-term lists are
// represented; libpcap compiles lists this short quickly.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/compat/lower.h"
#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/frontend/sema.h"
#include "bpfc/optimizer/pass_manager.h"
#include "bpfc/runtime/equivalence.h"
#include "corpus_programs.h"
#include "equiv_assertions.h"

namespace bpfc::equivtest {
namespace {

constexpr size_t kRepresentShortLists = 3;

// bpfc's default (-O2) pipeline with the lowered run threshold.
std::optional<cbpf::Program> bpfc_list_program(const std::string& expr, std::string& error) {
  static const std::unique_ptr<NameResolver> resolver = make_file_resolver(kFixtureNamesDir);
  Result<ast::Filter> ast = parse_filter(expr);
  if (!ast) {
    error = ast.error().message;
    return std::nullopt;
  }
  LowerOptions options;
  options.resolver = resolver.get();
  options.list_run_threshold = kRepresentShortLists;
  if (auto problem = check_filter(*ast, options)) {
    error = problem->message;
    return std::nullopt;
  }
  Result<ir::Function> f = lower_filter(*ast, options);
  if (!f) {
    error = f.error().message;
    return std::nullopt;
  }
  opt::OptimizeOptions optimize;
  optimize.level = 2;
  if (auto report = opt::optimize(*f, optimize); !report) {
    error = report.error().message;
    return std::nullopt;
  }
  Result<cbpf::Program> program = cbpf::generate(*f);
  if (!program) {
    error = program.error().message;
    return std::nullopt;
  }
  return *program;
}

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." + std::to_string(a >> 8 & 0xff) +
         "." + std::to_string(a & 0xff);
}

// A list filter as libpcap_program takes it (default snaplen, no netmask).
CorpusExpression list_entry(const std::string& expr) {
  CorpusExpression entry;
  entry.name = "list";
  entry.expr = expr;
  return entry;
}

template <typename F>
std::string list(const std::string& prefix, size_t count, const std::string& join, F constant) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) text += " " + join + " ";
    text += prefix + constant(i);
  }
  return text;
}

// Lists with duplicates: every fifth (hosts, nets) or seventh (ports) term
// repeats an earlier one.
std::string hosts(const std::string& prefix, size_t n, uint32_t base = 0x0a000001, const std::string& join = "or") {
  return list(prefix, n, join, [&](size_t i) { return dotted(base + static_cast<uint32_t>(i % 5 == 4 ? i / 2 : i)); });
}
std::string nets(const std::string& prefix, size_t n, uint32_t len, const std::string& join = "or") {
  return list(prefix, n, join, [&](size_t i) {
    const uint32_t step = len >= 32 ? 1u : 1u << (32 - len);
    const size_t index = i % 5 == 4 ? i / 2 : i;
    return dotted(0x0a000000u + static_cast<uint32_t>(index + 1) * step) + "/" + std::to_string(len);
  });
}
std::string ports(const std::string& prefix, size_t n, uint32_t base = 1, const std::string& join = "or") {
  return list(prefix, n, join, [&](size_t i) { return std::to_string(base + (i % 7 == 6 ? i / 3 : i)); });
}

// `net A mask M` lists, the netmask spelling of nets("net ", n, len).
std::string netmasks(size_t n) {
  return list("net ", n, "or", [&](size_t i) {
    const size_t index = i % 5 == 4 ? i / 2 : i;
    return dotted(0x0a000000u + static_cast<uint32_t>(index + 1) * 0x100u) + " mask 255.255.255.0";
  });
}

std::vector<std::string> shapes(size_t n) {
  return {
      hosts("host ", n),
      hosts("src host ", n),
      hosts("dst host ", n),
      hosts("ip host ", n),
      hosts("ip src and dst host ", n),
      hosts("arp host ", n),
      nets("net ", n, 8),
      nets("net ", n, 16),
      nets("net ", n, 24),
      nets("dst net ", n, 24),
      nets("net ", n, 32),
      nets("src net ", n, 16),
      nets("ip net ", n, 24),
      nets("arp dst net ", n, 24),
      nets("not net ", n, 24, "and"),
      netmasks(n),
      "udp and (" + nets("net ", n, 16) + ")",
      ports("port ", n),
      ports("tcp port ", n),
      ports("udp dst port ", n),
      ports("port ", n, 5),  // contains 6 and 17, the protocol numbers the port test checks
      "tcp and (" + hosts("host ", n) + ")",
      "not (" + hosts("host ", n) + ")",
      "(" + ports("port ", n) + ") and not " + hosts("host ", 2, 0x0b000001),
      "(" + hosts("src host ", n) + ") and (" + ports("dst port ", n, 1000) + ")",
      "icmp or " + hosts("host ", n) + " or udp or " + nets("net ", n, 24),
      hosts("not host ", n, 0x0a000001, "and"),
      "tcp and " + ports("not port ", n, 1, "and"),
      "ip6 or (" + ports("udp port ", n, 100) + ")",
  };
}

struct Tally {
  int proved = 0;
  int unknown = 0;
};

void prove(const std::string& expr, runtime::EquivalenceChecker& checker, Tally& tally) {
  SCOPED_TRACE(expr);
  const std::optional<cbpf::Program> reference = libpcap_program(list_entry(expr), true);
  std::string error;
  const std::optional<cbpf::Program> ours = bpfc_list_program(expr, error);
  ASSERT_EQ(reference.has_value(), ours.has_value()) << error;
  if (!reference) return;
  EquivalenceOptions options;
  options.max_length = 128;
  options.timeout_ms = 60000;
  options.shortest_counterexample = false;
  auto result = checker.check(*reference, *ours, options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  if (result->verdict == EquivalenceVerdict::Different) {
    ADD_FAILURE() << "libpcap and bpfc differ: " << result->message << "\n" << describe_programs(*reference, *ours);
    return;
  }
  EXPECT_TRUE(agree_on_samples(*reference, *ours, options, 2000));
  if (result->verdict == EquivalenceVerdict::Equivalent) {
    ++tally.proved;
  } else {
    ++tally.unknown;
    std::cout << "[ unknown  ] " << expr.substr(0, 80) << "...: " << result->message << "\n";
  }
}

TEST(ListLoweringEquivalence, RepresentedListsKeepLibpcapsVerdicts) {
  runtime::EquivalenceChecker checker;
  Tally tally;
  for (size_t n : {8, 9, 13, 16, 24, 64}) {
    for (const std::string& expr : shapes(n)) prove(expr, checker, tally);
  }
  std::cout << "[ proved   ] " << tally.proved << " list filters equivalent to libpcap's, " << tally.unknown
            << " undecided\n";
  EXPECT_EQ(tally.unknown, 0);
}

TEST(ListLoweringEquivalence, LongerPacketsForAFewLists) {
  runtime::EquivalenceChecker checker;
  Tally tally;
  for (const std::string& expr : {hosts("host ", 16), ports("port ", 16), nets("net ", 16, 24)}) {
    SCOPED_TRACE(expr);
    const std::optional<cbpf::Program> reference = libpcap_program(list_entry(expr), true);
    std::string error;
    const std::optional<cbpf::Program> ours = bpfc_list_program(expr, error);
    ASSERT_TRUE(reference && ours) << error;
    EquivalenceOptions options;
    options.max_length = 256;
    options.timeout_ms = 60000;
    options.shortest_counterexample = false;
    auto result = checker.check(*reference, *ours, options);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_NE(result->verdict, EquivalenceVerdict::Different) << result->message;
    if (result->verdict == EquivalenceVerdict::Equivalent) ++tally.proved;
  }
  EXPECT_EQ(tally.proved, 3);
}

}  // namespace
}  // namespace bpfc::equivtest
