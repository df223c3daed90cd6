// ir::interpret, one test per rule of the IR contract (ir.h).
#include <gtest/gtest.h>

#include <vector>

#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"

namespace bpfc::ir {
namespace {

uint32_t run(const char* text, std::vector<uint8_t> packet, uint32_t wirelen = 1000) {
  auto f = parse(text);
  EXPECT_TRUE(f.ok()) << f.error().message;
  if (!f) return 0xdeadbeef;
  EXPECT_EQ(verify(*f), std::nullopt);
  return interpret(*f, packet, wirelen);
}

// ret (op a, b) for constants a and b.
uint32_t binary(const char* op, uint32_t a, uint32_t b) {
  std::string text = "b0:\n  v0 = const " + std::to_string(a) + "\n  v1 = const " + std::to_string(b) + "\n  v2 = " +
                     op + " v0, v1\n  ret v2\n";
  return run(text.c_str(), {});
}

// 1 if (cond a, b) holds, else 2.
uint32_t branch(const char* cond, uint32_t a, uint32_t b) {
  std::string text = "b0:\n  v0 = const " + std::to_string(a) + "\n  v1 = const " + std::to_string(b) + "\n  br " +
                     cond + " v0, v1, b1, b2\nb1:\n  v2 = const 1\n  ret v2\nb2:\n  v3 = const 2\n  ret v3\n";
  return run(text.c_str(), {});
}

const std::vector<uint8_t> kPacket = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};

TEST(IrInterpreter, LoadsAreBigEndian) {
  EXPECT_EQ(run("b0:\n  v0 = load.1 [1]\n  ret v0\n", kPacket), 0x34u);
  EXPECT_EQ(run("b0:\n  v0 = load.2 [1]\n  ret v0\n", kPacket), 0x3456u);
  EXPECT_EQ(run("b0:\n  v0 = load.4 [2]\n  ret v0\n", kPacket), 0x56789abcu);
}

TEST(IrInterpreter, IndexedLoadsAddIndexAndOffset) {
  EXPECT_EQ(run("b0:\n  v0 = const 2\n  v1 = load.2 [v0 + 1]\n  ret v1\n", kPacket), 0x789au);
}

TEST(IrInterpreter, LoadEndingAtCaplenSucceedsOnePastFails) {
  EXPECT_EQ(run("b0:\n  v0 = load.4 [2]\n  v1 = const 7\n  ret v1\n", kPacket), 7u);
  EXPECT_EQ(run("b0:\n  v0 = load.4 [3]\n  v1 = const 7\n  ret v1\n", kPacket), 0u);
  EXPECT_EQ(run("b0:\n  v0 = load.1 [5]\n  v1 = const 7\n  ret v1\n", kPacket), 7u);
  EXPECT_EQ(run("b0:\n  v0 = load.1 [6]\n  v1 = const 7\n  ret v1\n", kPacket), 0u);
  EXPECT_EQ(run("b0:\n  v0 = load.1 [0]\n  v1 = const 7\n  ret v1\n", {}), 0u);
}

TEST(IrInterpreter, AFailedLoadEndsTheFilterEvenIfUnused) {
  // The load's value is never used; the filter still returns 0, and the
  // branch after it is never taken.
  EXPECT_EQ(run("b0:\n  v0 = len\n  v1 = load.2 [100]\n  br eq v0, v0, b1, b1\nb1:\n  ret v0\n", kPacket), 0u);
}

TEST(IrInterpreter, LoadAddressesDoNotWrap) {
  // index + offset + size is computed exactly: 0xffffffff + 2 is not 1.
  EXPECT_EQ(run("b0:\n  v0 = const 0xffffffff\n  v1 = load.1 [v0 + 2]\n  v2 = const 7\n  ret v2\n", kPacket), 0u);
  EXPECT_EQ(run("b0:\n  v0 = load.4 [0xfffffffe]\n  v1 = const 7\n  ret v1\n", kPacket), 0u);
  EXPECT_EQ(run("b0:\n  v0 = const 1\n  v1 = load.1 [v0 + 0xffffffff]\n  v2 = const 7\n  ret v2\n", kPacket), 0u);
}

TEST(IrInterpreter, LenIsTheWireLength) {
  EXPECT_EQ(run("b0:\n  v0 = len\n  ret v0\n", kPacket, 1514), 1514u);
  EXPECT_EQ(run("b0:\n  v0 = len\n  ret v0\n", {}, 0), 0u);
}

TEST(IrInterpreter, ArithmeticWraps) {
  EXPECT_EQ(binary("add", 0xffffffff, 2), 1u);
  EXPECT_EQ(binary("sub", 1, 2), 0xffffffffu);
  EXPECT_EQ(binary("mul", 0x10000, 0x10001), 0x10000u);
  EXPECT_EQ(run("b0:\n  v0 = const 1\n  v1 = neg v0\n  ret v1\n", {}), 0xffffffffu);
  EXPECT_EQ(run("b0:\n  v0 = const 0x80000000\n  v1 = neg v0\n  ret v1\n", {}), 0x80000000u);
}

TEST(IrInterpreter, DivisionIsUnsigned) {
  EXPECT_EQ(binary("div", 0xfffffffe, 2), 0x7fffffffu);
  EXPECT_EQ(binary("mod", 0xffffffff, 10), 5u);
}

TEST(IrInterpreter, DivisionByZeroEndsTheFilter) {
  EXPECT_EQ(binary("div", 7, 0), 0u);
  EXPECT_EQ(binary("mod", 7, 0), 0u);
  EXPECT_EQ(run("b0:\n  v0 = const 0\n  v1 = const 9\n  v2 = div v1, v0\n  v3 = const 5\n  ret v3\n", {}), 0u);
}

TEST(IrInterpreter, BitOperations) {
  EXPECT_EQ(binary("and", 0xff00ff00, 0x0ff00ff0), 0x0f000f00u);
  EXPECT_EQ(binary("or", 0xff00ff00, 0x0ff00ff0), 0xfff0fff0u);
  EXPECT_EQ(binary("xor", 0xff00ff00, 0x0ff00ff0), 0xf0f0f0f0u);
}

TEST(IrInterpreter, ShiftsOfThirtyTwoOrMoreGiveZero) {
  EXPECT_EQ(binary("shl", 1, 31), 0x80000000u);
  EXPECT_EQ(binary("shl", 1, 32), 0u);
  EXPECT_EQ(binary("shl", 1, 0xffffffff), 0u);
  EXPECT_EQ(binary("shr", 0x80000000, 31), 1u);
  EXPECT_EQ(binary("shr", 0x80000000, 32), 0u);
  EXPECT_EQ(binary("shr", 0xffffffff, 33), 0u);
}

TEST(IrInterpreter, ComparisonsAreUnsigned) {
  EXPECT_EQ(branch("gt", 0xffffffff, 1), 1u);
  EXPECT_EQ(branch("gt", 1, 1), 2u);
  EXPECT_EQ(branch("ge", 1, 1), 1u);
  EXPECT_EQ(branch("ge", 0, 0x80000000), 2u);
  EXPECT_EQ(branch("eq", 5, 5), 1u);
  EXPECT_EQ(branch("eq", 5, 6), 2u);
  EXPECT_EQ(branch("set", 6, 4), 1u);
  EXPECT_EQ(branch("set", 6, 9), 2u);
}

TEST(IrInterpreter, PhiTakesTheValueOfTheEdgeTaken) {
  const char* text =
      "b0:\n"
      "  v0 = load.1 [0]\n"
      "  v1 = const 0x12\n"
      "  v2 = const 10\n"
      "  br eq v0, v1, b2, b1\n"
      "b1:\n"
      "  v3 = const 20\n"
      "  jump b2\n"
      "b2:\n"
      "  v4 = phi [b0: v2], [b1: v3]\n"
      "  v5 = phi [b0: v0], [b1: v2]\n"
      "  v6 = add v4, v5\n"
      "  ret v6\n";
  EXPECT_EQ(run(text, {0x12}), 10u + 0x12u);
  EXPECT_EQ(run(text, {0x13}), 20u + 10u);
}

TEST(IrInterpreter, ReturnsTheValueOfTheRet) {
  EXPECT_EQ(run("b0:\n  v0 = const 0x40000\n  ret v0\n", {}), 0x40000u);
  EXPECT_EQ(run("b0:\n  v0 = const 0\n  ret v0\n", kPacket), 0u);
}

}  // namespace
}  // namespace bpfc::ir
