// ir::verify accepts well-formed functions and names the problem in each
// kind of malformed one.
#include <gtest/gtest.h>

#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"

namespace bpfc::ir {
namespace {

std::optional<std::string> verify_text(const char* text) {
  auto f = parse(text);
  if (!f) return "parse error: " + f.error().message;
  return verify(*f);
}

TEST(IrVerifier, AcceptsWellFormedFunctions) {
  EXPECT_EQ(verify_text("b0:\n  v0 = const 0\n  ret v0\n"), std::nullopt);
  // A diamond with a phi, operands from dominators, a value used by the
  // terminator of its own block, a branch with both edges to one block.
  EXPECT_EQ(verify_text("b0:\n"
                        "  v0 = load.2 [12]\n"
                        "  v1 = const 0x800\n"
                        "  br eq v0, v1, b1, b2\n"
                        "b1:\n"
                        "  v2 = load.1 [v0 + 1]\n"
                        "  br set v2, v2, b3, b3\n"
                        "b2:\n"
                        "  v3 = len\n"
                        "  jump b3\n"
                        "b3:\n"
                        "  v4 = phi [b1: v2], [b2: v0]\n"
                        "  v5 = phi [b2: v3], [b1: v1]\n"
                        "  v6 = add v4, v5\n"
                        "  v7 = add v6, v0\n"
                        "  ret v7\n"),
            std::nullopt);
}

struct BadCase {
  const char* what;
  const char* text;
  const char* message;
};

class IrVerifierRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(IrVerifierRejects, WithASpecificMessage) {
  EXPECT_EQ(verify_text(GetParam().text), std::optional<std::string>(GetParam().message)) << GetParam().what;
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, IrVerifierRejects,
    ::testing::Values(
        BadCase{"no blocks", "", "function has no blocks"},
        BadCase{"no terminator", "b0:\n  v0 = len\n  unterminated\n", "b0 has no terminator"},
        BadCase{"missing target", "b0:\n  jump b4\n", "b0: branch target b4 does not exist"},
        BadCase{"backward edge", "b0:\n  jump b1\nb1:\n  v0 = len\n  br eq v0, v0, b0, b1\n",
                "b1: edge to b0 does not go forward (blocks must be in topological order)"},
        BadCase{"self loop", "b0:\n  jump b0\n",
                "b0: edge to b0 does not go forward (blocks must be in topological order)"},
        BadCase{"unreachable block", "b0:\n  v0 = len\n  ret v0\nb1:\n  ret v0\n",
                "b1 is unreachable from the entry block"},
        BadCase{"load size", "b0:\n  v0 = load.3 [0]\n  ret v0\n", "v0: load size 3 is not 1, 2 or 4"},
        BadCase{"load size zero", "b0:\n  v0 = load.0 [0]\n  ret v0\n", "v0: load size 0 is not 1, 2 or 4"},
        BadCase{"missing operand", "b0:\n  v0 = len\n  v1 = sub v0, _\n  ret v1\n", "v1: missing operand"},
        BadCase{"missing ret value", "b0:\n  ret _\n", "b0 terminator: missing operand"},
        BadCase{"undefined operand", "b0:\n  v0 = neg v7\n  ret v0\n",
                "v0: operand v7 is not defined in any block"},
        BadCase{"use before definition", "b0:\n  v0 = len\n  v1 = add v0, v2\n  v2 = const 1\n  ret v1\n",
                "v1: operand v2 does not dominate its use"},
        BadCase{"self reference", "b0:\n  v0 = add v0, v0\n  ret v0\n", "v0: operand v0 does not dominate its use"},
        BadCase{"use from a sibling block",
                "b0:\n  v0 = len\n  br eq v0, v0, b1, b2\nb1:\n  v1 = const 1\n  jump b2\nb2:\n  ret v1\n",
                "b2 terminator: operand v1 does not dominate its use"},
        BadCase{"indexed load before its index", "b0:\n  v0 = load.1 [v1 + 0]\n  v1 = len\n  ret v0\n",
                "v0: operand v1 does not dominate its use"},
        BadCase{"phi after an instruction",
                "b0:\n  v0 = len\n  br eq v0, v0, b1, b2\nb1:\n  jump b2\nb2:\n  v1 = len\n"
                "  v2 = phi [b0: v0], [b1: v0]\n  ret v2\n",
                "v2: phi is not at the start of b2"},
        BadCase{"phi missing a predecessor",
                "b0:\n  v0 = len\n  br eq v0, v0, b1, b2\nb1:\n  jump b2\nb2:\n  v1 = phi [b0: v0]\n  ret v1\n",
                "v1: no incoming value for predecessor b1"},
        BadCase{"phi from a non-predecessor",
                "b0:\n  v0 = len\n  br eq v0, v0, b1, b2\nb1:\n  jump b2\nb2:\n"
                "  v1 = phi [b0: v0], [b1: v0], [b2: v0]\n  ret v1\n",
                "v1: incoming value from b2, which is not a predecessor of b2"},
        BadCase{"phi with two values from one predecessor",
                "b0:\n  v0 = len\n  v1 = const 1\n  jump b1\nb1:\n  v2 = phi [b0: v0], [b0: v1]\n  ret v2\n",
                "v2: two incoming values from b0"},
        BadCase{"phi in the entry block", "b0:\n  v0 = phi\n  ret v0\n",
                "v0: phi in b0, which has no predecessors"},
        BadCase{"phi value not dominating its predecessor",
                "b0:\n  v0 = len\n  br eq v0, v0, b1, b2\nb1:\n  v1 = const 1\n  jump b3\nb2:\n  jump b3\nb3:\n"
                "  v2 = phi [b1: v1], [b2: v1]\n  ret v2\n",
                "v2 (incoming from b2): operand v1 does not dominate its use"}),
    [](const ::testing::TestParamInfo<BadCase>& info) {
      std::string name;
      for (const char* p = info.param.what; *p; ++p) name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
      return name;
    });

// Problems the text form cannot express.
TEST(IrVerifier, RejectsInconsistentPlacement) {
  Function f;
  Builder b(f);
  b.set_block(b.new_block());
  b.ret(b.len());
  f.values[0].block = 3;
  EXPECT_EQ(verify(f), "b0: v0 is listed in b0 but records block b3");

  f.values[0].block = 0;
  f.blocks[0].insts.push_back(0);
  EXPECT_EQ(verify(f), "v0 is listed more than once");

  f.blocks[0].insts = {0, 42};
  EXPECT_EQ(verify(f), "b0: v42 does not exist");
}

TEST(IrVerifier, RejectsIncomingValuesOnNonPhis) {
  Function f;
  Builder b(f);
  b.set_block(b.new_block());
  ValueId v = b.len();
  b.ret(v);
  f.values[v].incoming.push_back({0, v});
  EXPECT_EQ(verify(f), "v0: only phis have incoming values");
}

}  // namespace
}  // namespace bpfc::ir
