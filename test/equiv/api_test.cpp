// check_equivalence's contract outside the happy path: invalid programs and
// options are errors, loops are "unknown" with the reason, and the result
// carries a readable message.
#include <gtest/gtest.h>

#include "equiv_assertions.h"

namespace bpfc::equivtest {
namespace {

using namespace cbpf;

const Program kAccept = {stmt(RET | K, 1)};

TEST(EquivalenceApi, InvalidProgramsAreErrors) {
  auto empty = runtime::check_equivalence(Program{}, kAccept);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("program A is invalid"), std::string::npos) << empty.error().message;
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;

  const Program jumps_out = {jump(JMP | JEQ | K, 0, 5, 0), stmt(RET | K, 0)};
  auto out = runtime::check_equivalence(kAccept, jumps_out);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("program B is invalid: instruction 0: jump target 6"), std::string::npos)
      << out.error().message;

  const Program divides_by_zero = {stmt(ALU | DIV | K, 0), stmt(RET | RET_A, 0)};
  EXPECT_FALSE(runtime::check_equivalence(divides_by_zero, kAccept).ok());
  const Program no_ret = {stmt(LD | IMM, 1)};
  EXPECT_FALSE(runtime::check_equivalence(kAccept, no_ret).ok());
}

TEST(EquivalenceApi, OptionsOutOfRangeAreErrors) {
  EquivalenceOptions options;
  options.max_length = runtime::kMaxEquivalencePacketLength + 1;
  EXPECT_FALSE(runtime::check_equivalence(kAccept, kAccept, options).ok());
  options.max_length = 10;
  options.min_length = 11;
  EXPECT_FALSE(runtime::check_equivalence(kAccept, kAccept, options).ok());
}

TEST(EquivalenceApi, LoopsAreDecided) {
  // A backward ja (k sign-extended, as in libpcap's protochain code): while
  // P[0] != 0 the program goes round in the same state forever, which
  // run_cbpf (like later libpcap) ends with 0.
  const Program loop = {stmt(LD | B | ABS, 0), jump(JMP | JEQ | K, 0, 1, 0), stmt(JMP | JA, 0xfffffffd),
                        stmt(RET | K, 1)};
  const Program loop_free = {stmt(LD | B | ABS, 0), jump(JMP | JEQ | K, 0, 0, 1), stmt(RET | K, 1),
                             stmt(RET | K, 0)};
  auto same = runtime::check_equivalence(loop_free, loop);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(same->verdict, EquivalenceVerdict::Equivalent) << same->message;

  auto result = runtime::check_equivalence(kAccept, loop);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->verdict, EquivalenceVerdict::Different) << result->message;
  ASSERT_TRUE(result->counterexample);
  EXPECT_EQ(result->counterexample->value_a, 1u);
  EXPECT_EQ(result->counterexample->value_b, 0u);
}

TEST(EquivalenceApi, LoopsAreFollowedAsFarAsRunCbpfLetsThemRun) {
  // X counts up for ever; run_cbpf ends the run with 0 after
  // 2 * caplen + 2 backward jumps (one backward ja), and so does the checker.
  const Program counter = {stmt(MISC | TXA, 0), stmt(ALU | ADD | K, 1), stmt(MISC | TAX, 0),
                           stmt(JMP | JA, 0xfffffffc), stmt(RET | K, 1)};
  const Program reject = {stmt(RET | K, 0)};
  EquivalenceOptions options;
  options.max_length = 16;
  auto zero = runtime::check_equivalence(reject, counter, options);
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(zero->verdict, EquivalenceVerdict::Equivalent) << zero->message;

  // Beyond 4096 rounds the formula is not built.
  options.max_length = 4096;
  auto result = runtime::check_equivalence(kAccept, counter, options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->verdict, EquivalenceVerdict::Unknown);
  EXPECT_EQ(result->unknown_reason, UnknownReason::LoopBound);
  EXPECT_EQ(result->message,
            "program B loops (backward jumps, as in libpcap's protochain code) up to 8194 times on packets of up "
            "to 4096 bytes; the checker unrolls loops at most 4096 times (a shorter --length unrolls fewer)")
      << result->message;
  EXPECT_FALSE(result->counterexample);
}

TEST(EquivalenceApi, HardQueriesTimeOut) {
  // a * (b + c) against a * b + a * c: 32-bit multipliers are notoriously
  // hard for bit-blasting; no solver run of 200 ms settles it.
  const Program factored = {stmt(LD | W | ABS, 4), stmt(MISC | TAX, 0), stmt(LD | W | ABS, 8),
                            stmt(ALU | ADD | X, 0), stmt(MISC | TAX, 0), stmt(LD | W | ABS, 0),
                            stmt(ALU | MUL | X, 0), stmt(RET | RET_A, 0)};
  const Program distributed = {stmt(LD | W | ABS, 4), stmt(MISC | TAX, 0), stmt(LD | W | ABS, 0),
                               stmt(ALU | MUL | X, 0), stmt(ST, 0), stmt(LD | W | ABS, 8),
                               stmt(MISC | TAX, 0), stmt(LD | W | ABS, 0), stmt(ALU | MUL | X, 0),
                               stmt(LDX | MEM, 0), stmt(ALU | ADD | X, 0), stmt(RET | RET_A, 0)};
  EquivalenceOptions options;
  options.max_length = 12;
  options.timeout_ms = 200;
  auto result = runtime::check_equivalence(factored, distributed, options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->verdict, EquivalenceVerdict::Unknown);
  EXPECT_EQ(result->unknown_reason, UnknownReason::Timeout);
  EXPECT_EQ(result->message.rfind("the solver gave up after 200 ms", 0), 0u) << result->message;
  EXPECT_GE(result->solver_ms, 200.0);
  EXPECT_STREQ(runtime::describe(result->unknown_reason), "the solver ran out of time");
}

