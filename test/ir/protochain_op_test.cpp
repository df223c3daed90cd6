// ir::Op::Protochain: the walk's semantics in the reference interpreter,
// rule by rule (ir.h, "The protochain walk"), its textual form and the
// verifier's checks.
#include <gtest/gtest.h>

#include <vector>

#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"

namespace bpfc::ir {
namespace {

using Bytes = std::vector<uint8_t>;

// ret (protochain.ipV P[nh_at], off [base] stop S): the walk's result.
uint32_t walk(uint8_t version, uint32_t nh_at, uint32_t off, uint32_t base, uint32_t stop, const Bytes& packet) {
  Function f;
  Builder b(f);
  b.set_block(b.new_block());
  ValueId nh = b.load_abs(1, nh_at);
  b.ret(b.protochain(version, nh, b.constant(off), base, stop));
  EXPECT_EQ(verify(f), std::nullopt);
  return interpret(f, packet, 1000);
}

// An IPv6-like chain at `base` + 8: the next-header field at packet[0],
// then headers of (length byte + 1) * 8 bytes, each starting with the next
// header's value.
Bytes chain(const std::vector<std::pair<uint8_t, uint8_t>>& headers, uint8_t first, size_t tail = 8) {
  Bytes p(8, 0);
  p[0] = first;
  for (auto [next, length] : headers) {
    Bytes h((length + 1u) * 8, 0xee);
    h[0] = next;
    h[1] = length;
    p.insert(p.end(), h.begin(), h.end());
  }
  p.resize(p.size() + tail, 0);
  return p;
}

TEST(ProtochainOp, StopsAtTheProtocolLookedFor) {
  // hop-by-hop -> routing -> fragment -> destination options -> TCP
  Bytes p = chain({{43, 0}, {44, 1}, {60, 0}, {6, 2}}, 0);
  EXPECT_EQ(walk(6, 0, 8, 0, 6, p), 6u);
  // Looking for UDP: the walk stops at TCP, which it does not step over.
  EXPECT_EQ(walk(6, 0, 8, 0, 17, p), 6u);
  // Looking for an extension header: it stops there.
  EXPECT_EQ(walk(6, 0, 8, 0, 44, p), 44u);
  // The first value already is it: no byte of the chain is read.
  EXPECT_EQ(walk(6, 0, 8, 0, 0, Bytes{0}), 0u);
}

TEST(ProtochainOp, NoNextHeaderEndsTheWalk) {
  Bytes p = chain({{59, 0}, {6, 0}}, 0);
  EXPECT_EQ(walk(6, 0, 8, 0, 6, p), 59u);
}

TEST(ProtochainOp, ExtensionHeadersAdvanceByTheirLength) {
  // A first header of length 3 (32 bytes): the second is at 8 + 32.
  Bytes p = chain({{60, 3}, {17, 0}}, 0);
  ASSERT_EQ(p[40], 17);
  EXPECT_EQ(walk(6, 0, 8, 0, 17, p), 17u);
  p[40] = 99;
  EXPECT_EQ(walk(6, 0, 8, 0, 17, p), 99u);
}

TEST(ProtochainOp, TheBaseOffsetsEveryRead) {
  Bytes p = chain({{6, 0}}, 43);
  Bytes shifted(14, 0xaa);
  shifted.insert(shifted.end(), p.begin(), p.end());
  EXPECT_EQ(walk(6, 14, 8, 14, 6, shifted), 6u);
}

TEST(ProtochainOp, AhSetsTheOffsetFromTheBase) {
  // AH at 8 with length 1: the next header is at (1 + 2) * 4 = 12 from the
  // base, not 8 + 12 (libpcap's walk does not add the old offset).
  Bytes p(32, 0);
  p[0] = 51;
  p[8] = 43;   // AH: next header routing
  p[9] = 1;    // AH length
  p[12] = 17;  // routing: next header UDP
  p[13] = 0;
  EXPECT_EQ(walk(6, 0, 8, 0, 17, p), 17u);
  EXPECT_EQ(walk(4, 0, 8, 0, 17, p), 43u);  // IPv4 walks do not step over routing headers
  EXPECT_EQ(walk(4, 0, 8, 0, 43, p), 43u);
}

TEST(ProtochainOp, Ipv4WalksFollowAhOnly) {
  Bytes p = chain({{6, 0}}, 0);
  EXPECT_EQ(walk(4, 0, 8, 0, 6, p), 0u);   // hop-by-hop is not stepped over: the result is 0
  EXPECT_EQ(walk(4, 0, 8, 0, 17, p), 0u);  // (and 0 is what it returned)
  p[0] = 51;
  p[8] = 6;
  p[9] = 2;  // AH announcing TCP
  EXPECT_EQ(walk(4, 0, 8, 0, 6, p), 6u);
}

TEST(ProtochainOp, AReadPastTheCapturedBytesEndsTheFilter) {
  Bytes p = chain({{43, 0}, {6, 0}}, 0, 0);
  EXPECT_EQ(walk(6, 0, 8, 0, 6, p), 6u);
  // Cut inside the second header: its two bytes are read, then 6 is found.
  Bytes two(p.begin(), p.begin() + 18);
  EXPECT_EQ(walk(6, 0, 8, 0, 6, two), 6u);
  // Cut after the first header's next-header byte: its length byte is missing.
  Bytes one(p.begin(), p.begin() + 9);
  EXPECT_EQ(walk(6, 0, 8, 0, 6, one), 0u);
  Bytes none(p.begin(), p.begin() + 16);
  EXPECT_EQ(walk(6, 0, 8, 0, 6, none), 0u);
  // A base past 4 GiB minus the offset does not wrap around to the start.
  EXPECT_EQ(walk(6, 0, 8, 0xfffffffc, 6, p), 0u);
}

TEST(ProtochainOp, AnEndlessWalkEndsTheFilter) {
  // AH at 8 whose length points back at itself: (0 + 2) * 4 = 8.
  Bytes p(16, 0);
  p[0] = 51;
  p[8] = 51;
  p[9] = 0;
  EXPECT_EQ(walk(6, 0, 8, 0, 6, p), 0u);
  EXPECT_EQ(walk(4, 0, 8, 0, 6, p), 0u);
  // Two AH headers leading to each other, through an extension header.
  Bytes q(40, 0);
  q[0] = 51;
  q[8] = 0;    // AH -> hop-by-hop at (1 + 2) * 4 = 12
  q[9] = 1;
  q[12] = 51;  // hop-by-hop -> AH at 12 + 8 = 20
  q[13] = 0;
  q[20] = 0;   // AH -> hop-by-hop at 12 again
  q[21] = 1;
  EXPECT_EQ(walk(6, 0, 8, 0, 6, q), 0u);
  // Found before the loop closes: the walk's result.
  q[12] = 6;
  EXPECT_EQ(walk(6, 0, 8, 0, 6, q), 6u);
}

TEST(ProtochainOp, LongWalksEndLikeShortOnes) {
  // 300 extension headers of 8 bytes, then TCP: far beyond any bound the
  // unrolled form has.
  std::vector<std::pair<uint8_t, uint8_t>> headers(300, {60, 0});
  headers.back() = {6, 0};
  Bytes p = chain(headers, 0);
  EXPECT_EQ(walk(6, 0, 8, 0, 6, p), 6u);
  p.resize(p.size() - 16);  // the last header cut off
  EXPECT_EQ(walk(6, 0, 8, 0, 6, p), 0u);
}

TEST(ProtochainOp, PrintsAndParses) {
  const char* text =
      "b0:\n"
      "  v0 = load.1 [20]\n"
      "  v1 = const 0x28\n"
      "  v2 = protochain.ip6 v0, v1 [14] stop 6\n"
      "  ret v2\n";
  auto f = parse(text);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(print(*f), text);
  EXPECT_EQ(verify(*f), std::nullopt);
  const Inst& w = f->values[2];
  EXPECT_EQ(w.op, Op::Protochain);
  EXPECT_EQ(w.size, 6);
  EXPECT_EQ(w.imm, 14u);
  EXPECT_EQ(w.stop, 6u);
  EXPECT_EQ(w.a, 0u);
  EXPECT_EQ(w.b, 1u);

  auto bad = parse("b0:\n  v0 = len\n  v1 = protochain.ip6 v0, v0 14 stop 6\n  ret v1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "line 3: expected '['");
}

TEST(ProtochainOp, TheVerifierChecksVersionAndOperands) {
  auto verify_text = [](const char* text) -> std::optional<std::string> {
    auto f = parse(text);
    if (!f) return "parse error: " + f.error().message;
    return verify(*f);
  };
  EXPECT_EQ(verify_text("b0:\n  v0 = len\n  v1 = protochain.ip5 v0, v0 [0] stop 6\n  ret v1\n"),
            std::optional<std::string>("v1: protochain IP version 5 is not 4 or 6"));
  EXPECT_EQ(verify_text("b0:\n  v0 = len\n  v1 = protochain.ip4 v0, _ [0] stop 6\n  ret v1\n"),
            std::optional<std::string>("v1: missing operand"));
  EXPECT_EQ(verify_text("b0:\n  v0 = len\n  v1 = protochain.ip4 v2, v0 [0] stop 6\n  v2 = len\n  ret v1\n"),
            std::optional<std::string>("v1: operand v2 does not dominate its use"));
}

TEST(ProtochainOp, SameOperationComparesEveryImmediate) {
  Inst a;
  a.op = Op::Protochain;
  a.size = 6;
  a.imm = 14;
  a.stop = 6;
  Inst b = a;
  EXPECT_TRUE(same_operation(a, b));
  b.stop = 17;
  EXPECT_FALSE(same_operation(a, b));
  b = a;
  b.size = 4;
  EXPECT_FALSE(same_operation(a, b));
  b = a;
  b.imm = 18;
  EXPECT_FALSE(same_operation(a, b));
}

}  // namespace
}  // namespace bpfc::ir
