// run_cbpf(): libpcap's bpf_filter() semantics, and the defined results for
// programs libpcap's interpreter cannot run.
#include <gtest/gtest.h>

#include <vector>

#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::runtime {
namespace {

using namespace cbpf;

const std::vector<uint8_t> kPacket = {0x45, 0x00, 0x00, 0x54, 0xde, 0xad, 0xbe, 0xef,
                                      0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

uint32_t run(const Program& p, const std::vector<uint8_t>& packet = kPacket, uint32_t wirelen = 100) {
  return run_cbpf(p, packet, wirelen);
}

// A program that computes A with `body` and returns it.
uint32_t value_of(std::vector<Insn> body, const std::vector<uint8_t>& packet = kPacket) {
  body.push_back(stmt(RET | RET_A, 0));
  return run(body, packet);
}

TEST(Interpreter, ReturnsConstantOrAccumulator) {
  EXPECT_EQ(run({stmt(RET | K, 262144)}), 262144u);
  EXPECT_EQ(value_of({stmt(LD | IMM, 0xdeadbeef)}), 0xdeadbeefu);
}

TEST(Interpreter, LoadsAreBigEndian) {
  EXPECT_EQ(value_of({stmt(LD | W | ABS, 4)}), 0xdeadbeefu);
  EXPECT_EQ(value_of({stmt(LD | H | ABS, 2)}), 0x0054u);
  EXPECT_EQ(value_of({stmt(LD | B | ABS, 0)}), 0x45u);
  EXPECT_EQ(value_of({stmt(LDX | IMM, 3), stmt(LD | W | IND, 1)}), 0xdeadbeefu);
  EXPECT_EQ(value_of({stmt(LDX | B | MSH, 0), stmt(MISC | TXA, 0)}), 20u);
}

TEST(Interpreter, LoadPastTheCapturedBytesReturnsZeroAtOnce) {
  EXPECT_EQ(value_of({stmt(LD | W | ABS, 12)}), 0x55667788u);  // last 4 bytes: fine
  EXPECT_EQ(run({stmt(LD | W | ABS, 13), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LD | H | ABS, 15), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LD | B | ABS, 16), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LDX | B | MSH, 16), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LD | B | ABS, 0), stmt(RET | K, 1)}, {}), 0u);  // empty packet
}

TEST(Interpreter, IndexedLoadOffsetsDoNotWrap) {
  // x + k overflows 32 bits: libpcap's checks reject it, and so must we.
  EXPECT_EQ(run({stmt(LDX | IMM, 0xffffffff), stmt(LD | B | IND, 1), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LDX | IMM, 2), stmt(LD | W | IND, 0xfffffffe), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LDX | IMM, 0x80000000), stmt(LD | H | IND, 0x80000000), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LD | W | ABS, 0xfffffffe), stmt(RET | K, 1)}), 0u);
}

TEST(Interpreter, LengthIsTheWireLength) {
  EXPECT_EQ(run({stmt(LD | W | LEN, 0), stmt(RET | RET_A, 0)}, kPacket, 1514), 1514u);
  EXPECT_EQ(run({stmt(LDX | W | LEN, 0), stmt(MISC | TXA, 0), stmt(RET | RET_A, 0)}, kPacket, 60), 60u);
}

