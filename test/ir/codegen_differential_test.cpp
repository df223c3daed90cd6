// Differential test of the classic-BPF backend against the reference
// interpreter: random well-formed IR functions compiled by cbpf::generate
// must pass libpcap's bpf_validate() and give, under libpcap's bpf_filter(),
// the same result as ir::interpret on every random packet. Programs with a
// protochain loop run under bpfc's interpreter too: on a walk that never
// ends (AH headers leading back to each other) bpf_filter() would spin for
// ever, so it only runs them where bpfc's interpreter accepts the packet
// (an endless walk would have made the filter return 0).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "pcap_oracle.h"
#include "random_ir.h"

namespace bpfc::testing {
namespace {

struct Coverage {
  int functions = 0;
  int compiled = 0;
  int too_many_registers = 0;
  int with_scratch = 0;      // programs using M[]
  int with_index = 0;        // programs using X as an index or operand
  int with_msh = 0;          // programs using ldxb 4*([k]&0xf)
  int with_ja = 0;           // programs with a ja (trampolines or plain jumps)
  int with_loop = 0;         // programs with a protochain loop (a backward ja)
  size_t longest = 0;
  int with_long_reach = 0;   // programs with a conditional jump whose target is > 255 away
  uint32_t most_slots = 0;   // highest scratch slot used + 1
  int packets = 0;
  int accepted = 0;          // packets with a non-zero result
};

bool has_loop(const cbpf::Program& p) {
  return std::any_of(p.begin(), p.end(), [](const cbpf::Insn& i) {
    return i.code == (cbpf::JMP | cbpf::JA) && static_cast<int32_t>(i.k) < 0;
  });
}

void note_features(const cbpf::Program& p, Coverage& c) {
  bool scratch = false, index = false, msh = false, ja = false, long_reach = false;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const cbpf::Insn& i = p[pc];
    const uint16_t cls = cbpf::insn_class(i.code);
    if (cls == cbpf::ST || cls == cbpf::STX) c.most_slots = std::max(c.most_slots, i.k + 1);
    if (cls == cbpf::JMP && cbpf::insn_op(i.code) != cbpf::JA) {
      // Where the jump really lands, following one trampoline.
      for (uint32_t off : {uint32_t{i.jt}, uint32_t{i.jf}}) {
        size_t to = pc + 1 + off;
        if (p[to].code == (cbpf::JMP | cbpf::JA) && static_cast<int32_t>(p[to].k) >= 0) to += 1 + p[to].k;
        long_reach |= to - pc - 1 > 255;
      }
    }
    scratch |= cls == cbpf::ST || cls == cbpf::STX;
    index |= (cls == cbpf::LD && cbpf::insn_mode(i.code) == cbpf::IND) || i.code == (cbpf::MISC | cbpf::TAX);
    msh |= i.code == (cbpf::LDX | cbpf::B | cbpf::MSH);
    ja |= i.code == (cbpf::JMP | cbpf::JA);
  }
  c.with_scratch += scratch;
  c.with_index += index;
  c.with_msh += msh;
  c.with_ja += ja;
  c.with_loop += has_loop(p);
  c.with_long_reach += long_reach;
  c.longest = std::max(c.longest, p.size());
}

// Compiles `f` and compares on `packets` random packets. Returns false
// after the first mismatch (reported with the IR and the program).
bool compare(const ir::Function& f, std::mt19937& rng, int packets, Coverage& c) {
  ++c.functions;
  if (auto problem = ir::verify(f)) {
    ADD_FAILURE() << "generator made malformed IR: " << *problem << "\n" << ir::print(f);
    return false;
  }
  auto program = cbpf::generate(f);
  if (!program) {
    // The only acceptable failure: more than 16 values live at once.
    EXPECT_EQ(program.error().message, "too many registers needed to evaluate expression") << ir::print(f);
    ++c.too_many_registers;
    return program.error().message == "too many registers needed to evaluate expression";
  }
  ++c.compiled;
  note_features(*program, c);
  if (!pcap_validates(*program)) {
    ADD_FAILURE() << "bpf_validate rejects\n" << ir::print(f) << pcap_listing(*program);
    return false;
  }
  auto insns = to_pcap(*program);
  const bool loops = has_loop(*program);
  for (int i = 0; i < packets; ++i) {
    std::vector<uint8_t> packet = random_packet(rng, 72);
    uint32_t wirelen = static_cast<uint32_t>(packet.size()) + std::uniform_int_distribution<uint32_t>(0, 1500)(rng);
    uint32_t expected = ir::interpret(f, packet, wirelen);
    uint32_t actual = runtime::run_cbpf(*program, packet, wirelen);
    if (!loops || actual != 0) {
      const uint32_t in_libpcap = pcap_run(insns, packet, wirelen);
      if (in_libpcap != actual) {
        ADD_FAILURE() << "bpfc's interpreter " << actual << " but bpf_filter " << in_libpcap << "\n"
                      << pcap_listing(*program);
        return false;
      }
    }
    ++c.packets;
    c.accepted += expected != 0;
    if (expected != actual) {
      std::string bytes;
      for (uint8_t b : packet) bytes += std::to_string(b) + " ";
      ADD_FAILURE() << "interpret " << expected << " but bpf_filter " << actual << " on packet [" << bytes
                    << "] wirelen " << wirelen << "\n" << ir::print(f) << pcap_listing(*program);
      return false;
    }
  }
  return true;
}

// Linux's check_load_and_stores() (net/core/filter.c), walked the way the
// kernel walks it: linearly, a jump passing its slot state to its targets
// and resetting it, anything else (including ret) falling through.
bool linux_accepts_scratch_use(const cbpf::Program& p) {
  std::vector<uint16_t> on_entry(p.size(), 0xffff);
  uint16_t written = 0;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const cbpf::Insn& i = p[pc];
    written &= on_entry[pc];
    const uint16_t cls = cbpf::insn_class(i.code);
    const uint16_t slot = static_cast<uint16_t>(1u << (i.k & 15));
    if (cls == cbpf::ST || cls == cbpf::STX) written |= slot;
    if ((cls == cbpf::LD || cls == cbpf::LDX) && cbpf::insn_mode(i.code) == cbpf::MEM && !(written & slot)) return false;
    if (cls == cbpf::JMP) {
      if (cbpf::insn_op(i.code) == cbpf::JA) {
        on_entry[pc + 1 + i.k] &= written;
      } else {
        on_entry[pc + 1 + i.jt] &= written;
        on_entry[pc + 1 + i.jf] &= written;
      }
      written = 0xffff;
    }
  }
  return true;
}

