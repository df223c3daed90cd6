// Random well-formed IR functions and random packets, for differential and
// round-trip tests. Deterministic for a given generator state.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::testing {

struct RandomIrShape {
  uint32_t min_blocks = 2;
  uint32_t max_blocks = 12;
  uint32_t max_insts_per_block = 6;
  // Operands are picked mostly among the `operand_window` most recently
  // defined available values; a wider window keeps more values live.
  uint32_t operand_window = 6;
  double phi_chance = 0.6;      // per merge block
  double far_jump_chance = 0.2; // a branch target chosen anywhere ahead (else nearby)
  uint32_t max_offset = 40;     // most load offsets are below this
  // Values computed in the entry block and all summed by the last block's
  // return, so they stay live (in scratch slots) through the whole function.
  uint32_t long_lived_values = 0;
  // Whether to make instructions that end every run through their block
  // (division by constant 0, constant address past 4 GiB). The backend
  // drops code after them, so long-program tests turn them off.
  bool certain_traps = true;
  // Returns only constants, as filters compiled from pcap expressions do.
  bool constant_returns = false;
  // Protochain walks (ir::Op::Protochain), which become loops in cBPF.
  bool protochain_walks = true;
};

ir::Function random_function(std::mt19937& rng, const RandomIrShape& shape);

// A packet of 0..max_len bytes drawn mostly from a few values that the
// random constants also favour, so that comparisons sometimes hold.
std::vector<uint8_t> random_packet(std::mt19937& rng, uint32_t max_len);

// A constant a test would find interesting (0, 1, 4, 31, 32, 0xf, ~0, ...).
uint32_t interesting_constant(std::mt19937& rng);

}  // namespace bpfc::testing
