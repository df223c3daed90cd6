// tail-merging: tails that differ only in how their load addresses are
// formed become one, with phis for the differences; every path keeps its
// loads, at the same addresses, in the same order.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include "bpfc/cbpf/codegen.h"
#include "bpfc/driver/compile.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "pass_equivalence_check.h"
#include "pass_test_support.h"

namespace bpfc::opttest {
namespace {

constexpr const char* kPass = "tail-merging";

// `port 7` over IPv4 (header length in the msh idiom) and IPv6 (fixed 40).
constexpr const char* kPortSeven = R"(
b0:
  v0 = const 0
  v1 = load.2 [12]
  v2 = const 0x86dd
  br eq v1, v2, b5, b1
b1:
  v3 = const 0x800
  br eq v1, v3, b2, b7
b2:
  v4 = load.2 [20]
  v5 = const 0x1fff
  br set v4, v5, b7, b3
b3:
  v6 = load.1 [14]
  v7 = const 0xf
  v8 = and v6, v7
  v9 = const 2
  v10 = shl v8, v9
  v11 = load.2 [v10 + 14]
  v12 = const 7
  br eq v11, v12, b8, b4
b4:
  v13 = load.2 [v10 + 16]
  v14 = const 7
  br eq v13, v14, b8, b7
b5:
  v15 = load.2 [54]
  v16 = const 7
  br eq v15, v16, b8, b6
b6:
  v17 = load.2 [56]
  v18 = const 7
  br eq v17, v18, b8, b7
b7:
  ret v0
b8:
  v19 = const 0x40000
  ret v19
)";

TEST(TailMerging, MergesThePortTestsOfIpv4AndIpv6) {
  auto out = run_pass(kPass, kPortSeven);
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.counter("tails merged"), 1u);
  // The IPv6 path now reaches the IPv4 code with 40 as the header length
  // (a new constant, in the entry block); the IPv4 prefix (the msh
  // computation) falls through into it. The IPv6 entry, left empty, is
  // cleaned up: its branch goes straight to the merged block.
  EXPECT_GT(out.counter("clean-up: blocks removed"), 0u);
  EXPECT_EQ(out.ir, normalized(R"(
b0:
  v20 = const 40
  v0 = const 0
  v1 = load.2 [12]
  v2 = const 0x86dd
  br eq v1, v2, b4, b1
b1:
  v3 = const 0x800
  br eq v1, v3, b2, b6
b2:
  v4 = load.2 [20]
  v5 = const 0x1fff
  br set v4, v5, b6, b3
b3:
  v6 = load.1 [14]
  v7 = const 0xf
  v8 = and v6, v7
  v9 = const 2
  v10 = shl v8, v9
  jump b4
b4:
  v21 = phi [b3: v10], [b0: v20]
  v11 = load.2 [v21 + 14]
  v12 = const 7
  br eq v11, v12, b7, b5
b5:
  v13 = load.2 [v21 + 16]
  v14 = const 7
  br eq v13, v14, b7, b6
b6:
  ret v0
b7:
  v19 = const 0x40000
  ret v19
)"));
}

TEST(TailMerging, IgnoresThePhiInputsOfDetachedValues) {
  // A phi detached by an earlier pass (values are compacted only now and
  // then) may still name blocks that no longer exist: reordering the
  // blocks after a merge must leave it alone.
  ir::Function f = parse_ir(kPortSeven);
  ir::Inst stale;
  stale.op = ir::Op::Phi;
  stale.incoming = {{40, 0}, {41, 0}};
  f.values.push_back(stale);
  const size_t at = f.values.size() - 1;
  opt::PassCounters counters;
  ASSERT_TRUE(registered_pass(kPass)(f, counters));
  EXPECT_EQ(ir::verify(f), std::nullopt);
  EXPECT_TRUE(f.values[at].incoming.empty());
}

TEST(TailMerging, MergedPortTestCompilesShorterThanBothCopies) {
  ir::Function before = parse_ir(kPortSeven);
  ir::Function after = before;
  opt::PassCounters counters;
  ASSERT_TRUE(opt::find_pass(kPass)->run(after, counters));
  auto long_program = cbpf::generate(before);
  auto short_program = cbpf::generate(after);
  ASSERT_TRUE(long_program && short_program);
  // The IPv6 copy (two loads, two tests) becomes one `ldx #40`.
  EXPECT_EQ(short_program->size() + 3, long_program->size());
  for (const auto& p : probe_packets(64, 8)) {
    EXPECT_EQ(runtime::run_cbpf(*short_program, p, 1500), ir::interpret(before, p, 1500));
  }
}

TEST(TailMerging, DoesNotMergeTailsThatCompareWithOtherConstants) {
  std::string text = kPortSeven;
  text.replace(text.find("v18 = const 7"), 13, "v18 = const 8");
  text.replace(text.find("v16 = const 7"), 13, "v16 = const 8");
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
}

TEST(TailMerging, DoesNotMergeLoadsWhoseAddressesDifferInForm) {
  // [v + 14] against [w + 18]: no single phi gives both addresses.
  const char* text = R"(
b0:
  v0 = const 0
  v1 = load.1 [0]
  v2 = const 1
  br eq v1, v2, b1, b2
b1:
  v3 = load.1 [1]
  v4 = load.2 [v3 + 14]
  v5 = const 7
  br eq v4, v5, b4, b3
b2:
  v6 = load.1 [2]
  v7 = load.2 [v6 + 18]
  v8 = const 7
  br eq v7, v8, b4, b3
b3:
  ret v0
b4:
  v9 = const 1
  ret v9
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
}

TEST(TailMerging, MergesTailsIndexedByTwoDifferentValues) {
  const char* text = R"(
b0:
  v0 = const 0
  v1 = load.1 [0]
  v2 = const 1
  br eq v1, v2, b1, b3
b1:
  v3 = load.1 [1]
  v4 = load.2 [v3 + 4]
  v5 = const 9
  br gt v4, v5, b2, b5
b2:
  v6 = load.2 [v3 + 6]
  br eq v6, v5, b6, b5
b3:
  v7 = load.1 [2]
  v8 = load.2 [v7 + 4]
  v9 = const 9
  br gt v8, v9, b4, b5
b4:
  v10 = load.2 [v7 + 6]
  br eq v10, v9, b6, b5
b5:
  ret v0
b6:
  v11 = const 1
  ret v11
)";
  auto out = run_pass(kPass, text);
  EXPECT_TRUE(out.changed);
  EXPECT_NE(out.ir.find("phi"), std::string::npos);
}