void run_many(uint32_t seed, int functions, int packets, const RandomIrShape& shape, Coverage& c) {
  std::mt19937 rng(seed);
  for (int i = 0; i < functions; ++i) {
    ir::Function f = random_function(rng, shape);
    if (!compare(f, rng, packets, c)) break;
  }
  std::printf("functions %d compiled %d too_many %d scratch %d index %d msh %d ja %d loop %d long %d slots %u longest %zu packets %d accepted %d\n",
              c.functions, c.compiled, c.too_many_registers, c.with_scratch, c.with_index, c.with_msh,
              c.with_ja, c.with_loop, c.with_long_reach, c.most_slots, c.longest, c.packets, c.accepted);
}

TEST(CodegenDifferential, SmallRandomFunctions) {
  Coverage c;
  run_many(1, 3000, 30, RandomIrShape{}, c);
  EXPECT_EQ(c.compiled + c.too_many_registers, c.functions);
  EXPECT_EQ(c.too_many_registers, 0);
  // The random functions exercise what they are meant to.
  EXPECT_GT(c.with_scratch, c.compiled / 5);
  EXPECT_GT(c.with_index, c.compiled / 4);
  EXPECT_GT(c.with_msh, c.compiled / 10);
  EXPECT_GT(c.with_loop, c.compiled / 10);
  EXPECT_GT(c.accepted, c.packets / 10);
  EXPECT_LT(c.accepted, c.packets * 9 / 10);
}

TEST(CodegenDifferential, ManyLiveValues) {
  RandomIrShape shape;
  shape.min_blocks = 4;
  shape.max_blocks = 16;
  shape.max_insts_per_block = 10;
  shape.operand_window = 40;
  Coverage c;
  run_many(2, 800, 30, shape, c);
  EXPECT_EQ(c.compiled + c.too_many_registers, c.functions);
  EXPECT_GT(c.compiled, c.functions * 8 / 10);
  EXPECT_GT(c.with_scratch, c.compiled / 3);
}

// Twelve values live through the whole function, and random code around
// them: close to the 16 slots, sometimes over.
TEST(CodegenDifferential, NearlyAllScratchSlots) {
  RandomIrShape shape;
  shape.min_blocks = 4;
  shape.max_blocks = 16;
  shape.max_insts_per_block = 8;
  shape.operand_window = 20;
  shape.long_lived_values = 12;
  Coverage c;
  run_many(4, 500, 30, shape, c);
  EXPECT_EQ(c.compiled + c.too_many_registers, c.functions);
  EXPECT_GT(c.compiled, c.functions * 3 / 4);
  EXPECT_EQ(c.most_slots, 16u);
}

// Scratch slots are written before they are read on every path, in the
// kernel's (linear, conservative) sense too — which needs returns laid out
// last — so the programs also load into Linux sockets. (Without protochain
// walks: their loops never go to the kernel, the unrolled form does.)
TEST(CodegenDifferential, LinuxAcceptsTheScratchUse) {
  RandomIrShape shape;
  shape.max_blocks = 16;
  shape.operand_window = 20;
  shape.constant_returns = true;
  shape.protochain_walks = false;
  std::mt19937 rng(5);
  int with_scratch = 0;
  for (int i = 0; i < 1200; ++i) {
    ir::Function f = random_function(rng, shape);
    auto program = cbpf::generate(f);
    if (!program) continue;
    bool scratch = std::any_of(program->begin(), program->end(), [](const cbpf::Insn& insn) {
      return cbpf::insn_class(insn.code) == cbpf::ST || cbpf::insn_class(insn.code) == cbpf::STX;
    });
    with_scratch += scratch;
    ASSERT_TRUE(linux_accepts_scratch_use(*program)) << ir::print(f) << pcap_listing(*program);
  }
  EXPECT_GT(with_scratch, 300);
}

TEST(CodegenDifferential, LongFunctionsNeedRelaxedJumps) {
  RandomIrShape shape;
  shape.min_blocks = 300;
  shape.max_blocks = 500;
  shape.max_insts_per_block = 6;
  shape.far_jump_chance = 0.5;
  shape.certain_traps = false;
  Coverage c;
  run_many(3, 40, 40, shape, c);
  EXPECT_EQ(c.compiled + c.too_many_registers, c.functions);
  EXPECT_GT(c.compiled, c.functions / 2);
  EXPECT_GT(c.longest, 600u);
  // Far targets that are lone `ret`s get a copy of the ret instead of a ja
  // trampoline, which this count does not see; the others are counted.
  EXPECT_GE(c.with_long_reach, 5);
}

}  // namespace
}  // namespace bpfc::testing
