#include "native_input.h"

#include <random>

#include "compiler_input.h"
#include "fuzz_bytes.h"
#include "random_ir.h"

namespace bpfc::fuzz {
namespace {

constexpr int kOptLevels[] = {2, 2, 1, 0};
constexpr uint32_t kMaxRawPacket = 96;

NativeInput decode_expression(std::span<const uint8_t> data, uint8_t mode, const FixtureNames& names) {
  NativeInput input;
  CompilerInput decoded = decode_compiler_input(data, names);
  input.filter = std::move(decoded.filter);
  input.packets = std::move(decoded.packets);
  input.opt_level = kOptLevels[(mode >> 1) % 4];
  return input;
}

NativeInput decode_function(std::span<const uint8_t> data) {
  NativeInput input;
  FuzzBytes in(data);
  testing::RandomIrShape shape;
  shape.min_blocks = 1 + in.below(3);
  shape.max_blocks = shape.min_blocks + in.below(kMaxIrBlocks - shape.min_blocks + 1);
  shape.max_insts_per_block = 1 + in.below(6);
  shape.operand_window = 2 + in.below(8);
  shape.phi_chance = in.below(11) / 10.0;
  shape.far_jump_chance = in.below(6) / 10.0;
  shape.max_offset = 8 + in.below(80);
  shape.long_lived_values = in.percent(20) ? in.below(4) : 0;
  shape.certain_traps = in.percent(50);
  shape.constant_returns = in.percent(30);
  shape.protochain_walks = in.percent(60);
  std::mt19937 rng(in.u32());
  input.function = testing::random_function(rng, shape);

  // Packets the generator favours (its constants and next-header values),
  // then raw ones cut from the front bytes, then an empty one. The wire
  // length is mostly the captured length, sometimes more (`len`).
  const uint32_t generated = 2 + in.below(6);
  for (uint32_t i = 0; i < generated; ++i) {
    std::vector<uint8_t> bytes = testing::random_packet(rng, shape.max_offset + 24);
    const auto caplen = static_cast<uint32_t>(bytes.size());
    input.packets.push_back({std::move(bytes), caplen + (in.percent(20) ? in.below(1500) : 0)});
  }
  const uint32_t raw = in.below(4);
  for (uint32_t i = 0; i < raw; ++i) {
    std::span<const uint8_t> bytes = in.take(in.below(kMaxRawPacket + 1));
    const auto caplen = static_cast<uint32_t>(bytes.size());
    input.packets.push_back({{bytes.begin(), bytes.end()}, caplen + (in.percent(20) ? in.below(1500) : 0)});
  }
  input.packets.push_back({{}, in.percent(70) ? 0 : in.below(100)});
  return input;
}

}  // namespace

NativeInput decode_native_input(std::span<const uint8_t> data, const FixtureNames& names) {
  const uint8_t mode = data.empty() ? 0 : data[0];
  std::span<const uint8_t> rest = data.empty() ? data : data.subspan(1);
  return mode % 2 == 0 ? decode_expression(rest, mode, names) : decode_function(rest);
}

}  // namespace bpfc::fuzz
