// The native engines' own behaviour: compiling from several threads at once
// (the same filters and different ones) gives working code; the IR semantics native code must keep on hand-made IR
// (division by zero, shifts by 32 and more, loads past the captured bytes at
// offsets that wrap 32 bits); an IR the engine cannot take is an error.
#include <cstdint>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/driver/executable.h"
#include "bpfc/exec/engine.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::exec {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes tcp_packet(uint16_t dport) {
  Bytes p(14 + 20 + 20, 0);
  p[12] = 0x08;
  p[14] = 0x45;
  p[14 + 9] = 6;
  p[14 + 20 + 2] = static_cast<uint8_t>(dport >> 8);
  p[14 + 20 + 3] = static_cast<uint8_t>(dport);
  return p;
}

TEST(JitEngine, CompilesFromSeveralThreadsAtOnce) {
  const Engine& jit = *engines().find("jit");
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 6; ++round) {
        // Half the threads share ports (the same function), half do not.
        const uint16_t port = static_cast<uint16_t>(t % 2 == 0 ? 1000 + round : 2000 + t * 10 + round);
        auto made = compile_for_engine("tcp dst port " + std::to_string(port), jit, CompileOptions{});
        if (!made) {
          ++failures[t];
          continue;
        }
        const Bytes hit = tcp_packet(port), miss = tcp_packet(static_cast<uint16_t>(port + 1));
        failures[t] += made->output->run(hit, 60) == 0;
        failures[t] += made->output->run(miss, 60) != 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

// f(P) = a OP b for values the IR interpreter defines: native code must
// give the same, including where C or LLVM would leave it undefined.
TEST(JitEngine, KeepsTheIrSemanticsWhereMachinesDiffer) {
  const Engine& jit = *engines().find("jit");
  const std::vector<uint32_t> values = {0, 1, 2, 31, 32, 33, 63, 64, 0x7fffffff, 0x80000000, 0xffffffff};
  for (ir::Op op : {ir::Op::Div, ir::Op::Mod, ir::Op::Shl, ir::Op::Shr, ir::Op::Sub, ir::Op::Mul}) {
    // a = P[0..4], b = P[4..8]: values known only at run time.
    ir::Function f;
    ir::Builder b(f);
    b.set_block(b.new_block());
    const ir::ValueId lhs = b.load_abs(4, 0);
    const ir::ValueId rhs = b.load_abs(4, 4);
    const ir::ValueId result = b.binary(op, lhs, rhs);
    b.ret(b.binary(ir::Op::Add, result, b.constant(0)));
    auto made = jit.make_native(f, EngineSettings{});
    ASSERT_TRUE(made) << made.error().message;
    for (uint32_t x : values) {
      for (uint32_t y : values) {
        Bytes packet = {static_cast<uint8_t>(x >> 24), static_cast<uint8_t>(x >> 16), static_cast<uint8_t>(x >> 8),
                        static_cast<uint8_t>(x),       static_cast<uint8_t>(y >> 24), static_cast<uint8_t>(y >> 16),
                        static_cast<uint8_t>(y >> 8),  static_cast<uint8_t>(y)};
        for (size_t caplen : {size_t{8}, size_t{7}, size_t{3}, size_t{0}}) {
          const std::span<const uint8_t> bytes(packet.data(), caplen);
          const uint32_t want = ir::interpret(f, bytes, 100);
          EXPECT_EQ((*made)->run(bytes, 100), want)
              << ir::op_name(op) << " " << x << ", " << y << " caplen " << caplen;
        }
      }
    }
  }
}

// An indexed load whose index + offset passes 2^32: out of the captured
// bytes (the IR adds without wrapping), so 0, never a read at a wrapped
// address.
TEST(JitEngine, IndexedLoadsDoNotWrap) {
  const Engine& jit = *engines().find("jit");
  ir::Function f;
  ir::Builder b(f);
  b.set_block(b.new_block());
  const ir::ValueId index = b.load_abs(4, 0);
  b.ret(b.binary(ir::Op::Add, b.load(1, index, 0xfffffff0u), b.constant(1)));
  auto made = jit.make_native(f, EngineSettings{});
  ASSERT_TRUE(made) << made.error().message;
  // index 0x14: 0x14 + 0xfffffff0 wraps to 4 in 32 bits.
  const Bytes packet = {0, 0, 0, 0x14, 9, 9, 9, 9};
  EXPECT_EQ(ir::interpret(f, packet, 8), 0u);
  EXPECT_EQ((*made)->run(packet, 8), 0u);
}

TEST(JitEngine, KernelMetadataIsRefusedWithAReason) {
  CompileOptions options;
  options.context = CompileContext::Linux;
  auto made = compile_for_engine("inbound", *engines().find("jit"), options);
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().message.find("kernel's packet metadata"), std::string::npos) << made.error().message;
  // auto falls back to the interpreter, which reads no metadata either: a
  // savefile's packets have none, so the filter rejects them as libpcap's
  // bpf_filter() does.
  auto tiered = compile_for_engine("inbound", *engines().find("auto"), options);
  ASSERT_TRUE(tiered) << tiered.error().message;
}

}  // namespace
}  // namespace bpfc::exec

namespace bpfc::exec {
namespace {

// A branch whose two ways lead to one block (the IR allows it; its phis
// name that predecessor once).
TEST(JitEngine, ABranchWithBothWaysToOneBlock) {
  ir::Function f;
  ir::Builder b(f);
  const ir::BlockId entry = b.new_block();
  const ir::BlockId join = b.new_block();
  b.set_block(entry);
  const ir::ValueId byte = b.load_abs(1, 0);
  b.branch(ir::Cond::Eq, byte, b.constant(7), join, join);
  b.set_block(join);
  b.ret(b.phi({{entry, byte}}));
  auto made = engines().find("jit")->make_native(f, EngineSettings{});
  ASSERT_TRUE(made) << made.error().message;
  const Bytes seven = {7}, eight = {8};
  EXPECT_EQ((*made)->run(seven, 1), 7u);
  EXPECT_EQ((*made)->run(eight, 1), 8u);
  EXPECT_EQ((*made)->run({}, 1), 0u);
}

// A filter that rejects everything: a batch of constant verdicts, which
// LLVM may write with the C library's memset.
TEST(JitEngine, AFilterThatRejectsEverything) {
  CompileOptions options;
  options.opt_level = 0;
  auto made = compile_for_engine("ip and not ip", *engines().find("jit"), options);
  ASSERT_TRUE(made) << made.error().message;
  const Bytes packet = tcp_packet(80);
  std::vector<PacketView> views(300, PacketView{packet.data(), static_cast<uint32_t>(packet.size()), 60});
  std::vector<uint32_t> verdicts(views.size(), 1);
  made->output->run_batch(views, verdicts);
  for (uint32_t verdict : verdicts) EXPECT_EQ(verdict, 0u);
}

}  // namespace
}  // namespace bpfc::exec