TEST(TailMerging, FeedsAPhiAfterTheTailsFromTheMergedCode) {
  // Both tails reach b5, whose phi takes each tail's loaded value.
  const char* text = R"(
b0:
  v0 = const 0
  v1 = load.2 [12]
  v2 = const 0x86dd
  br eq v1, v2, b3, b1
b1:
  v3 = load.1 [14]
  v4 = const 0xf
  v5 = and v3, v4
  v6 = const 2
  v7 = shl v5, v6
  v8 = load.2 [v7 + 16]
  v9 = const 25
  br ge v8, v9, b2, b6
b2:
  jump b5
b3:
  v10 = load.2 [56]
  v11 = const 25
  br ge v10, v11, b4, b6
b4:
  jump b5
b5:
  v12 = phi [b2: v8], [b4: v10]
  v13 = const 53
  br gt v12, v13, b6, b7
b6:
  ret v0
b7:
  v14 = const 1
  ret v14
)";
  auto out = run_pass(kPass, text);
  EXPECT_TRUE(out.changed);
  // The phi of one value is gone: b5 reads the merged load directly.
  EXPECT_EQ(out.ir.find("phi [b"), out.ir.rfind("phi [b"));
}

TEST(TailMerging, LeavesAFunctionWithoutTwinsUnchanged) {
  const char* text = R"(
b0:
  v0 = load.1 [0]
  v1 = const 1
  br eq v0, v1, b1, b2
b1:
  ret v0
b2:
  v2 = const 0
  ret v2
)";
  auto out = run_pass(kPass, text);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.ir, normalized(text));
}

// ---- randomized -------------------------------------------------------------

