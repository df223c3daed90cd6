// Set lowering (optimizer/src/set_lowering.cpp): chains of `br eq V, const`
// with one common match target become a binary search. Checked on IR text
// (shapes: a chain through a phi, shared tails, both polarities, masked
// values, duplicate keys, short chains), on a 100 000-key chain built with
// ir::Builder, and end to end against libpcap's bpf_filter() verdicts.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../../optimizer/src/passes.h"
#include "bpfc/cbpf/codegen.h"
#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/ir.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/pass_manager.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/driver/compile.h"
#include "../support/sanitized_share.h"

namespace bpfc::opt {
namespace {

using Bytes = std::vector<uint8_t>;

// The shortest chain the pass lowers (kMinChainLength in set_lowering.cpp).
constexpr size_t kThreshold = 8;

// ---- writing IR text ----

// Hands out value numbers for IR text written piece by piece.
class IrText {
 public:
  std::string value() { return "v" + std::to_string(next_value_++); }
  static std::string block(uint32_t b) { return "b" + std::to_string(b); }

  std::string text;
  void line(const std::string& s) { text += s + "\n"; }

  // Blocks first_block, first_block+1, ...: each compares `subject` with one
  // key, sends a match to `match`, and goes on; the last goes to `exit`.
  // `prologue` is written at the top of every block (a reload, a mask).
  // Returns the next free block number.
  uint32_t eq_chain(uint32_t first_block, const std::vector<uint32_t>& keys, uint32_t match, uint32_t exit,
                    const std::function<std::string(IrText&)>& subject) {
    for (size_t i = 0; i < keys.size(); ++i) {
      uint32_t b = first_block + static_cast<uint32_t>(i);
      line(block(b) + ":");
      std::string v = subject(*this);
      std::string k = value();
      line("  " + k + " = const " + hex(keys[i]));
      uint32_t next = i + 1 == keys.size() ? exit : b + 1;
      line("  br eq " + v + ", " + k + ", " + block(match) + ", " + block(next));
    }
    return first_block + static_cast<uint32_t>(keys.size());
  }

  void returns(uint32_t b, uint32_t k) {
    line(block(b) + ":");
    std::string v = value();
    line("  " + v + " = const " + hex(k));
    line("  ret " + v);
  }

  static std::string hex(uint32_t k) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", k);
    return buf;
  }

