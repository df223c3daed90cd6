// Filter engines by name, and the interpreter engine's filters: the same
// verdicts as run_cbpf, one packet at a time or a batch at a time.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/exec/engine.h"
#include "bpfc/runtime/cbpf_vm.h"

namespace bpfc::exec {
namespace {

using Bytes = std::vector<uint8_t>;

// Ethernet + IPv4 + TCP (or UDP) with the given destination port.
Bytes packet(uint8_t protocol, uint16_t dport) {
  Bytes p(14 + 20 + 20, 0);
  p[12] = 0x08;
  p[14] = 0x45;
  p[14 + 9] = protocol;
  p[14 + 20 + 2] = static_cast<uint8_t>(dport >> 8);
  p[14 + 20 + 3] = static_cast<uint8_t>(dport);
  return p;
}

TEST(EngineRegistry, AutoIsTheDefaultAndLookupIsByName) {
  const EngineRegistry& registry = engines();
  ASSERT_FALSE(registry.all().empty());
  EXPECT_EQ(registry.all().front().name, kDefaultEngine);
  EXPECT_EQ(kDefaultEngine, "auto");
  for (const char* name : {"auto", "interp", "jit"}) {
    const Engine* engine = registry.find(name);
    ASSERT_NE(engine, nullptr) << name;
    EXPECT_FALSE(engine->description.empty());
  }
  EXPECT_EQ(registry.find("Interp"), nullptr);
  EXPECT_EQ(registry.find("llvm"), nullptr);
}

TEST(EngineRegistry, AddRefusesASecondEngineOfTheSameName) {
  EngineRegistry registry;
  Engine first;
  first.name = "x";
  Engine second = first;
  second.description = "second";
  EXPECT_TRUE(registry.add(first));
  EXPECT_FALSE(registry.add(second));
  EXPECT_EQ(registry.all().size(), 1u);
}

TEST(InterpEngine, VerdictsAreTheInterpretersOneByOneAndInBatches) {
  auto program = compile_cbpf("tcp dst port 80", CompileOptions{});
  ASSERT_TRUE(program);
  auto filter = engines().find("interp")->make(*program);
  ASSERT_TRUE(filter) << filter.error().message;
  const std::vector<Bytes> packets = {packet(6, 80), packet(6, 81), packet(17, 80), Bytes(10, 0), packet(6, 80)};
  std::vector<PacketView> views;
  for (const Bytes& p : packets) views.push_back({p.data(), static_cast<uint32_t>(p.size()), 1500});
  // A truncated copy of the first: the load of the port fails, so 0.
  views.push_back({packets[0].data(), 30, 1500});
  std::vector<uint32_t> verdicts(views.size(), 12345);
  (*filter)->run_batch(views, verdicts);
  uint32_t accepted = 0;
  for (size_t i = 0; i < views.size(); ++i) {
    const std::span<const uint8_t> bytes(views[i].data, views[i].caplen);
    const uint32_t expected = runtime::run_cbpf(*program, bytes, views[i].wirelen);
    EXPECT_EQ((*filter)->run(bytes, views[i].wirelen), expected) << i;
    EXPECT_EQ(verdicts[i], expected) << i;
    accepted += expected != 0;
  }
  EXPECT_EQ(accepted, 2u);  // packets 0 and 4
  EXPECT_EQ(verdicts[0], 262144u);
  EXPECT_EQ(verdicts[5], 0u);
}

}  // namespace
}  // namespace bpfc::exec