TEST(Interpreter, DivisionByZeroReturnsZero) {
  EXPECT_EQ(run({stmt(LD | IMM, 7), stmt(LDX | IMM, 0), stmt(ALU | DIV | X, 0), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LD | IMM, 7), stmt(LDX | IMM, 0), stmt(ALU | MOD | X, 0), stmt(RET | K, 1)}), 0u);
  // libpcap traps (SIGFPE) on these; they fail bpf_validate.
  EXPECT_EQ(run({stmt(LD | IMM, 7), stmt(ALU | DIV | K, 0), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(LD | IMM, 7), stmt(ALU | MOD | K, 0), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(value_of({stmt(LD | IMM, 7), stmt(ALU | MOD | K, 4)}), 3u);
}

TEST(Interpreter, ShiftsByThirtyTwoOrMoreYieldZero) {
  for (uint32_t count : {32u, 33u, 63u, 64u, 0xffffffffu}) {
    EXPECT_EQ(value_of({stmt(LD | IMM, 0xffffffff), stmt(LDX | IMM, count), stmt(ALU | LSH | X, 0)}), 0u);
    EXPECT_EQ(value_of({stmt(LD | IMM, 0xffffffff), stmt(LDX | IMM, count), stmt(ALU | RSH | X, 0)}), 0u);
    EXPECT_EQ(value_of({stmt(LD | IMM, 0xffffffff), stmt(ALU | LSH | K, count)}), 0u);
    EXPECT_EQ(value_of({stmt(LD | IMM, 0xffffffff), stmt(ALU | RSH | K, count)}), 0u);
  }
  EXPECT_EQ(value_of({stmt(LD | IMM, 1), stmt(ALU | LSH | K, 31)}), 0x80000000u);
}

TEST(Interpreter, ArithmeticWrapsModulo2To32) {
  EXPECT_EQ(value_of({stmt(LD | IMM, 0xffffffff), stmt(ALU | ADD | K, 2)}), 1u);
  EXPECT_EQ(value_of({stmt(LD | IMM, 0), stmt(ALU | SUB | K, 1)}), 0xffffffffu);
  EXPECT_EQ(value_of({stmt(LD | IMM, 0x10000), stmt(ALU | MUL | K, 0x10000)}), 0u);
  EXPECT_EQ(value_of({stmt(LD | IMM, 1), stmt(ALU | NEG, 0)}), 0xffffffffu);
  EXPECT_EQ(value_of({stmt(LD | IMM, 0x80000000), stmt(ALU | NEG, 0)}), 0x80000000u);
}

TEST(Interpreter, ComparisonsAreUnsigned) {
  const Program p = {stmt(LD | IMM, 0x80000000), jump(JMP | JGT | K, 1, 1, 0), stmt(RET | K, 0),
                     stmt(RET | K, 1)};
  EXPECT_EQ(run(p), 1u);
}

TEST(Interpreter, ScratchMemoryStartsZeroed) {
  // libpcap 1.10.3 would return whatever was on its stack; the kernel rejects
  // the program.
  EXPECT_EQ(value_of({stmt(LD | IMM, 5), stmt(LD | MEM, 7)}), 0u);
  EXPECT_EQ(value_of({stmt(LD | IMM, 5), stmt(ST, 15), stmt(LD | IMM, 0), stmt(LDX | MEM, 15),
                      stmt(MISC | TXA, 0)}),
            5u);
}

TEST(Interpreter, InvalidProgramsReturnZero) {
  EXPECT_EQ(run({}), 0u);                                        // empty
  EXPECT_EQ(run({stmt(LD | IMM, 1)}), 0u);                       // runs off the end
  EXPECT_EQ(run({stmt(0x0e, 5)}), 0u);                           // ret|x: unknown (libpcap aborts)
  EXPECT_EQ(run({stmt(0xffff, 5), stmt(RET | K, 1)}), 0u);       // unknown
  EXPECT_EQ(run({stmt(LD | MEM, 16), stmt(RET | K, 1)}), 0u);    // no such slot
  EXPECT_EQ(run({stmt(ST, 0x80000000), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({jump(JMP | JEQ | K, 0, 200, 200), stmt(RET | K, 1)}), 0u);  // beyond the end
  EXPECT_EQ(run({stmt(JMP | JA, 5), stmt(RET | K, 1)}), 0u);
  EXPECT_EQ(run({stmt(JMP | JA, 0xfffffff0), stmt(RET | K, 1)}), 0u);        // before the start
}

TEST(Interpreter, FollowsBackwardJumpsLikeLibpcap) {
  // A loop: X counts up to 3 with a backward ja (as libpcap's protochain code does).
  const Program p = {
      stmt(LDX | IMM, 0),                 // 0
      stmt(MISC | TXA, 0),                // 1
      jump(JMP | JEQ | K, 3, 2, 0),       // 2: A == 3 -> 5
      stmt(ALU | ADD | K, 1),             // 3
      stmt(MISC | TAX, 0),                // 4 ... and back to 1:
      stmt(RET | RET_A, 0),               // 5
  };
  Program looping = p;
  looping.insert(looping.begin() + 5, stmt(JMP | JA, static_cast<uint32_t>(-5)));  // 5: ja 1
  looping[2].jt = 3;  // now 6
  EXPECT_EQ(run(looping), 3u);
}

TEST(Interpreter, LoopsMayTakeTwoCaplenPlusTwoBackwardJumpsEach) {
  // X counts the backward jumps taken; the loop leaves once X reaches
  // `rounds`. With one backward ja, run_cbpf allows 2 * caplen + 2 of them:
  // as many as a protochain walk that ends can take (ir.h), plus margin.
  auto counting_to = [](uint32_t rounds) {
    return Program{
        stmt(MISC | TXA, 0),                 // 0
        jump(JMP | JEQ | K, rounds, 4, 0),   // 1: X == rounds -> 6
        stmt(ALU | ADD | K, 1),              // 2
        stmt(MISC | TAX, 0),                 // 3
        stmt(JMP | JA, 0xfffffffb),          // 4: ja 0
        stmt(RET | K, 1),                    // 5
        stmt(RET | K, 7),                    // 6
    };
  };
  const std::vector<uint8_t> packet(10, 0);
  EXPECT_EQ(run(counting_to(22), packet), 7u);
  EXPECT_EQ(run(counting_to(23), packet), 0u);
  EXPECT_EQ(run(counting_to(2), {}), 7u);
  EXPECT_EQ(run(counting_to(3), {}), 0u);
  // Each backward ja adds as much again (one per protochain walk).
  Program two_loops = counting_to(23);
  two_loops.push_back(stmt(JMP | JA, 0xfffffff8));  // never taken
  two_loops.push_back(stmt(RET | K, 1));
  EXPECT_EQ(run(two_loops, packet), 7u);
}

TEST(Interpreter, EndlessLoopsStopWithZero) {
  EXPECT_EQ(run({stmt(JMP | JA, 0xffffffff), stmt(RET | K, 1)}), 0u);  // ja to itself
  EXPECT_EQ(run({stmt(LD | IMM, 1), stmt(JMP | JA, 0xfffffffe), stmt(RET | K, 1)}), 0u);
}

}  // namespace
}  // namespace bpfc::runtime