 private:
  uint32_t next_value_ = 0;
};

ir::Function parse_ir(const std::string& text) {
  auto parsed = ir::parse(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message) << "\n" << text;
  if (!parsed.ok()) return {};
  auto problem = ir::verify(*parsed);
  EXPECT_FALSE(problem.has_value()) << *problem << "\n" << text;
  return std::move(*parsed);
}

std::vector<uint32_t> keys_from(uint32_t first, size_t n, uint32_t step) {
  std::vector<uint32_t> keys;
  for (size_t i = 0; i < n; ++i) keys.push_back(first + static_cast<uint32_t>(i) * step);
  return keys;
}

// `portrange a-b or portrange c-d ...` over the value `load`: each range is
// two blocks, `ge V, lo` then `gt V, hi`; the next range is entered from
// both. A match returns 7, the rest 0.
ir::Function range_chain(const std::vector<std::pair<uint32_t, uint32_t>>& ranges, const std::string& load) {
  IrText t;
  t.line("b0:");
  std::string v = t.value();
  t.line("  " + v + " = " + load);
  t.line("  jump b1");
  const uint32_t exit = 1 + 2 * static_cast<uint32_t>(ranges.size()), match = exit + 1;
  for (size_t i = 0; i < ranges.size(); ++i) {
    uint32_t b = 1 + 2 * static_cast<uint32_t>(i);
    uint32_t next = i + 1 == ranges.size() ? exit : b + 2;
    std::string lo = t.value(), hi = t.value();
    t.line(IrText::block(b) + ":");
    t.line("  " + lo + " = const " + IrText::hex(ranges[i].first));
    t.line("  br ge " + v + ", " + lo + ", b" + std::to_string(b + 1) + ", b" + std::to_string(next));
    t.line(IrText::block(b + 1) + ":");
    t.line("  " + hi + " = const " + IrText::hex(ranges[i].second));
    t.line("  br gt " + v + ", " + hi + ", b" + std::to_string(next) + ", b" + std::to_string(match));
  }
  t.returns(exit, 0);
  t.returns(match, 7);
  return parse_ir(t.text);
}

// ---- what a function looks like ----

size_t count_branches(const ir::Function& f) {
  return static_cast<size_t>(std::count_if(f.blocks.begin(), f.blocks.end(), [](const ir::Block& b) {
    return b.term.kind == ir::TermKind::Branch;
  }));
}

// The most branches any path from the entry executes.
size_t longest_branch_path(const ir::Function& f) {
  std::vector<size_t> depth(f.blocks.size(), 0);
  size_t longest = 0;
  for (ir::BlockId b = 0; b < f.blocks.size(); ++b) {
    size_t here = depth[b] + (f.blocks[b].term.kind == ir::TermKind::Branch ? 1 : 0);
    longest = std::max(longest, here);
    for (ir::BlockId s : ir::successors(f.blocks[b])) depth[s] = std::max(depth[s], here);
  }
  return longest;
}

struct Lowered {
  ir::Function before;
  ir::Function after;
  bool changed = false;
  PassCounters counters;
};

Lowered lower(const ir::Function& f) {
  Lowered out{f, f, false, {}};
  out.changed = lower_sets(out.after, out.counters);
  auto problem = ir::verify(out.after);
  EXPECT_FALSE(problem.has_value()) << *problem << "\n" << ir::print(out.after);
  return out;
}

uint64_t counter(const PassCounters& counters, std::string_view name) {
  for (const auto& [what, n] : counters.entries()) {
    if (what == name) return n;
  }
  return 0;
}

// ---- packets for IR-level checks ----

// Packets whose 32-bit words at `offsets` take each key, its neighbours and
// random values, plus every truncation of a few of them.
std::vector<Bytes> packets_near(const std::vector<uint32_t>& keys, const std::vector<uint32_t>& offsets,
                                size_t length, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> values{0, 1, UINT32_MAX, UINT32_MAX - 1};
  for (uint32_t k : keys) {
    values.push_back(k - 1);
    values.push_back(k);
    values.push_back(k + 1);
    values.push_back(k ^ 0xff);
  }
  for (int i = 0; i < 32; ++i) values.push_back(rng());
  auto put = [](Bytes& p, uint32_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[off + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  };
  std::vector<Bytes> packets;
  for (uint32_t v : values) {
    for (size_t which = 0; which < offsets.size(); ++which) {
      Bytes p(length);
      for (auto& byte : p) byte = static_cast<uint8_t>(rng());
      for (uint32_t off : offsets) put(p, off, values[rng() % values.size()]);
      put(p, offsets[which], v);
      // The selector byte of the two-field shapes takes both values.
      p[0] = static_cast<uint8_t>(rng() % 2);
      packets.push_back(p);
    }
  }
  const size_t full = packets.size();
  for (size_t i = 0; i < full; i += 7) {
    for (size_t len = 0; len < length; ++len) packets.emplace_back(packets[i].begin(), packets[i].begin() + len);
  }
  return packets;
}

void expect_same_verdicts(const Lowered& l, const std::vector<Bytes>& packets) {
  size_t differences = 0;
  for (const Bytes& p : packets) {
    uint32_t want = ir::interpret(l.before, p, static_cast<uint32_t>(p.size()));
    uint32_t got = ir::interpret(l.after, p, static_cast<uint32_t>(p.size()));
    if (want != got && ++differences <= 5) {
      ADD_FAILURE() << "verdict " << got << " instead of " << want << " on a " << p.size() << "-byte packet";
    }
  }
  EXPECT_EQ(differences, 0u);
}

// ---- IR text cases ----

// b0 picks one of two loads; both compare once and meet in a phi, and the
// rest of the list compares the phi: along b1->b3 the phi is v(load [4]),
// along b2->b3 it is v(load [8]). The tail is shared by both heads and is
// lowered once, as a chain of its own that starts at the join.
TEST(SetLowering, ChainThroughPhiAndSharedTail) {
  IrText t;
  std::vector<uint32_t> keys = keys_from(0x0a000001, 24, 3);
  t.line("b0:");
  std::string sel = t.value(), one = t.value();
  t.line("  " + sel + " = load.1 [0]");
  t.line("  " + one + " = const 0x1");
  t.line("  br eq " + sel + ", " + one + ", b1, b2");
  std::string a = t.value(), b = t.value();
  t.line("b1:");
  t.line("  " + a + " = load.4 [4]");
  std::string k1 = t.value();
  t.line("  " + k1 + " = const " + IrText::hex(keys[0]));
  // The tail: b3..b25, then the exits b26 (no match) and b27 (match).
  t.line("  br eq " + a + ", " + k1 + ", b27, b3");
  t.line("b2:");
  t.line("  " + b + " = load.4 [8]");
  std::string k2 = t.value();
  t.line("  " + k2 + " = const " + IrText::hex(keys[0]));
  t.line("  br eq " + b + ", " + k2 + ", b27, b3");
  std::string phi = t.value();
  bool first = true;
  std::vector<uint32_t> tail(keys.begin() + 1, keys.end());
  uint32_t next = t.eq_chain(3, tail, 27, 26, [&](IrText& text) {
    if (first) text.line("  " + phi + " = phi [b1: " + a + "], [b2: " + b + "]");
    first = false;
    return phi;
  });
  ASSERT_EQ(next, 26u);
  t.returns(26, 0);
  t.returns(27, 0x40000);
  ir::Function f = parse_ir(t.text);

  Lowered l = lower(f);
  EXPECT_TRUE(l.changed);
  EXPECT_EQ(counter(l.counters, "chains lowered"), 1u);
  EXPECT_EQ(counter(l.counters, "chain compares replaced"), tail.size());
  // The phi is compared by the tree, so it stays.
  EXPECT_NE(ir::print(l.after).find("phi"), std::string::npos);
  EXPECT_LE(longest_branch_path(l.after), 1 + 1 + std::ceil(std::log2(tail.size())) + 1);
  expect_same_verdicts(l, packets_near(keys, {4, 8}, 12, 1));
}

// Two heads with long chains of their own that meet in a long shared tail:
// three trees, the heads' ones exiting to the tail's.
TEST(SetLowering, LongPrefixesAndSharedTail) {
  IrText t;
  std::vector<uint32_t> left = keys_from(100, 20, 2), right = keys_from(1000, 20, 5), tail = keys_from(5000, 30, 1);
  t.line("b0:");
  std::string sel = t.value(), one = t.value(), v = t.value();
  t.line("  " + sel + " = load.1 [0]");
  t.line("  " + v + " = load.4 [4]");
  t.line("  " + one + " = const 0x1");
  t.line("  br eq " + sel + ", " + one + ", b1, b21");
  auto subject = [&](IrText&) { return v; };
  uint32_t next = t.eq_chain(1, left, 72, 41, subject);
  next = t.eq_chain(next, right, 72, 41, subject);
  next = t.eq_chain(next, tail, 72, 71, subject);
  ASSERT_EQ(next, 71u);
  t.returns(71, 0);
  t.returns(72, 1);
  ir::Function f = parse_ir(t.text);

  Lowered l = lower(f);
  EXPECT_TRUE(l.changed);
  EXPECT_EQ(counter(l.counters, "chains lowered"), 3u);
  // 30 consecutive keys are one interval: two compares at most.
  EXPECT_LE(longest_branch_path(l.after), 1 + 2 * (std::ceil(std::log2(20)) + 1) + 2);
  std::vector<uint32_t> all = left;
  all.insert(all.end(), right.begin(), right.end());
  all.insert(all.end(), tail.begin(), tail.end());
  expect_same_verdicts(l, packets_near(all, {4}, 8, 2));
}

// `not host a and not host b and ...`: every match rejects, the chain's end
// accepts. The same shape with the returns swapped.
TEST(SetLowering, ConjunctionOfNegations) {
  IrText t;
  std::vector<uint32_t> keys = keys_from(0xc0a80001, 40, 7);
  t.line("b0:");
  std::string v = t.value();
  t.line("  " + v + " = load.4 [0]");
  std::string k = t.value();
  t.line("  " + k + " = const 0x1");
  t.line("  br gt " + v + ", " + k + ", b1, b42");
  uint32_t next = t.eq_chain(1, keys, 41, 42, [&](IrText&) { return v; });
  ASSERT_EQ(next, 41u);
  t.returns(41, 0);       // a listed host: rejected
  t.returns(42, 0xffff);  // everything else: accepted
  Lowered l = lower(parse_ir(t.text));
  EXPECT_TRUE(l.changed);
  EXPECT_EQ(counter(l.counters, "chains lowered"), 1u);
  EXPECT_LE(longest_branch_path(l.after), 1 + std::ceil(std::log2(keys.size())) + 1);
  expect_same_verdicts(l, packets_near(keys, {0}, 4, 3));
}

// `net a/m or net b/m ...`: each block reloads the word and masks it. The
// reloads are structurally the head's load, so the blocks go; mixed prefix
// lengths are intervals of the unmasked word.
TEST(SetLowering, MaskedPrefixesWithReloads) {
  IrText t;
  std::vector<uint32_t> nets;
  std::vector<uint32_t> masks;
  for (uint32_t i = 0; i < 20; ++i) {
    bool wide = i % 3 == 0;
    masks.push_back(wide ? 0xffff0000 : 0xffffff00);
    nets.push_back(wide ? (0x0a000000 | (i << 16)) : (0x0b000000 | (i << 8)));
  }
  size_t i = 0;
  t.eq_chain(0, nets, 21, 20, [&](IrText& text) {
    std::string word = text.value(), mask = text.value(), masked = text.value();
    text.line("  " + word + " = load.4 [4]");
    text.line("  " + mask + " = const " + IrText::hex(masks[i++]));
    text.line("  " + masked + " = and " + word + ", " + mask);
    return masked;
  });
  t.returns(20, 0);
  t.returns(21, 0x40000);
  Lowered l = lower(parse_ir(t.text));
  EXPECT_TRUE(l.changed);
  EXPECT_EQ(counter(l.counters, "chain compares replaced"), nets.size());
  // One load survives: the head's.
  std::string text = ir::print(l.after);
  size_t loads = 0;
  for (size_t at = text.find("load"); at != std::string::npos; at = text.find("load", at + 1)) ++loads;
  EXPECT_EQ(loads, 1u) << text;
  std::vector<uint32_t> probes;
  for (size_t n = 0; n < nets.size(); ++n) {
    probes.push_back(nets[n]);
    probes.push_back(nets[n] | ~masks[n]);
  }
  expect_same_verdicts(l, packets_near(probes, {4}, 8, 4));
}

// A mask that is not a prefix: the chain is over the masked value itself.
// `net a/24 or net b/24 ...`: prefixes of one length are searched as the
// prefix itself (value >> 8), where each key is one value, so the tree
// makes one compare per key in its leaves instead of a range's two.
// Prefixes 3 apart never merge; two adjacent ones do, as adjacent prefixes.
TEST(SetLowering, PrefixesOfOneLengthSearchThePrefix) {
  std::vector<uint32_t> nets;
  for (uint32_t i = 0; i < 40; ++i) nets.push_back(0x0a000000 | (3 * i) << 8);
  nets.push_back(0x0a000100);  // adjacent to the first
  auto chain = [&](uint32_t mask) {
    IrText t;
    t.eq_chain(0, nets, static_cast<uint32_t>(nets.size()) + 1, static_cast<uint32_t>(nets.size()),
               [&](IrText& text) {
                 std::string word = text.value(), m = text.value(), masked = text.value();
                 text.line("  " + word + " = load.4 [4]");
                 text.line("  " + m + " = const " + IrText::hex(mask));
                 text.line("  " + masked + " = and " + word + ", " + m);
                 return masked;
               });
    t.returns(static_cast<uint32_t>(nets.size()), 0);
    t.returns(static_cast<uint32_t>(nets.size()) + 1, 0x40000);
    return parse_ir(t.text);
  };
  Lowered l = lower(chain(0xffffff00));
  EXPECT_EQ(counter(l.counters, "prefix trees"), 1u);
  EXPECT_NE(ir::print(l.after).find("shr"), std::string::npos) << ir::print(l.after);
  // 40 keys after merging (the adjacent pair is one range): 19 splits, 39
  // eq compares and the range's two. Over the unshifted value each key
  // would be a range of two compares.
  EXPECT_EQ(count_branches(l.after), 19u + 39u + 2u) << ir::print(l.after);
  std::vector<uint32_t> probes;
  for (uint32_t n : nets) {
    probes.push_back(n);
    probes.push_back(n | 0xff);
  }
  expect_same_verdicts(l, packets_near(probes, {4}, 8, 5));

  // /31 prefixes (one host bit) are prefixes too.
  Lowered narrow = lower(chain(0xfffffffe));
  EXPECT_EQ(counter(narrow.counters, "prefix trees"), 1u);
  expect_same_verdicts(narrow, packets_near(probes, {4}, 8, 7));

  // The same keys as /32 hosts, and with a mask that keeps the low byte:
  // no shift.
  for (uint32_t mask : {0xffffffffu, 0xffff00ffu}) {
    Lowered m = lower(chain(mask));
    EXPECT_EQ(counter(m.counters, "prefix trees"), 0u) << std::hex << mask;
    expect_same_verdicts(m, packets_near(probes, {4}, 8, 6));
  }
}

TEST(SetLowering, NonPrefixMaskIsTheComparedValue) {
  IrText t;
  std::vector<uint32_t> keys = keys_from(0x01000100, 18, 0x00010001);
  for (auto& k : keys) k &= 0x0f0f0f0f;
  t.eq_chain(0, keys, 19, 18, [&](IrText& text) {
    std::string word = text.value(), mask = text.value(), masked = text.value();
    text.line("  " + word + " = load.4 [0]");
    text.line("  " + mask + " = const 0xf0f0f0f");
    text.line("  " + masked + " = and " + mask + ", " + word);  // operands either way round
    return masked;
  });
  t.returns(18, 0);
  t.returns(19, 1);
  Lowered l = lower(parse_ir(t.text));
  EXPECT_TRUE(l.changed);
  expect_same_verdicts(l, packets_near(keys, {0}, 4, 5));
}

// Repeated keys are tested once; consecutive ones merge into a range test.
TEST(SetLowering, DuplicateAndAdjacentKeys) {
  IrText t;
  std::vector<uint32_t> keys;
  for (uint32_t k : {80, 443, 80, 22, 443, 8080, 22, 21, 20, 80, 25, 53, 53, 110, 143, 993, 995, 80}) keys.push_back(k);
  std::string v;
  t.line("b0:");
  v = t.value();
  t.line("  " + v + " = load.4 [0]");
  t.line("  jump b1");
  t.eq_chain(1, keys, 20, 19, [&](IrText&) { return v; });
  t.returns(19, 0);
  t.returns(20, 1);
  Lowered l = lower(parse_ir(t.text));
  EXPECT_TRUE(l.changed);
  // Distinct keys: 20-22 (a range), 25, 53, 80, 110, 143, 443, 993, 995, 8080.
  EXPECT_LE(count_branches(l.after), 10u * 3 / 2 + 2);
  expect_same_verdicts(l, packets_near(keys, {0}, 4, 6));
}

// Below the threshold nothing changes: a short chain is smaller than a tree.
TEST(SetLowering, ShortChainUntouched) {
  const std::string text =
      "b0:\n"
      "  v0 = load.4 [26]\n"
      "  v1 = const 0xa000001\n"
      "  br eq v0, v1, b3, b1\n"
      "b1:\n"
      "  v2 = const 0xa000005\n"
      "  br eq v0, v2, b3, b2\n"
      "b2:\n"
      "  v3 = const 0xa000009\n"
      "  br eq v0, v3, b3, b4\n"
      "b3:\n"
      "  v4 = const 0x40000\n"
      "  ret v4\n"
      "b4:\n"
      "  v5 = const 0x0\n"
      "  ret v5\n";
  ir::Function f = parse_ir(text);
  Lowered l = lower(f);
  EXPECT_FALSE(l.changed);
  EXPECT_TRUE(l.counters.empty());
  EXPECT_EQ(ir::print(l.after), ir::print(f));

  // One key short of the threshold: still untouched; at the threshold: lowered.
  for (size_t n : {kThreshold - 1, kThreshold}) {
    IrText t;
    t.line("b0:");
    std::string v = t.value();
    t.line("  " + v + " = load.4 [0]");
    t.line("  jump b1");
    const uint32_t exit = 1 + static_cast<uint32_t>(n);
    t.eq_chain(1, keys_from(7, n, 10), exit + 1, exit, [&](IrText&) { return v; });
    t.returns(exit, 0);
    t.returns(exit + 1, 1);
    Lowered m = lower(parse_ir(t.text));
    EXPECT_EQ(m.changed, n >= kThreshold) << n;
  }
}

// A chain too short for a tree is still rewritten, linearly, when its
// merged intervals need fewer compares: `portrange 53` (ge 53, gt 53) is one
// eq; four adjacent keys are one range (two compares). Keys that merge into
// no fewer compares are left as they are.
TEST(SetLowering, ShortChainsTakeFewerCompares) {
  auto ranges = [](const std::vector<std::pair<uint32_t, uint32_t>>& r) {
    return range_chain(r, "load.2 [2]");  // the low half of packets_near's word
  };
  auto eq_chain = [](const std::vector<uint32_t>& keys) {
    IrText t;
    t.line("b0:");
    std::string v = t.value();
    t.line("  " + v + " = load.1 [3]");
    t.line("  jump b1");
    const uint32_t exit = 1 + static_cast<uint32_t>(keys.size());
    t.eq_chain(1, keys, exit + 1, exit, [&](IrText&) { return v; });
    t.returns(exit, 0);
    t.returns(exit + 1, 1);
    return parse_ir(t.text);
  };
  struct Case {
    const char* what;
    ir::Function f;
    bool changes;
    size_t branches;  // after the pass
    std::vector<uint32_t> probes;
  };
  std::vector<Case> cases;
  cases.push_back({"portrange 53", ranges({{53, 53}}), true, 1, {53}});
  cases.push_back({"portrange 53 or portrange 80-81", ranges({{53, 53}, {80, 81}}), true, 3, {53, 80, 81}});
  cases.push_back({"portrange 0-80", ranges({{0, 80}}), true, 1, {0, 80}});
  cases.push_back({"ranges that touch", ranges({{10, 20}, {21, 30}}), true, 2, {10, 20, 21, 30}});
  cases.push_back({"an empty range never matches", ranges({{30, 20}}), true, 0, {20, 30}});
  cases.push_back({"isis snp", eq_chain({0x1b, 0x1a, 0x18, 0x19}), true, 2, {0x18, 0x1b}});
  cases.push_back({"isis iih", eq_chain({0x11, 0x0f, 0x10}), true, 2, {0x0f, 0x11}});
  cases.push_back({"duplicate keys", eq_chain({5, 9, 5}), true, 2, {5, 9}});
  cases.push_back({"isis l1 (no gain)", eq_chain({0x1a, 0x18, 0x12, 0x0f, 0x11}), false, 5, {0x0f, 0x1a}});
  cases.push_back({"a range the same size", ranges({{10, 20}}), false, 2, {10, 20}});
  for (Case& c : cases) {
    SCOPED_TRACE(c.what);
    Lowered l = lower(c.f);
    EXPECT_EQ(l.changed, c.changes);
    if (!c.changes) {
      EXPECT_EQ(ir::print(l.after), ir::print(c.f));
    }
    EXPECT_EQ(count_branches(l.after), c.branches) << ir::print(l.after);
    expect_same_verdicts(l, packets_near(c.probes, {0}, 4, 8));
  }
}

// A long `portrange` chain (range_chain): ranges that touch or overlap
// merge; a reversed range (lo > hi) never matches.
TEST(SetLowering, RangeChain) {
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (uint32_t i = 0; i < 12; ++i) ranges.emplace_back(100 * i + 10, 100 * i + 10 + 7 * i);
  ranges.emplace_back(1205, 1210);  // overlaps the last one
  ranges.emplace_back(1211, 1220);  // touches the one before
  ranges.emplace_back(3000, 2000);  // empty
  ranges.emplace_back(0, 3);        // from the bottom
  ranges.emplace_back(0xfffffff0, 0xffffffff);  // to the top
  Lowered l = lower(range_chain(ranges, "load.4 [0]"));
  EXPECT_TRUE(l.changed);
  EXPECT_EQ(counter(l.counters, "chains lowered"), 1u);
  EXPECT_LE(longest_branch_path(l.after), 2 * (std::ceil(std::log2(ranges.size())) + 1));
  std::vector<uint32_t> probes;
  for (auto [lo, hi] : ranges) {
    probes.push_back(lo);
    probes.push_back(hi);
  }
  expect_same_verdicts(l, packets_near(probes, {0}, 4, 8));
}

// A chain whose blocks do something else too (a load of another field used
// later) is cut there: that block stays, with what follows it.
TEST(SetLowering, BlockWithOtherWorkEndsTheChain) {
  IrText t;
  std::vector<uint32_t> keys = keys_from(1, 40, 1000);
  t.line("b0:");
  std::string v = t.value();
  t.line("  " + v + " = load.4 [0]");
  t.line("  jump b1");
  std::string other;
  size_t i = 0;
  t.eq_chain(1, keys, 42, 41, [&](IrText& text) {
    if (++i == 21) {
      other = text.value();
      text.line("  " + other + " = load.4 [4]");
    }
    return v;
  });
  t.line("b41:");
  std::string zero = t.value();
  t.line("  " + zero + " = const 0x0");
  t.line("  br eq " + other + ", " + zero + ", b42, b43");
  t.returns(42, 1);
  t.returns(43, 0);
  Lowered l = lower(parse_ir(t.text));
  EXPECT_TRUE(l.changed);
  EXPECT_EQ(counter(l.counters, "chains lowered"), 2u);
  expect_same_verdicts(l, packets_near(keys, {0, 4}, 8, 7));
}

// ---- a 100 000-key chain, built directly ----

TEST(SetLowering, HundredThousandKeysInLogarithmicDepth) {
  // A quarter of the keys in the sanitizer build: the same shape, two levels
  // less deep.
  constexpr size_t kKeys = testsupport::full_or_sanitized<size_t>(100000, 25000);
  ir::Function f;
  ir::Builder b(f);
  std::mt19937 rng(42);
  std::vector<uint32_t> keys;
  for (size_t i = 0; i < kKeys; ++i) keys.push_back(i % 10 == 9 ? keys[rng() % i] : static_cast<uint32_t>(rng()));
  ir::BlockId entry = b.new_block();
  std::vector<ir::BlockId> chain;
  for (size_t i = 0; i < kKeys; ++i) chain.push_back(b.new_block());
  ir::BlockId miss = b.new_block(), hit = b.new_block();
  b.set_block(entry);
  ir::ValueId v = b.load_abs(4, 0);
  b.jump(chain[0]);
  for (size_t i = 0; i < kKeys; ++i) {
    b.set_block(chain[i]);
    b.branch(ir::Cond::Eq, v, b.constant(keys[i]), hit, i + 1 == kKeys ? miss : chain[i + 1]);
  }
  b.set_block(miss);
  b.ret_const(0);
  b.set_block(hit);
  b.ret_const(0xffff);
  // (Not verified first: ir::verify's dominance checks take quadratic time on
  // a 100 000-block chain whose blocks all branch to one target.)

  PassCounters counters;
  ASSERT_TRUE(lower_sets(f, counters));
  ASSERT_FALSE(ir::verify(f).has_value());
  std::set<uint32_t> distinct(keys.begin(), keys.end());
  // Linear size (n/2 splits + n leaf compares), logarithmic depth.
  EXPECT_LE(count_branches(f), distinct.size() * 3 / 2 + 2);
  EXPECT_LE(longest_branch_path(f), static_cast<size_t>(std::ceil(std::log2(distinct.size()))) + 2);
  for (int i = 0; i < 3000; ++i) {
    uint32_t probe = i % 3 == 0 ? keys[rng() % kKeys] + (i % 2 ? 1 : -1) : (i % 3 == 1 ? keys[rng() % kKeys] : rng());
    Bytes p{uint8_t(probe >> 24), uint8_t(probe >> 16), uint8_t(probe >> 8), uint8_t(probe)};
    ASSERT_EQ(ir::interpret(f, p, 4), distinct.count(probe) ? 0xffffu : 0u) << probe;
  }
  Bytes truncated{1, 2, 3};
  EXPECT_EQ(ir::interpret(f, truncated, 3), 0u);
}

// ---- end to end: filters through the compiler, against libpcap ----

struct Packet {
  Bytes data;
};

void put16(Bytes& p, size_t off, uint32_t v) {
  p[off] = uint8_t(v >> 8);
  p[off + 1] = uint8_t(v);
}
void put32(Bytes& p, size_t off, uint32_t v) {
  put16(p, off, v >> 16);
  put16(p, off + 2, v & 0xffff);
}

Bytes ipv4_packet(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sport, uint16_t dport) {
  Bytes p(14 + 20 + 8 + 8, 0);
  put16(p, 12, 0x0800);
  p[14] = 0x45;
  put16(p, 16, uint32_t(p.size() - 14));
  p[22] = 64;
  p[23] = proto;
  put32(p, 26, src);
  put32(p, 30, dst);
  put16(p, 34, sport);
  put16(p, 36, dport);
  return p;
}

Bytes arp_packet(uint32_t spa, uint32_t tpa) {
  Bytes p(14 + 28, 0);
  put16(p, 12, 0x0806);
  put16(p, 14, 1);
  put16(p, 16, 0x0800);
  p[18] = 6;
  p[19] = 4;
  put32(p, 28, spa);
  put32(p, 38, tpa);
  return p;
}

Bytes ipv6_packet(uint8_t next, uint16_t sport, uint16_t dport) {
  Bytes p(14 + 40 + 8, 0);
  put16(p, 12, 0x86dd);
  p[14] = 0x60;
  p[20] = next;
  put16(p, 54, sport);
  put16(p, 56, dport);
  return p;
}

std::vector<Bytes> traffic_near(const std::vector<uint32_t>& addrs, const std::vector<uint32_t>& ports, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> a{0x01020304, 0xffffffff, 0};
  for (uint32_t x : addrs) {
    a.push_back(x - 1);
    a.push_back(x);
    a.push_back(x + 1);
  }
  std::vector<uint32_t> pt{0, 1, 65535};
  for (uint32_t x : ports) {
    pt.push_back((x - 1) & 0xffff);
    pt.push_back(x);
    pt.push_back((x + 1) & 0xffff);
  }
  auto any_a = [&] { return a[rng() % a.size()]; };
  auto any_p = [&] { return uint16_t(pt[rng() % pt.size()]); };
  std::vector<Bytes> out;
  for (size_t i = 0; i < std::max(a.size(), pt.size()) * 2; ++i) {
    out.push_back(ipv4_packet(any_a(), any_a(), i % 2 ? 6 : 17, any_p(), any_p()));
    out.push_back(ipv4_packet(a[i % a.size()], any_a(), 6, pt[i % pt.size()], any_p()));
    out.push_back(ipv4_packet(any_a(), a[i % a.size()], 17, any_p(), pt[i % pt.size()]));
    out.push_back(arp_packet(any_a(), a[i % a.size()]));
    out.push_back(ipv6_packet(i % 2 ? 6 : 17, any_p(), pt[i % pt.size()]));
  }
  const size_t full = out.size();
  for (size_t i = 0; i < full; i += 5) {
    for (size_t len : {0, 13, 14, 25, 29, 33, 35, 37, 41, 55}) {
      if (len < out[i].size()) out.emplace_back(out[i].begin(), out[i].begin() + len);
    }
  }
  return out;
}

std::vector<uint32_t> spread_addresses(size_t n, uint32_t base, uint32_t step) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(base + uint32_t(i * i) * step);
  return out;
}

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." + std::to_string((a >> 8) & 0xff) +
         "." + std::to_string(a & 0xff);
}