TEST(EquivalenceApi, CheckerIsReusable) {
  const Program reject = {stmt(RET | K, 0)};
  const Program load_then_accept = {stmt(LD | B | ABS, 20), stmt(RET | K, 1)};
  runtime::EquivalenceChecker checker;
  EquivalenceOptions options;
  options.max_length = 32;
  for (int round = 0; round < 3; ++round) {
    auto same = checker.check(kAccept, kAccept, options);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->verdict, EquivalenceVerdict::Equivalent);
    auto differ = checker.check(load_then_accept, kAccept, options);
    ASSERT_TRUE(differ.ok());
    ASSERT_TRUE(is_confirmed_difference(load_then_accept, kAccept, options, *differ));
    EXPECT_EQ(differ->counterexample->packet.size(), 0u);
    EXPECT_FALSE(checker.check(Program{}, reject, options).ok());
  }
  // A timed-out query leaves the checker usable.
  EquivalenceOptions hurried = options;
  hurried.timeout_ms = 1;
  const Program factored = {stmt(LD | W | ABS, 4), stmt(MISC | TAX, 0), stmt(LD | W | ABS, 8),
                            stmt(ALU | ADD | X, 0), stmt(MISC | TAX, 0), stmt(LD | W | ABS, 0),
                            stmt(ALU | MUL | X, 0), stmt(RET | RET_A, 0)};
  const Program distributed = {stmt(LD | W | ABS, 4), stmt(MISC | TAX, 0), stmt(LD | W | ABS, 0),
                               stmt(ALU | MUL | X, 0), stmt(ST, 0), stmt(LD | W | ABS, 8),
                               stmt(MISC | TAX, 0), stmt(LD | W | ABS, 0), stmt(ALU | MUL | X, 0),
                               stmt(LDX | MEM, 0), stmt(ALU | ADD | X, 0), stmt(RET | RET_A, 0)};
  auto hard = checker.check(factored, distributed, hurried);
  ASSERT_TRUE(hard.ok());
  EXPECT_EQ(hard->unknown_reason, UnknownReason::Timeout);
  runtime::EquivalenceChecker moved = std::move(checker);
  const Program same_bound = {stmt(LD | H | ABS, 19), stmt(RET | K, 1)};  // also needs 21 bytes
  auto after = moved.check(load_then_accept, same_bound, options);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->verdict, EquivalenceVerdict::Equivalent);
}

TEST(EquivalenceApi, ResultsDescribeThemselves) {
  auto same = runtime::check_equivalence(kAccept, kAccept);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->verdict, EquivalenceVerdict::Equivalent);
  EXPECT_EQ(same->unknown_reason, UnknownReason::None);
  EXPECT_EQ(same->message, "same return value for every packet of up to 128 bytes");
  EXPECT_GE(same->solver_ms, 0.0);
  EXPECT_STREQ(runtime::to_string(same->verdict), "equivalent");

  const Program reject = {stmt(RET | K, 0)};
  auto differ = runtime::check_equivalence(kAccept, reject);
  ASSERT_TRUE(differ.ok());
  EXPECT_EQ(differ->verdict, EquivalenceVerdict::Different);
  ASSERT_TRUE(differ->counterexample);
  EXPECT_EQ(differ->counterexample->value_a, 1u);
  EXPECT_EQ(differ->counterexample->value_b, 0u);
  EXPECT_NE(differ->message.find("A returns 1, B returns 0"), std::string::npos) << differ->message;

  EquivalenceOptions options;
  options.min_length = 20;
  options.max_length = 60;
  options.compare = EquivalenceComparison::Verdict;
  auto ranged = runtime::check_equivalence(kAccept, kAccept, options);
  ASSERT_TRUE(ranged.ok());
  EXPECT_EQ(ranged->message, "same verdict for every packet of 20 to 60 bytes");
}

TEST(EquivalenceApi, EmptyPacketsOnly) {
  EquivalenceOptions options;
  options.max_length = 0;
  EXPECT_TRUE(proves_equivalent({stmt(LD | B | ABS, 0), stmt(RET | K, 1)}, {stmt(RET | K, 0)}, options));
  Counterexample example;
  ASSERT_TRUE(finds_difference({stmt(LD | W | LEN, 0), stmt(RET | RET_A, 0)}, {stmt(RET | K, 0)}, options, &example));
  EXPECT_TRUE(example.packet.empty());
  EXPECT_NE(example.wirelen, 0u);
}

TEST(EquivalenceApi, LongPacketsWork) {
  EquivalenceOptions options;
  options.max_length = 1514;
  const Program far_load = {stmt(LDX | IMM, 1000), stmt(LD | H | IND, 500), stmt(RET | RET_A, 0)};
  const Program same_load = {stmt(LD | H | ABS, 1500), stmt(RET | RET_A, 0)};
  EXPECT_TRUE(proves_equivalent(far_load, same_load, options, 200));
  Counterexample example;
  const Program next_load = {stmt(LD | H | ABS, 1501), stmt(RET | RET_A, 0)};
  ASSERT_TRUE(finds_difference(far_load, next_load, options, &example));
}

TEST(EquivalenceApi, ZeroTimeoutMeansNoLimit) {
  EquivalenceOptions options;
  options.timeout_ms = 0;
  auto result = runtime::check_equivalence(kAccept, kAccept, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->verdict, EquivalenceVerdict::Equivalent);
}

}  // namespace
}  // namespace bpfc::equivtest
