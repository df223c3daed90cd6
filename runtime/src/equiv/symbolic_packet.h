// A packet whose every byte, captured length and wire length are unknowns of
// a Z3 formula, and the loads run_cbpf performs on it.
#pragma once

#include <cstdint>
#include <vector>

#include <z3++.h>

namespace bpfc::runtime::equiv {

// What a load gives: whether it stays inside the captured bytes (if not, the
// program returns 0 at once) and, when it does, the big-endian value read.
struct SymbolicLoad {
  z3::expr in_bounds;  // Bool
  z3::expr value;      // BV32; meaningless where !in_bounds
};

class SymbolicPacket {
 public:
  // Bytes 0..max_length-1 are unknowns; caplen is constrained to
  // min_length..max_length and wirelen to at least caplen (see constraints()).
  SymbolicPacket(z3::context& ctx, uint32_t min_length, uint32_t max_length);

  z3::context& ctx() const { return *ctx_; }
  const z3::expr& caplen() const { return caplen_; }    // BV32
  const z3::expr& wirelen() const { return wirelen_; }  // BV32
  const z3::expr& byte(uint32_t index) const { return bytes_[index]; }  // BV8
  uint32_t min_length() const { return min_length_; }
  uint32_t max_length() const { return max_length_; }

  // The range of caplen and wirelen >= caplen.
  z3::expr constraints() const;

  // ld [k] of `size` bytes (1, 2 or 4).
  SymbolicLoad load_absolute(uint32_t offset, unsigned size) const;
  // ld [x + k]: the offset is computed without 32-bit wrap-around, as
  // run_cbpf does, so an x + k that overflows is out of bounds.
  SymbolicLoad load_indirect(const z3::expr& x, uint32_t k, unsigned size) const;

 private:
  // The `size` bytes at a constant offset that fits in the packet, as BV32
  // (bytes_at) or as a bit-vector of 8 * size bits (narrow_bytes_at).
  z3::expr bytes_at(uint32_t offset, unsigned size) const;
  z3::expr narrow_bytes_at(uint32_t offset, unsigned size) const;

  z3::context* ctx_;
  uint32_t min_length_;
  uint32_t max_length_;
  z3::expr caplen_;
  z3::expr wirelen_;
  std::vector<z3::expr> bytes_;
};

}  // namespace bpfc::runtime::equiv
