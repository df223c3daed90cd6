// opt::unroll_protochain, the bounded walk for targets without loops: with a
// bound no walk that ends can reach (2 * caplen steps) it changes no verdict;
// with a smaller one it rejects exactly the packets whose walk needs more
// steps, and says so in its description.
#include <gtest/gtest.h>

#include <random>

#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/legalize.h"
#include "bpfc/optimizer/pass_manager.h"
#include "random_ir.h"

namespace bpfc::opttest {
namespace {

using Bytes = std::vector<uint8_t>;

size_t count_walks(const ir::Function& f) {
  size_t n = 0;
  for (const ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) n += f.values[v].op == ir::Op::Protochain;
  }
  return n;
}

TEST(ProtochainUnrolling, AnUnreachableBoundChangesNoVerdict) {
  constexpr uint32_t kMaxPacket = 28;
  std::mt19937 rng(17);
  int with_walks = 0;
  for (int i = 0; i < 500; ++i) {
    testing::RandomIrShape shape;
    shape.max_offset = 24;
    ir::Function f = testing::random_function(rng, shape);
    const size_t walks = count_walks(f);
    if (walks == 0) continue;
    ++with_walks;
    ir::Function unrolled = f;
    const opt::ProtochainUnrolling report = opt::unroll_protochain(unrolled, 2 * kMaxPacket + 1);
    ASSERT_EQ(report.ipv4_walks + report.ipv6_walks, walks);
    ASSERT_EQ(ir::verify(unrolled), std::nullopt) << ir::print(f);
    ASSERT_EQ(count_walks(unrolled), 0u);
    // And the optimizer's passes keep it so.
    ir::Function optimized = unrolled;
    opt::OptimizeOptions options;
    options.verify_each = true;
    ASSERT_TRUE(opt::optimize(optimized, options).ok());
    for (int j = 0; j < 40; ++j) {
      Bytes packet = testing::random_packet(rng, kMaxPacket);
      const uint32_t want = ir::interpret(f, packet, 1000);
      ASSERT_EQ(ir::interpret(unrolled, packet, 1000), want) << ir::print(f);
      ASSERT_EQ(ir::interpret(optimized, packet, 1000), want) << ir::print(f);
    }
  }
  EXPECT_GT(with_walks, 80);
}

// `ret 1` when an IPv6 walk from packet[6], 40 bytes in, finds TCP; `ret 2`
// when it does not.
const char* kWalkThenBranch =
    "b0:\n"
    "  v0 = load.1 [6]\n"
    "  v1 = const 40\n"
    "  v2 = protochain.ip6 v0, v1 [0] stop 6\n"
    "  v3 = const 6\n"
    "  br eq v2, v3, b1, b2\n"
    "b1:\n"
    "  v4 = const 1\n"
    "  ret v4\n"
    "b2:\n"
    "  v5 = const 2\n"
    "  ret v5\n";

// An IPv6 header whose chain has `count` destination options headers, then TCP.
Bytes chain_of(uint32_t count) {
  Bytes p(40, 0);
  p[6] = count == 0 ? 6 : 60;
  for (uint32_t i = 0; i < count; ++i) {
    Bytes h(8, 0);
    h[0] = i + 1 == count ? 6 : 60;
    p.insert(p.end(), h.begin(), h.end());
  }
  p.resize(p.size() + 20, 0);
  return p;
}

TEST(ProtochainUnrolling, RejectsChainsLongerThanItsBound) {
  auto f = ir::parse(kWalkThenBranch);
  ASSERT_TRUE(f.ok()) << f.error().message;
  for (uint32_t depth : {1u, 2u, 5u, 16u}) {
    ir::Function unrolled = *f;
    const opt::ProtochainUnrolling report = opt::unroll_protochain(unrolled, depth);
    EXPECT_EQ(report.ipv6_walks, 1u);
    EXPECT_EQ(report.depth, depth);
    ASSERT_EQ(ir::verify(unrolled), std::nullopt);
    for (uint32_t count = 0; count <= depth + 3; ++count) {
      const Bytes p = chain_of(count);
      EXPECT_EQ(ir::interpret(*f, p, 1000), 1u) << count;
      // Up to the bound, the walk's verdict; beyond it, the packet is
      // rejected even where the filter would have said "not found" (2).
      EXPECT_EQ(ir::interpret(unrolled, p, 1000), count <= depth ? 1u : 0u) << count << " headers, depth " << depth;
      Bytes udp = p;
      udp[count == 0 ? 6 : 40 + 8 * (count - 1)] = 17;
      EXPECT_EQ(ir::interpret(*f, udp, 1000), 2u) << count;
      EXPECT_EQ(ir::interpret(unrolled, udp, 1000), count <= depth ? 2u : 0u) << count << " headers, depth " << depth;
    }
  }
}

TEST(ProtochainUnrolling, NewBlocksComeRightAfterTheWalk) {
  auto f = ir::parse(kWalkThenBranch);
  ASSERT_TRUE(f.ok());
  opt::unroll_protochain(*f, 3);
  ASSERT_EQ(ir::verify(*f), std::nullopt);
  // The branch on the walk's result is now in the last block before the
  // former b1 and b2, which stay last.
  const size_t n = f->blocks.size();
  EXPECT_EQ(f->blocks[n - 3].term.kind, ir::TermKind::Branch);
  EXPECT_EQ(f->blocks[n - 3].term.on_true, n - 2);
  EXPECT_EQ(f->blocks[n - 3].term.on_false, n - 1);
}

TEST(ProtochainUnrolling, SaysWhatItRejects) {
  opt::ProtochainUnrolling none;
  EXPECT_EQ(opt::describe(none), "");
  opt::ProtochainUnrolling v6{0, 2, 64};
  EXPECT_EQ(opt::describe(v6),
            "protochain follows at most 64 IPv6 extension headers; a packet with more before the protocol "
            "looked for is rejected, where libpcap follows any number");
  opt::ProtochainUnrolling v4{1, 0, 8};
  EXPECT_EQ(opt::describe(v4),
            "protochain follows at most 8 AH headers; a packet with more before the protocol looked for is "
            "rejected, where libpcap follows any number");
  opt::ProtochainUnrolling both{1, 1, 64};
  EXPECT_EQ(opt::describe(both),
            "protochain follows at most 64 headers (IPv6 extension headers, or AH headers after IPv4); a packet "
            "with more before the protocol looked for is rejected, where libpcap follows any number");
}

}  // namespace
}  // namespace bpfc::opttest
