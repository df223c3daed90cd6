// Representative compilation of long lists (compat/src/lists/representatives.h):
// a list lowered through a few representative terms must give exactly the
// IR that replaying libpcap's optimizer on every term gives (once the loads
// libpcap repeats in every link of a chain are removed), and filters
// where the representatives could behave differently from the real terms
// must take the exact path. The Z3 proofs against libpcap itself are in
// test/equiv/list_lowering_equiv_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "bpfc/compat/lower.h"
#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/sema.h"
#include "bpfc/ir/ir.h"
#include "bpfc/optimizer/pass_manager.h"
#include "lists/representatives.h"
#include "lower_test_support.h"

namespace bpfc::lowertest {
namespace {

constexpr size_t kRepresentAll = 3;  // the smallest threshold: every run of 3+ is represented
constexpr size_t kRepresentNone = std::numeric_limits<size_t>::max();

Result<ir::Function> lower_with_threshold(const std::string& expr, size_t threshold) {
  Result<ast::Filter> ast = parse_filter(expr);
  if (!ast) return ast.errors();
  LowerOptions options;
  options.resolver = &test_resolver();
  options.list_run_threshold = threshold;
  if (auto problem = check_filter(*ast, options)) return *problem;
  return lower_filter(*ast, options);
}

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 0xff) + "." + std::to_string(a >> 8 & 0xff) +
         "." + std::to_string(a & 0xff);
}

// "PREFIX c1 JOIN PREFIX c2 ..." with `count` constants from `constant(i)`.
template <typename F>
std::string list(const std::string& prefix, size_t count, const std::string& join, F constant) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) text += " " + join + " ";
    text += prefix + constant(i);
  }
  return text;
}

std::string hosts(const std::string& prefix, size_t n, uint32_t base = 0x0a000001, const std::string& join = "or") {
  // Every fifth term repeats an earlier one: duplicates are part of lists.
  return list(prefix, n, join, [&](size_t i) { return dotted(base + static_cast<uint32_t>(i % 5 == 4 ? i / 2 : i)); });
}
std::string nets(const std::string& prefix, size_t n, uint32_t len, const std::string& join = "or") {
  return list(prefix, n, join, [&](size_t i) {
    const uint32_t step = len >= 32 ? 1u : 1u << (32 - len);
    return dotted(0x0a000000u + static_cast<uint32_t>(i + 1) * step) + "/" + std::to_string(len);
  });
}
std::string ports(const std::string& prefix, size_t n, uint32_t base = 1, const std::string& join = "or") {
  return list(prefix, n, join, [&](size_t i) { return std::to_string(base + (i % 7 == 6 ? i / 3 : i)); });
}

// The function with repeated loads and computations removed (value
// numbering, dead code) and its values renumbered: libpcap repeats
// `ld [26]; and #mask` in every link of a net chain, the expansion of a
// represented chain does not (the link before it left that value in A).
std::string without_repeats(ir::Function f) {
  opt::OptimizeOptions options;
  options.passes = std::vector<opt::Pass>{*opt::find_pass("value-numbering"), *opt::find_pass("dead-code")};
  options.verify_each = true;
  auto report = opt::optimize(f, options);
  EXPECT_TRUE(report.ok());
  ir::compact_values(f);
  return ir::print(f);
}

void expect_same_as_exact_path(const std::string& expr) {
  Result<ir::Function> exact = lower_with_threshold(expr, kRepresentNone);
  Result<ir::Function> represented = lower_with_threshold(expr, kRepresentAll);
  ASSERT_EQ(exact.ok(), represented.ok()) << expr;
  if (!exact.ok()) {
    EXPECT_EQ(exact.errors().front().message, represented.errors().front().message) << expr;
    return;
  }
  EXPECT_EQ(without_repeats(*exact), without_repeats(*represented)) << expr;
}

std::vector<std::string> list_shapes(size_t n) {
  return {
      hosts("host ", n),
      hosts("src host ", n),
      hosts("dst host ", n),
      hosts("ip host ", n),
      hosts("arp host ", n),
      hosts("ip src or dst host ", n),
      hosts("ip src and dst host ", n),
      hosts("net ", n),  // a 4-part address under `net` is a /32
      nets("net ", n, 8),
      nets("net ", n, 16),
      nets("src net ", n, 24),
      nets("ip dst net ", n, 24),
      nets("net ", n, 32),
      nets("net ", n, 30),
      ports("port ", n),
      ports("tcp port ", n),
      ports("udp dst port ", n),
      ports("sctp src port ", n),
      // Port lists that contain the IP protocol numbers the port test checks.
      ports("port ", n, 5),
      "tcp and (" + hosts("host ", n) + ")",
      "not (" + hosts("host ", n) + ")",
      "(" + ports("port ", n) + ") and not " + hosts("host ", 2),
      "(" + hosts("src host ", n) + ") and (" + ports("dst port ", n, 1000) + ")",
      "icmp or " + hosts("host ", n) + " or udp or " + nets("net ", n, 24),
      hosts("not host ", n, 0x0a000001, "and"),
      "tcp and " + ports("not port ", n, 1, "and"),
      "(" + hosts("host ", n) + ") or (" + hosts("host ", n, 0x0b000001) + ")",
      "vlan and (" + hosts("host ", n) + ")",
      "ip6 or (" + ports("udp port ", n, 100) + ")",
  };
}

