// The input format of the native-code fuzz target (fuzz_native.cpp).
//
// Byte 0 chooses what is compiled. Even: a pcap-filter expression; the rest
// of the input is a fuzz_compiler input (compiler_input.h: generated from
// the grammar, or raw text when its own first byte is a multiple of 8) with
// the packets synthesized for it, and (byte 0 >> 1) % 4 picks the
// optimization level (2, 2, 1, 0). Odd: a random well-formed IR function
// (test/ir/random_ir.h), whose shape and generator seed are decisions read
// from the back of the rest, and packets: some drawn by the same generator,
// some cut from the front bytes, and an empty one.
//
// Functions stay small (at most kMaxIrBlocks blocks of a few instructions):
// LLVM's compile, milliseconds per function, is what a run spends its time
// on, and small functions already reach every construct of the lowering.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bpfc/ir/ir.h"
#include "filter_case.h"
#include "fixture_names.h"
#include "packet_synthesizer.h"

namespace bpfc::fuzz {

inline constexpr uint32_t kMaxIrBlocks = 10;

struct NativeInput {
  // Exactly one of the two is set: the expression (compiled with
  // `opt_level`), or the random function.
  std::optional<FilterCase> filter;
  int opt_level = 2;
  std::optional<ir::Function> function;
  std::vector<TestPacket> packets;
};

NativeInput decode_native_input(std::span<const uint8_t> data, const FixtureNames& names);

}  // namespace bpfc::fuzz
