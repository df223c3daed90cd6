// The captured length (`caplen`) and checked loads in the IR: text form,
// verifier, reference interpreter (both load modes) and the classic-BPF
// backend's refusal of `caplen`.
#include <gtest/gtest.h>

#include <vector>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"

namespace bpfc::ir {
namespace {

Function parsed(const char* text) {
  auto f = parse(text);
  EXPECT_TRUE(f.ok()) << f.error().message;
  return f ? *f : Function{};
}

constexpr const char* kCaplenAndCheckedLoads =
    "b0:\n"
    "  v0 = caplen\n"
    "  v1 = len\n"
    "  v2 = const 0x2\n"
    "  v3 = load.2 [v2 + 1] checked\n"
    "  v4 = load.1 [0]\n"
    "  v5 = add v0, v1\n"
    "  ret v5\n";

TEST(IrCaplen, PrintsAndParsesBack) {
  const Function f = parsed(kCaplenAndCheckedLoads);
  EXPECT_EQ(verify(f), std::nullopt);
  EXPECT_EQ(print(f), kCaplenAndCheckedLoads);
  EXPECT_EQ(f.values[0].op, Op::Caplen);
  EXPECT_TRUE(f.values[3].checked);
  EXPECT_FALSE(f.values[4].checked);
}

TEST(IrCaplen, IsTheCapturedLengthNotTheWireLength) {
  const Function f = parsed("b0:\n  v0 = caplen\n  ret v0\n");
  EXPECT_EQ(interpret(f, std::vector<uint8_t>(17), 1500), 17u);
  EXPECT_EQ(interpret(f, {}, 60), 0u);
  // caplen + len, after two loads that stay in bounds.
  EXPECT_EQ(interpret(parsed(kCaplenAndCheckedLoads), std::vector<uint8_t>(5), 100), 105u);
}

TEST(IrCaplen, OnlyLoadsAreMarkedChecked) {
  Function f = parsed("b0:\n  v0 = const 1\n  ret v0\n");
  f.values[0].checked = true;
  auto problem = verify(f);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("only loads are marked checked"), std::string::npos) << *problem;
}

TEST(IrCaplen, SameOperationTellsCheckedLoadsApart) {
  const Function f = parsed("b0:\n  v0 = load.1 [3]\n  v1 = load.1 [3] checked\n  ret v0\n");
  EXPECT_FALSE(same_operation(f.values[0], f.values[1]));
}

// A checked load needs a guard on every path: `caplen >= end` for an
// absolute load; for an indexed one `index <= caplen - bound`, where caplen
// >= bound is already proven (else the subtraction may wrap).
TEST(IrCheckedLoads, AreProvenByTheGuardsOnEveryPath) {
  constexpr const char* kGuarded =
      "b0:\n  v0 = caplen\n  v1 = const 0xe\n  br gt v1, v0, b3, b1\n"
      "b1:\n  v2 = load.2 [12] checked\n  v3 = const 0x4\n  v4 = sub v0, v3\n  br gt v2, v4, b3, b2\n"
      "b2:\n  v5 = load.4 [v2 + 0] checked\n  ret v5\n"
      "b3:\n  v6 = const 0x0\n  ret v6\n";
  EXPECT_EQ(verify_checked_loads(parsed(kGuarded)), std::nullopt);

  const std::string text = kGuarded;
  auto problem_with = [&](const std::string& from, const std::string& to) {
    std::string changed = text;
    changed.replace(changed.find(from), from.size(), to);
    const Function f = parsed(changed.c_str());
    EXPECT_EQ(verify(f), std::nullopt) << changed;
    return verify_checked_loads(f).value_or("");
  };
  // The absolute bound one byte short.
  EXPECT_NE(problem_with("v1 = const 0xe", "v1 = const 0xd").find("v2 is marked checked"), std::string::npos);
  // The indexed load one byte past its bound.
  EXPECT_NE(problem_with("load.4 [v2 + 0]", "load.4 [v2 + 1]").find("v5 is marked checked, but no guard proves v2 + 5"),
            std::string::npos);
  // caplen - 16 where only caplen >= 14 is proven: it may have wrapped.
  EXPECT_NE(problem_with("v3 = const 0x4", "v3 = const 0x10").find("v5 is marked checked"), std::string::npos);
  // A guard whose taken edge does not return 0 proves nothing.
  EXPECT_NE(problem_with("v6 = const 0x0", "v6 = const 0x1").find("v2 is marked checked"), std::string::npos);
  // Unchecked loads are not its business.
  EXPECT_EQ(problem_with("v6 = const 0x0", "v6 = const 0x0").size(), 0u);
  EXPECT_EQ(verify_checked_loads(parsed("b0:\n  v0 = load.1 [99]\n  ret v0\n")), std::nullopt);
  EXPECT_TRUE(verify_checked_loads(parsed("b0:\n  v0 = load.1 [99] checked\n  ret v0\n")).has_value());
}

// One path with the guard, one without: the merge proves nothing.
TEST(IrCheckedLoads, AMergeKeepsOnlyWhatEveryPathProves) {
  const Function f = parsed(
      "b0:\n  v0 = caplen\n  v1 = len\n  v2 = const 0x20\n  br gt v1, v2, b1, b2\n"
      "b1:\n  br gt v2, v0, b3, b2\n"
      "b2:\n  v3 = load.4 [28] checked\n  ret v3\n"
      "b3:\n  v4 = const 0x0\n  ret v4\n");
  EXPECT_EQ(verify(f), std::nullopt);
  EXPECT_TRUE(verify_checked_loads(f).has_value());
}

TEST(IrNonTrappingRun, AnOutOfBoundsLoadIsAFaultNamingTheLoad) {
  const Function f = parsed("b0:\n  v0 = const 7\n  v1 = load.1 [3]\n  v2 = load.2 [v0 + 0]\n  ret v2\n");
  const std::vector<uint8_t> packet = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  NonTrappingRun in_bounds = interpret_without_load_traps(f, packet, 100);
  EXPECT_FALSE(in_bounds.faulted());
  EXPECT_EQ(in_bounds.verdict, 0x0809u);
  NonTrappingRun second = interpret_without_load_traps(f, std::span(packet).first(8), 100);
  EXPECT_EQ(second.faulting_load, 2u);
  NonTrappingRun first = interpret_without_load_traps(f, std::span(packet).first(3), 100);
  EXPECT_EQ(first.faulting_load, 1u);
  // The contract's mode returns 0 on the same packets.
  EXPECT_EQ(interpret(f, std::span(packet).first(3), 100), 0u);
}

TEST(IrNonTrappingRun, DivisionByZeroStillReturnsZeroWithoutAFault) {
  const Function f = parsed("b0:\n  v0 = const 0\n  v1 = const 5\n  v2 = div v1, v0\n  ret v1\n");
  NonTrappingRun run = interpret_without_load_traps(f, {}, 100);
  EXPECT_FALSE(run.faulted());
  EXPECT_EQ(run.verdict, 0u);
}

TEST(CbpfCaplen, TheBackendRefusesCaplenWithAReason) {
  auto program = cbpf::generate(parsed("b0:\n  v0 = caplen\n  ret v0\n"));
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.error().message.find("classic BPF cannot read the captured length"), std::string::npos)
      << program.error().message;
  // Checked loads are loads to it.
  auto checked = cbpf::generate(parsed("b0:\n  v0 = load.2 [12] checked\n  ret v0\n"));
  EXPECT_TRUE(checked.ok());
}

}  // namespace
}  // namespace bpfc::ir