// A function whose two paths run the same random tail, one with loads at
// [index + k] (the index computed on that path) and the other at absolute
// addresses base + k: the shape tail merging looks for. Sometimes the twin
// is spoiled (another constant, another offset) so that it must not merge,
// or only partly.
ir::Function random_twins(std::mt19937& rng) {
  ir::Function f;
  ir::Builder b(f);
  const uint32_t tail_blocks = 1 + rng() % 4;
  const uint32_t base = 2 + rng() % 24;
  const bool spoil = rng() % 4 == 0;
  struct Step {
    uint8_t size;
    uint32_t offset;
    ir::Cond cond;
    uint32_t constant;
    uint32_t on_true;  // index of a later step, or tail_blocks (+0 accept, +1 reject)
    uint32_t on_false;
  };
  std::vector<Step> steps(tail_blocks);
  static constexpr ir::Cond kConds[] = {ir::Cond::Eq, ir::Cond::Gt, ir::Cond::Ge, ir::Cond::Set};
  for (uint32_t i = 0; i < tail_blocks; ++i) {
    Step& s = steps[i];
    s.size = static_cast<uint8_t>(1u << (rng() % 3));
    s.offset = rng() % 24;
    s.cond = kConds[rng() % 4];
    s.constant = rng() % 3 == 0 ? 0xff : rng() % 4;
    auto target = [&] { return i + 1 + rng() % (tail_blocks + 1 - i); };
    s.on_true = target();
    s.on_false = target();
  }
  const ir::BlockId entry = b.new_block();
  const ir::BlockId indexed_start = b.new_block();
  const ir::BlockId absolute_start = b.new_block();
  std::vector<ir::BlockId> indexed(tail_blocks), absolute(tail_blocks);
  for (auto& id : indexed) id = b.new_block();
  for (auto& id : absolute) id = b.new_block();
  const ir::BlockId accept = b.new_block();
  const ir::BlockId reject = b.new_block();
  auto exit_block = [&](uint32_t target, const std::vector<ir::BlockId>& side) {
    if (target < tail_blocks) return side[target];
    return target == tail_blocks ? accept : reject;
  };
  b.set_block(entry);
  b.branch(ir::Cond::Eq, b.load_abs(1, 0), b.constant(rng() % 3), indexed_start, absolute_start);
  b.set_block(indexed_start);
  const ir::ValueId index = b.binary(ir::Op::Shl, b.binary(ir::Op::And, b.load_abs(1, 1), b.constant(0xf)), b.constant(2));
  b.jump(indexed[0]);
  b.set_block(absolute_start);
  b.jump(absolute[0]);
  for (int side = 0; side < 2; ++side) {
    const auto& blocks = side == 0 ? indexed : absolute;
    for (uint32_t i = 0; i < tail_blocks; ++i) {
      Step s = steps[i];
      if (side == 1 && spoil && i == tail_blocks - 1) s.constant += 1;
      b.set_block(blocks[i]);
      const ir::ValueId loaded = side == 0 ? b.load(s.size, index, s.offset) : b.load_abs(s.size, base + s.offset);
      b.branch(s.cond, loaded, b.constant(s.constant), exit_block(s.on_true, blocks), exit_block(s.on_false, blocks));
    }
  }
  b.set_block(accept);
  b.ret_const(1 + rng() % 2);
  b.set_block(reject);
  b.ret_const(0);
  ir::renumber_topologically(f);
  return f;
}

TEST(TailMerging, KeepsVerdictsOnRandomTwinTails) {
  std::mt19937 rng(4242);
  const auto packets = probe_packets(72, 10);
  int merged = 0;
  for (int i = 0; i < 400; ++i) {
    ir::Function f = random_twins(rng);
    ASSERT_FALSE(ir::verify(f).has_value()) << ir::print(f);
    ir::Function after = f;
    opt::PassCounters counters;
    const bool changed = opt::find_pass(kPass)->run(after, counters);
    merged += changed ? 1 : 0;
    if (auto problem = ir::verify(after)) FAIL() << *problem << "\n" << ir::print(after);
    auto program = cbpf::generate(after);
    ASSERT_TRUE(program) << ir::print(after);
    int reported = 0;
    for (const auto& p : packets) {
      for (uint32_t wirelen : {static_cast<uint32_t>(p.size()), 1500u}) {
        const uint32_t want = ir::interpret(f, p, wirelen);
        const uint32_t got = ir::interpret(after, p, wirelen);
        const uint32_t got_cbpf = runtime::run_cbpf(*program, p, wirelen);
        if ((want != got || want != got_cbpf) && reported++ == 0) {
          ADD_FAILURE() << "verdict changed on a " << p.size() << "-byte packet: " << want << " before, " << got
                        << " after (cBPF " << got_cbpf << ")\n"
                        << ir::print(f) << "--- after ---\n"
                        << ir::print(after);
        }
      }
    }
    if (reported) return;
  }
  // Most twins are worth merging; the generator is not testing anything otherwise.
  EXPECT_GT(merged, 200);
}