TEST(LowerSets, RepresentedListsLowerExactlyAsTheExactPath) {
  for (size_t n : {3, 4, 5, 8, 9, 17, 32}) {
    for (const std::string& expr : list_shapes(n)) {
      SCOPED_TRACE(expr);
      expect_same_as_exact_path(expr);
    }
  }
}

TEST(LowerSets, FiltersWhereRepresentativesCouldDifferAreStillExact) {
  // Another test of the same field with one of the list's constants; two
  // lists sharing constants on one field; the list's constant elsewhere in
  // arithmetic that libpcap's optimizer folds.
  const std::string list = hosts("host ", 12);
  for (const std::string& expr : {
           "host 10.0.0.5 and (" + list + ")",
           "(" + list + ") and not src host 10.0.0.3",
           "(" + list + ") and (" + hosts("host ", 10, 0x0a000004) + ")",
           "(" + list + ") or ip[12:4] - 1 = 0x0a000001",
           "(" + list + ") or ip[12:4] + 0 = 0x0a000003",
           "(" + ports("port ", 12) + ") and tcp[2:2] = 7",
           "(" + ports("port ", 12) + ") and (" + ports("src port ", 12, 10) + ")",
       }) {
    SCOPED_TRACE(expr);
    expect_same_as_exact_path(expr);
  }
}

TEST(LowerSets, ErrorsInListsReadAsOnTheExactPath) {
  for (const std::string& expr : {
           "tcp host 10.0.0.1 or " + hosts("tcp host ", 10),
           hosts("ip6 host ", 10),
           "ip6 and (" + hosts("host ", 10) + ")",  // rejects all packets
       }) {
    SCOPED_TRACE(expr);
    expect_same_as_exact_path(expr);
  }
}

// The constants that equality branches of f compare against.
std::set<uint32_t> compared_constants(const ir::Function& f) {
  std::set<uint32_t> out;
  for (const ir::Block& b : f.blocks) {
    if (b.term.kind != ir::TermKind::Branch || b.term.cond != ir::Cond::Eq) continue;
    for (ir::ValueId v : {b.term.lhs, b.term.rhs}) {
      if (f.value(v).op == ir::Op::Const) out.insert(f.value(v).imm);
    }
  }
  return out;
}

// Long lists must take the representative path: the exact one needs minutes
// for a few thousand terms, so a fallback would make compiles unusable. Time
// is the bench's business (test/bench); here the path taken and the result
// are checked.
TEST(LowerSets, LongListsAreRepresentedAndFullyExpanded) {
  struct Case {
    const char* prefix;
    std::string (*constant)(size_t);
    uint32_t (*compared)(size_t);  // what the program compares for term i
  };
  const Case cases[] = {
      {"host ", [](size_t i) { return dotted(0x0a000000u + static_cast<uint32_t>(i + 1)); },
       [](size_t i) { return 0x0a000000u + static_cast<uint32_t>(i + 1); }},
      {"port ", [](size_t i) { return std::to_string(1 + i % 60000); },
       [](size_t i) { return static_cast<uint32_t>(1 + i % 60000); }},
      {"net ", [](size_t i) { return dotted(0x0a000000u + static_cast<uint32_t>(i + 1) * 256) + "/24"; },
       [](size_t i) { return 0x0a000000u + static_cast<uint32_t>(i + 1) * 256; }},
  };
  constexpr size_t kTerms = 20000;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.prefix);
    const std::string expr = list(c.prefix, kTerms, "or", c.constant);
    Result<ast::Filter> ast = parse_filter(expr);
    ASSERT_TRUE(ast.ok());
    LowerOptions options;
    options.resolver = &test_resolver();
    ASSERT_FALSE(check_filter(*ast, options).has_value());
    if (!lower::lower_lists_by_representatives(*ast, options).has_value()) {
      // Lowering it would replay libpcap's optimizer term by term: minutes.
      ADD_FAILURE() << "the list fell back to the exact, term-by-term path";
      continue;
    }

    Result<ir::Function> f = lower_filter(*ast, options);
    ASSERT_TRUE(f.ok());
    const std::set<uint32_t> compared = compared_constants(*f);
    size_t missing = 0;
    for (size_t i = 0; i < kTerms; ++i) missing += compared.count(c.compared(i)) == 0 ? 1 : 0;
    EXPECT_EQ(missing, 0u) << "terms whose constant no branch compares";
  }
}

}  // namespace
}  // namespace bpfc::lowertest
