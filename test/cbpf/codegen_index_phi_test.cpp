// Header offsets that meet in a phi (after tail merging, or after vlan/mpls
// in lowering): the phi travels in X when it only indexes loads, and one
// `ldx #k` high up serves every path that needs the constant k.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <random>
#include <sstream>
#include <string>

#include "../runtime/libpcap_oracle.h"
#include "bpfc/cbpf/codegen.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/parser.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::cbpf {
namespace {

std::string listing(const Program& p) { return testing::libpcap_listing(p); }

struct Compiled {
  ir::Function f;
  Program program;
};

Compiled compile(const std::string& text) {
  Compiled c;
  auto f = ir::parse(text);
  EXPECT_TRUE(f.ok()) << f.error().message;
  if (!f) return c;
  c.f = std::move(*f);
  auto program = generate(c.f);
  EXPECT_TRUE(program.ok()) << program.error().message;
  if (program) c.program = std::move(*program);
  auto kernel = runtime::validate_cbpf(c.program, runtime::ValidationRules::LinuxKernel);
  EXPECT_FALSE(kernel.has_value()) << kernel->message << "\n" << listing(c.program);
  return c;
}

size_t count(const Program& p, uint16_t code, std::optional<uint32_t> k = std::nullopt) {
  size_t n = 0;
  for (const Insn& i : p) n += i.code == code && (!k || i.k == *k) ? 1 : 0;
  return n;
}

bool uses_scratch(const Program& p) {
  for (const Insn& i : p) {
    const uint16_t cls = insn_class(i.code);
    if (cls == ST || cls == STX || ((cls == LD || cls == LDX) && insn_mode(i.code) == MEM)) return true;
  }
  return false;
}

void expect_interpreter_verdicts(const Compiled& c) {
  std::mt19937 rng(99);
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> p(rng() % 80);
    for (uint8_t& byte : p) byte = rng() % 3 == 0 ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(rng() % 8);
    if (p.size() > 13 && rng() % 2) p[12] = 0x86, p[13] = 0xdd;
    ASSERT_EQ(runtime::run_cbpf(c.program, p, 1500), ir::interpret(c.f, p, 1500)) << listing(c.program);
  }
}

// `port 7` after tail merging: IPv6 reaches the IPv4 code with X = 40.
constexpr const char* kMergedPortSeven = R"(
b0:
  v0 = const 0
  v1 = load.2 [12]
  v2 = const 0x86dd
  br eq v1, v2, b3, b1
b1:
  v3 = const 0x800
  br eq v1, v3, b2, b7
b2:
  v4 = load.2 [20]
  v5 = const 0x1fff
  br set v4, v5, b7, b4
b3:
  v20 = const 40
  jump b5
b4:
  v6 = load.1 [14]
  v7 = const 0xf
  v8 = and v6, v7
  v9 = const 2
  v10 = shl v8, v9
  jump b5
b5:
  v21 = phi [b4: v10], [b3: v20]
  v11 = load.2 [v21 + 14]
  v12 = const 7
  br eq v11, v12, b8, b6
b6:
  v13 = load.2 [v21 + 16]
  v14 = const 7
  br eq v13, v14, b8, b7
b7:
  ret v0
b8:
  v19 = const 0x40000
  ret v19
)";

TEST(CodegenIndexPhi, PassesAnIndexPhiInXWithoutScratchSlots) {
  Compiled c = compile(kMergedPortSeven);
  EXPECT_FALSE(uses_scratch(c.program)) << listing(c.program);
  EXPECT_EQ(count(c.program, LDX | W | IMM, 40), 1u) << listing(c.program);
  // The IPv6 edge needs no block of its own: the `ldx #40` moved up to
  // where X is dead on every path (here the entry), and the IPv6 branch
  // goes straight to the shared loads.
  EXPECT_EQ(count(c.program, JMP | JA), 0u) << listing(c.program);
  EXPECT_EQ(c.program.size(), 13u) << listing(c.program);
  expect_interpreter_verdicts(c);
}

TEST(CodegenIndexPhi, OneLdxServesSeveralBranchesIntoTheJoin) {
  // Three tests on the IPv6 side all lead into the join with 40.
  Compiled c = compile(R"(
b0:
  v0 = const 0
  v1 = load.2 [12]
  v2 = const 0x86dd
  br eq v1, v2, b2, b1
b1:
  v3 = load.1 [14]
  v4 = const 0xf
  v5 = and v3, v4
  v6 = const 2
  v7 = shl v5, v6
  jump b5
b2:
  v8 = load.1 [20]
  v9 = const 6
  v20 = const 40
  br eq v8, v9, b5, b3
b3:
  v10 = const 17
  br eq v8, v10, b5, b4
b4:
  v11 = const 132
  br eq v8, v11, b5, b6
b5:
  v12 = phi [b1: v7], [b2: v20], [b3: v20], [b4: v20]
  v13 = load.2 [v12 + 14]
  v14 = const 7
  br eq v13, v14, b7, b6
b6:
  ret v0
b7:
  v15 = const 1
  ret v15
)");
  EXPECT_FALSE(uses_scratch(c.program)) << listing(c.program);
  EXPECT_EQ(count(c.program, LDX | W | IMM, 40), 1u) << listing(c.program);
  expect_interpreter_verdicts(c);
}

TEST(CodegenIndexPhi, KeepsXWhereItIsStillNeeded) {
  // X holds the IPv4 header length on the path through b1 and is read again
  // in b4, which the constant's path does not reach: the `ldx #40` must not
  // move above the place where X is live.
  Compiled c = compile(R"(
b0:
  v0 = const 0
  v1 = load.1 [14]
  v2 = const 0xf
  v3 = and v1, v2
  v4 = const 2
  v5 = shl v3, v4
  v6 = load.2 [v5 + 14]
  v7 = const 7
  br eq v6, v7, b1, b2
b1:
  v8 = load.2 [v5 + 16]
  br eq v8, v7, b3, b4
b2:
  v9 = const 40
  jump b3
b3:
  v10 = phi [b1: v5], [b2: v9]
  v11 = load.2 [v10 + 20]
  br eq v11, v7, b5, b4
b4:
  v12 = load.1 [v5 + 2]
  ret v12
b5:
  v13 = const 1
  ret v13
)");
  expect_interpreter_verdicts(c);
}

}  // namespace
}  // namespace bpfc::cbpf