std::string join_terms(const std::vector<std::string>& terms, const std::string& op) {
  std::string out;
  for (const auto& t : terms) out += (out.empty() ? "" : " " + op + " ") + t;
  return out;
}

struct LibpcapProgram {
  std::vector<bpf_insn> insns;
  uint32_t run(const Bytes& p) const {
    static const uint8_t kNothing = 0;
    return bpf_filter(insns.data(), p.empty() ? &kNothing : p.data(), u_int(p.size()), u_int(p.size()));
  }
};

LibpcapProgram libpcap_compile(const std::string& filter) {
  LibpcapProgram out;
  pcap_t* handle = pcap_open_dead(DLT_EN10MB, 262144);
  bpf_program prog{};
  if (pcap_compile(handle, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0) {
    out.insns.assign(prog.bf_insns, prog.bf_insns + prog.bf_len);
    pcap_freecode(&prog);
  }
  pcap_close(handle);
  return out;
}

struct EndToEndCase {
  std::string name;
  std::string filter;
  std::vector<uint32_t> addrs;
  std::vector<uint32_t> ports;
};

std::vector<EndToEndCase> end_to_end_cases() {
  std::vector<EndToEndCase> cases;
  auto hosts = spread_addresses(24, 0x0a000001, 3);
  std::vector<std::string> host_terms, not_host_terms, src_terms;
  for (uint32_t h : hosts) {
    host_terms.push_back("host " + dotted(h));
    not_host_terms.push_back("not host " + dotted(h));
    src_terms.push_back("src host " + dotted(h));
  }
  cases.push_back({"hosts", join_terms(host_terms, "or"), hosts, {}});
  cases.push_back({"not_hosts", join_terms(not_host_terms, "and"), hosts, {}});
  cases.push_back({"src_hosts", join_terms(src_terms, "or"), hosts, {}});

  std::vector<uint32_t> ports;
  std::vector<std::string> port_terms, dport_terms;
  for (uint32_t i = 0; i < 20; ++i) ports.push_back(20 + i * i * 7);
  ports.push_back(21);  // adjacent to 20: a range
  ports.push_back(20);  // a duplicate
  for (uint32_t p : ports) {
    port_terms.push_back("port " + std::to_string(p));
    dport_terms.push_back("tcp dst port " + std::to_string(p));
  }
  cases.push_back({"ports", join_terms(port_terms, "or"), {}, ports});
  cases.push_back({"tcp_dst_ports", join_terms(dport_terms, "or"), {}, ports});

  std::vector<uint32_t> net_probes;
  std::vector<std::string> net_terms, mixed_terms;
  for (uint32_t i = 0; i < 40; ++i) {
    uint32_t net = 0x0a000000 | (((i * 37) & 0xff) << 16);
    net_terms.push_back("net " + dotted(net) + "/16");
    uint32_t mixed = 0xac000000 | (i << 12);
    mixed_terms.push_back("net " + dotted(mixed) + (i % 2 ? "/20" : "/24"));
    for (uint32_t x : {net, net | 0xffff, mixed, mixed | 0xff, mixed | 0xfff}) net_probes.push_back(x);
  }
  cases.push_back({"nets", join_terms(net_terms, "or"), net_probes, {}});

  std::vector<uint32_t> range_ports;
  std::vector<std::string> range_terms;
  for (uint32_t i = 0; i < 12; ++i) {
    uint32_t lo = 1000 + 50 * i, hi = lo + 3 * i;
    range_terms.push_back("tcp dst portrange " + std::to_string(lo) + "-" + std::to_string(hi));
    range_ports.push_back(lo);
    range_ports.push_back(hi);
  }
  cases.push_back({"tcp_dst_portranges", join_terms(range_terms, "or"), {}, range_ports});
  cases.push_back({"mixed_prefix_nets", join_terms(mixed_terms, "or"), net_probes, {}});
  return cases;
}

class SetLoweringEndToEnd : public testing::TestWithParam<EndToEndCase> {
 protected:
  std::unique_ptr<NameResolver> resolver_ = make_file_resolver(BPFC_TEST_DIR "/corpus/names");
  CompileOptions options(std::optional<std::vector<Pass>> passes) {
    CompileOptions o;
    o.resolver = resolver_.get();
    o.passes = std::move(passes);
    return o;
  }
};

TEST_P(SetLoweringEndToEnd, SameVerdictsAsLibpcap) {
  const EndToEndCase& c = GetParam();
  auto lowered = compile_to_ir(c.filter, options(std::vector<Pass>{}));
  ASSERT_TRUE(lowered.ok()) << lowered.error().message;
  Lowered l = lower(*lowered);
  EXPECT_TRUE(l.changed) << ir::print(l.before);
  EXPECT_LT(longest_branch_path(l.after), longest_branch_path(l.before));

  auto program = cbpf::generate(l.after);
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_FALSE(runtime::validate_cbpf(*program).has_value());
  // The whole pipeline, with set lowering among its passes once registered.
  auto pipeline = compile_cbpf(c.filter, options(std::nullopt));
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  LibpcapProgram reference = libpcap_compile(c.filter);
  ASSERT_FALSE(reference.insns.empty()) << c.filter;

  size_t differences = 0, accepted = 0;
  for (const Bytes& p : traffic_near(c.addrs, c.ports, 11)) {
    uint32_t want = reference.run(p);
    uint32_t ir_before = ir::interpret(l.before, p, uint32_t(p.size()));
    uint32_t ir_after = ir::interpret(l.after, p, uint32_t(p.size()));
    uint32_t cbpf = runtime::run_cbpf(*program, p, uint32_t(p.size()));
    uint32_t full = runtime::run_cbpf(*pipeline, p, uint32_t(p.size()));
    accepted += want != 0;
    bool same = ir_before == want && ir_after == want && cbpf == want && full == want;
    if (!same && ++differences <= 5) {
      ADD_FAILURE() << c.name << ": libpcap " << want << ", IR " << ir_before << " -> " << ir_after << ", cBPF "
                    << cbpf << ", pipeline " << full << " on a " << p.size() << "-byte packet";
    }
  }
  EXPECT_EQ(differences, 0u);
  EXPECT_GT(accepted, 10u);  // the packets hit as well as miss
}

INSTANTIATE_TEST_SUITE_P(Lists, SetLoweringEndToEnd, testing::ValuesIn(end_to_end_cases()),
                         [](const testing::TestParamInfo<EndToEndCase>& info) { return info.param.name; });

}  // namespace
}  // namespace bpfc::opt