TEST(TailMerging, KeepsVerdictsOnRandomIr) { check_on_random_ir(registered_pass(kPass), 310, 1200); }

TEST(TailMerging, KeepsVerdictsOnLoweredFilters) { check_on_lowered_filters(registered_pass(kPass)); }

// cfg-simplify used to leave detached phis naming blocks that no longer
// exist, and tail merging renumbered them with the rest: an out-of-bounds
// read that crashed `bpfc compile 'protochain 1 or protochain 51'`. The whole
// -O2 pipeline must compile it and keep the lowered program's verdicts.
TEST(TailMerging, CompilesTheTwoProtocolChainsThatFollowedStaleBlockIds) {
  const std::string expr = "protochain 1 or protochain 51";
  CompileOptions options;
  options.opt_level = 2;
  auto optimized = compile_to_ir(expr, options);
  ASSERT_TRUE(optimized) << optimized.error().message;
  options.passes = std::vector<opt::Pass>{};
  auto lowered = compile_to_ir(expr, options);
  ASSERT_TRUE(lowered) << lowered.error().message;
  // IPv4 with protocol 1 or 51, IPv6 with an AH header before ICMP, and
  // their neighbours.
  std::vector<std::vector<uint8_t>> packets;
  for (uint8_t protocol : {1, 6, 51}) {
    std::vector<uint8_t> v4(14 + 20 + 16, 0);
    v4[12] = 0x08, v4[14] = 0x45, v4[14 + 9] = protocol;
    packets.push_back(v4);
    std::vector<uint8_t> v6(14 + 40 + 24, 0);
    v6[12] = 0x86, v6[13] = 0xdd, v6[14] = 0x60, v6[14 + 6] = 51, v6[14 + 40] = protocol, v6[14 + 41] = 1;
    packets.push_back(v6);
  }
  for (const auto& packet : packets) {
    for (size_t length = 0; length <= packet.size(); ++length) {
      std::span<const uint8_t> cut(packet.data(), length);
      EXPECT_EQ(ir::interpret(*optimized, cut, 1514), ir::interpret(*lowered, cut, 1514))
          << length << " bytes of " << packet.size();
    }
  }
}

TEST(TailMerging, IsIdempotent) {
  ir::Function f = parse_ir(kPortSeven);
  opt::PassCounters counters;
  ASSERT_TRUE(opt::find_pass(kPass)->run(f, counters));
  EXPECT_FALSE(opt::find_pass(kPass)->run(f, counters));
}

// The IPv4 and ARP tails of a host list load the source and destination at
// different offsets (26/30 against 28/38): merging them needs two index phis,
// and X holds one at a time, so both would be parked in scratch slots. That
// costs more than the shared tail saves, and libpcap's program (which shares
// only the destination chain) must stay no longer than bpfc's.
TEST(TailMerging, TwoIndexPhisAreNotWorthATailOfFourCompares) {
  const char* expr = "host 192.168.241.3 or host 192.168.244.2 or host 192.168.242.4 or host 192.168.243.1";
  CompileOptions options;
  Result<cbpf::Program> ours = compile_cbpf(expr, options);
  ASSERT_TRUE(ours.ok());
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  ASSERT_NE(dead, nullptr);
  bpf_program theirs{};
  ASSERT_EQ(pcap_compile(dead, &theirs, expr, 1, PCAP_NETMASK_UNKNOWN), 0) << pcap_geterr(dead);
  EXPECT_LE(ours->size(), theirs.bf_len);
  for (const cbpf::Insn& insn : *ours) {
    const uint16_t cls = cbpf::insn_class(insn.code);
    EXPECT_TRUE(cls != cbpf::ST && cls != cbpf::STX) << "a scratch store: an index phi was parked in M[]";
  }
  pcap_freecode(&theirs);
  pcap_close(dead);
}

}  // namespace
}  // namespace bpfc::opttest
