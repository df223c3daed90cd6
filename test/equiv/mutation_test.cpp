// Stand-in for the "deliberately broken pass": compiled programs with
// one thing changed (a constant, a jump target, a load width, a comparison)
// must be told apart from the original by a counterexample that run_cbpf and
// libpcap's bpf_filter() both confirm. A mutation that does not change the
// program's meaning (a dead instruction, an unused bit) may be proved
// equivalent instead; that proof is cross-checked on sampled packets.
#include <functional>
#include <iostream>

#include <gtest/gtest.h>

#include "corpus_programs.h"
#include "equiv_assertions.h"

namespace bpfc::equivtest {
namespace {

using namespace cbpf;

struct Mutation {
  std::string what;
  Program program;
  bool touches_scratch_or_shift = false;  // libpcap's interpreter is undefined there
};

bool is_conditional_jump(const Insn& insn) { return insn_class(insn.code) == JMP && insn_op(insn.code) != JA; }

bool is_packet_load(const Insn& insn) {
  return insn_class(insn.code) == LD && (insn_mode(insn.code) == ABS || insn_mode(insn.code) == IND);
}

// Every single-point mutation of `program` that still passes bpf_validate.
std::vector<Mutation> mutations_of(const Program& program) {
  std::vector<Mutation> mutations;
  auto add = [&](size_t index, const std::string& what, const std::function<void(Insn&)>& change) {
    Program mutant = program;
    change(mutant[index]);
    if (mutant == program || runtime::validate_cbpf(mutant)) return;
    const Insn& insn = mutant[index];
    const bool risky = insn_mode(insn.code) == MEM || insn_class(insn.code) == ST || insn_class(insn.code) == STX ||
                       (insn_class(insn.code) == ALU && (insn_op(insn.code) == LSH || insn_op(insn.code) == RSH));
    mutations.push_back({"instruction " + std::to_string(index) + ": " + what, std::move(mutant), risky});
  };
  for (size_t i = 0; i < program.size(); ++i) {
    const Insn& insn = program[i];
    if (is_conditional_jump(insn)) {
      add(i, "jt and jf swapped", [](Insn& m) { std::swap(m.jt, m.jf); });
      add(i, "jt + 1", [](Insn& m) { ++m.jt; });
      add(i, "jf + 1", [](Insn& m) { ++m.jf; });
      add(i, "jgt <-> jge", [](Insn& m) {
        if (insn_op(m.code) == JGT) m.code = (m.code & ~0xf0) | JGE;
        else if (insn_op(m.code) == JGE) m.code = (m.code & ~0xf0) | JGT;
      });
    }
    if (insn.code != (RET | RET_A) && insn.code != (MISC | TAX) && insn.code != (MISC | TXA)) {
      add(i, "k + 1", [](Insn& m) { ++m.k; });
      add(i, "k - 1", [](Insn& m) { --m.k; });
    }
    if (is_packet_load(insn)) {
      add(i, "narrower load", [](Insn& m) {
        const uint16_t size = insn_size(m.code) == W ? H : B;
        m.code = (m.code & ~0x18) | size;
      });
      add(i, "wider load", [](Insn& m) {
        const uint16_t size = insn_size(m.code) == B ? H : W;
        m.code = (m.code & ~0x18) | size;
      });
    }
  }
  return mutations;
}

TEST(Mutations, EveryMeaningfulMutationHasAConfirmedCounterexample) {
  const char* const expressions[] = {
      "tcp port 80",       "ip and udp",          "vlan and ip",          "ip6 and tcp dst port 22",
      "portrange 1-1023",  "icmp[icmptype] = 8",  "ip[2:2] > 576 and len <= 1500",
      "ip src net 10.0.0.0/8 and not ip multicast",
  };
  EquivalenceOptions options;
  options.max_length = 96;
  options.shortest_counterexample = false;  // any confirmed counterexample will do
#ifdef BPFC_SANITIZED_BUILD
  // Z3 is many times slower under the sanitizers: the first four filters, shorter packets.
  options.max_length = 64;
  const size_t filters = 4;
#else
  const size_t filters = std::size(expressions);
#endif
  runtime::EquivalenceChecker checker;
  int mutants = 0, different = 0, neutral = 0;
  for (size_t f = 0; f < filters; ++f) {
    const char* expression = expressions[f];
    CorpusExpression e;
    e.expr = expression;
    std::string error;
    auto program = bpfc_program(e, 2, error);
    ASSERT_TRUE(program) << expression << ": " << error;
    for (const Mutation& mutation : mutations_of(*program)) {
      ++mutants;
      SCOPED_TRACE(std::string(expression) + ", " + mutation.what);
      auto result = checker.check(*program, mutation.program, options);
      ASSERT_TRUE(result.ok()) << result.error().message;
      if (result->verdict == EquivalenceVerdict::Equivalent) {
        ++neutral;
        EXPECT_TRUE(agree_on_samples(*program, mutation.program, options, 300));
        continue;
      }
      ASSERT_TRUE(is_confirmed_difference(*program, mutation.program, options, *result));
      ++different;
      const Counterexample& example = *result->counterexample;
      if (!mutation.touches_scratch_or_shift) {
        EXPECT_EQ(libpcap_filter(*program, example.packet, example.wirelen), example.value_a) << hex(example.packet);
        EXPECT_EQ(libpcap_filter(mutation.program, example.packet, example.wirelen), example.value_b)
            << hex(example.packet);
      }
    }
  }
  std::cout << "[equiv] " << mutants << " mutants of " << filters << " compiled filters: " << different
            << " told apart by a confirmed counterexample, " << neutral << " proved equivalent (neutral)\n";
  EXPECT_GE(different, mutants * 8 / 10);
}

// A "pass" that gets every unsigned comparison off by one, as a buggy
// range-lowering pass might: the checker must catch it on each filter.
TEST(Mutations, OffByOneRangePassIsCaught) {
  for (const char* expression : {"portrange 1-1023", "ip[2:2] > 576", "len >= 100"}) {
    CorpusExpression e;
    e.expr = expression;
    std::string error;
    auto program = bpfc_program(e, 2, error);
    ASSERT_TRUE(program) << expression << ": " << error;
    Program broken = *program;
    for (Insn& insn : broken) {
      if (insn.code == (JMP | JGT | K)) insn.code = JMP | JGE | K;
      else if (insn.code == (JMP | JGE | K)) insn.code = JMP | JGT | K;
    }
    ASSERT_NE(broken, *program) << expression;
    EXPECT_TRUE(finds_difference(*program, broken)) << expression;
  }
}

}  // namespace
}  // namespace bpfc::equivtest
