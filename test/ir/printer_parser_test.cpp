// The textual IR: exact printed form, parse(print(f)) round trips, and
// parse errors that name the line.
#include <gtest/gtest.h>

#include <random>

#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"
#include "random_ir.h"

namespace bpfc::ir {
namespace {

Function ethertype_filter() {
  Function f;
  Builder b(f);
  BlockId entry = b.new_block(), ip = b.new_block(), accept = b.new_block(), reject = b.new_block();
  b.set_block(entry);
  ValueId type = b.load_abs(2, 12);
  b.branch(Cond::Eq, type, b.constant(0x800), ip, reject);
  b.set_block(ip);
  ValueId byte = b.load_abs(1, 14);
  ValueId low = b.binary(Op::And, byte, b.constant(0xf));
  ValueId hlen = b.binary(Op::Shl, low, b.constant(2));
  ValueId port = b.load(2, hlen, 16);
  b.branch(Cond::Gt, port, b.constant(1023), accept, reject);
  b.set_block(accept);
  b.ret(b.len());
  b.set_block(reject);
  ValueId which = b.phi({{entry, type}, {ip, port}});
  b.ret(b.neg(which));
  return f;
}

TEST(IrPrinter, PrintsTheDocumentedForm) {
  EXPECT_EQ(print(ethertype_filter()),
            "b0:\n"
            "  v0 = load.2 [12]\n"
            "  v1 = const 0x800\n"
            "  br eq v0, v1, b1, b3\n"
            "b1:\n"
            "  v2 = load.1 [14]\n"
            "  v3 = const 0xf\n"
            "  v4 = and v2, v3\n"
            "  v5 = const 0x2\n"
            "  v6 = shl v4, v5\n"
            "  v7 = load.2 [v6 + 16]\n"
            "  v8 = const 0x3ff\n"
            "  br gt v7, v8, b2, b3\n"
            "b2:\n"
            "  v9 = len\n"
            "  ret v9\n"
            "b3:\n"
            "  v10 = phi [b0: v0], [b1: v7]\n"
            "  v11 = neg v10\n"
            "  ret v11\n");
}

TEST(IrPrinter, PrintsEveryOperation) {
  Function f;
  Builder b(f);
  b.set_block(b.new_block());
  ValueId x = b.len();
  for (Op op : {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Mod, Op::And, Op::Or, Op::Xor, Op::Shl, Op::Shr}) {
    x = b.binary(op, x, x);
  }
  b.ret(b.load(4, x, 0xffffffff));
  EXPECT_EQ(print(f),
            "b0:\n  v0 = len\n  v1 = add v0, v0\n  v2 = sub v1, v1\n  v3 = mul v2, v2\n  v4 = div v3, v3\n"
            "  v5 = mod v4, v4\n  v6 = and v5, v5\n  v7 = or v6, v6\n  v8 = xor v7, v7\n  v9 = shl v8, v8\n"
            "  v10 = shr v9, v9\n  v11 = load.4 [v10 + 4294967295]\n  ret v11\n");
}

TEST(IrParser, RoundTripsAHandWrittenFunction) {
  std::string text = print(ethertype_filter());
  auto parsed = parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(print(*parsed), text);
  EXPECT_EQ(verify(*parsed), std::nullopt);
}

TEST(IrParser, RoundTripsRandomFunctions) {
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    Function f = testing::random_function(rng, testing::RandomIrShape{});
    std::string text = print(f);
    auto parsed = parse(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message << "\n" << text;
    ASSERT_EQ(print(*parsed), text);
    ASSERT_EQ(verify(*parsed), std::nullopt) << text;
  }
}

TEST(IrParser, AcceptsCommentsBlankLinesDecimalAndHex) {
  auto parsed = parse(
      "# a comment line\n"
      "\n"
      "b0:   # the entry\n"
      "  v0 = const 2048\n"
      "  v1 = load.0x2 [0xc]\n"
      "  br   eq v1,v0 , b1, b1\n"
      "b1:\n"
      "  ret v0\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(print(*parsed), "b0:\n  v0 = const 0x800\n  v1 = load.2 [12]\n  br eq v1, v0, b1, b1\nb1:\n  ret v0\n");
}

TEST(IrParser, KeepsValueNumbersAndBrokenReferences) {
  // Numbers are kept as written; undefined and missing operands survive so
  // that the verifier can be tested on text.
  auto parsed = parse("b0:\n  v5 = add v9, _\n  ret v5\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->values.size(), 10u);
  EXPECT_EQ(parsed->values[5].b, kNoValue);
  EXPECT_EQ(parsed->values[9].block, kNoBlock);
  EXPECT_EQ(print(*parsed), "b0:\n  v5 = add v9, _\n  ret v5\n");
}

TEST(IrCompaction, DropsUnplacedValuesAndKeepsTheOrderOfTheRest) {
  // Values 1, 3 and 5 are not in any block (a pass detached them).
  auto parsed = parse(
      "b0:\n  v0 = load.2 [12]\n  v2 = const 0x800\n  br eq v0, v2, b1, b2\n"
      "b1:\n  v4 = phi [b0: v0]\n  v6 = add v4, v2\n  ret v6\n"
      "b2:\n  v7 = const 0\n  ret v7\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  Function f = std::move(*parsed);
  ASSERT_EQ(f.values.size(), 8u);
  EXPECT_EQ(compact_values(f), 3u);
  EXPECT_EQ(f.values.size(), 5u);
  EXPECT_FALSE(verify(f).has_value()) << *verify(f);
  EXPECT_EQ(print(f),
            "b0:\n  v0 = load.2 [12]\n  v1 = const 0x800\n  br eq v0, v1, b1, b2\n"
            "b1:\n  v2 = phi [b0: v0]\n  v3 = add v2, v1\n  ret v3\n"
            "b2:\n  v4 = const 0x0\n  ret v4\n");
  EXPECT_EQ(compact_values(f), 0u);  // nothing left to drop
}

TEST(IrRenumbering, DropsThePhiInputsOfDetachedValues) {
  // A phi a pass detached still names a block the function no longer has;
  // renumbering must not look that block up (and drops the stale inputs).
  auto parsed = parse("b0:\n  v0 = len\n  br eq v0, v0, b2, b1\nb1:\n  jump b2\nb2:\n  ret v0\n");
  ASSERT_TRUE(parsed.ok());
  Function f = std::move(*parsed);
  Inst stale;
  stale.op = Op::Phi;
  stale.incoming = {{7, 0}, {9, 0}};
  f.values.push_back(stale);
  ASSERT_TRUE(renumber_topologically(f));
  EXPECT_TRUE(f.values.back().incoming.empty());
  EXPECT_EQ(f.values.back().block, kNoBlock);
  EXPECT_EQ(verify(f), std::nullopt);
}

TEST(IrParser, ReportsErrorsWithTheirLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"  v0 = len\n", "line 1: expected a block label (bN:) first"},
      {"b1:\n  ret v0\n", "line 1: expected block b0 (blocks are numbered in order)"},
      {"b0:\n  v0 = len\n  v0 = len\n  ret v0\n", "line 3: v0 is defined twice"},
      {"b0:\n  v0 = frob v1\n", "line 2: unknown operation 'frob'"},
      {"b0:\n  v0 = const 0x1ffffffff\n", "line 2: number does not fit in 32 bits"},
      {"b0:\n  ret v0\n  ret v0\n", "line 3: b0 already has a terminator"},
      {"b0:\n  v0 = len\nb1:\n  ret v0\n", "line 3: b0 has no terminator line"},
      {"b0:\n  v0 = len\n", "line 2: b0 has no terminator line"},
      {"b0:\n  br lt v0, v0, b1, b1\n", "line 2: expected a condition (eq, gt, ge, set)"},
      {"b0:\n  v0 = load.2 [v1 14]\n", "line 2: expected '+'"},
      {"b0:\n  ret v0 v1\n", "line 2: unexpected text"},
      {"b0:\n  leave\n", "line 2: unknown terminator 'leave'"},
  };
  for (const Case& c : cases) {
    auto parsed = parse(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().message, c.message) << c.text;
    ASSERT_TRUE(parsed.error().span.has_value());
  }
}

TEST(IrParser, ErrorSpanPointsIntoTheText) {
  std::string text = "b0:\n  v0 = frob v1\n  ret v0\n";
  auto parsed = parse(text);
  ASSERT_FALSE(parsed.ok());
  const SourceSpan span = *parsed.error().span;
  EXPECT_EQ(text.substr(span.begin, span.end - span.begin), " v1");
}

TEST(IrParser, EmptyTextIsAnEmptyFunction) {
  auto parsed = parse("");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->blocks.empty());
  EXPECT_EQ(print(*parsed), "");
}

}  // namespace
}  // namespace bpfc::ir
