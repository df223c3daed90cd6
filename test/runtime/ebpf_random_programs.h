// Random eBPF programs that both run_ebpf() and the kernel verifier accept:
// straight-line code with forward conditional branches over numbers only
// (r0, r7, r8, r9), plus LD_ABS/LD_IND through the context in r6 and stores
// and loads of every width in the stack's top 64 bytes (written first). Every
// ALU/ALU64 operation (both operand sources, BPF_END both ways), every
// conditional JMP/JMP32 comparison and ld_imm64 appear; division/modulus by a
// register that may be 0 and register shift amounts beyond the width are
// included, constant ones are kept in range (the verifier refuses them).
#pragma once

#include <cstdint>
#include <random>

#include "bpfc/ebpf/insn.h"

namespace bpfc::runtime::testing {

class RandomEbpfPrograms {
 public:
  explicit RandomEbpfPrograms(uint64_t seed) : rng_(seed) {}

  // A program of about `body` instructions before its epilogue, which folds
  // r7-r9 into r0 (and r0's high half into its low half) so that every
  // register's value reaches the 32-bit return value. Without
  // `legacy_loads` it has no LD_ABS/LD_IND and runs in every hook (XDP too).
  ebpf::Program next(unsigned body, bool legacy_loads = true);

 private:
  uint32_t below(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  int32_t interesting_imm();
  uint8_t scalar_reg();
  std::mt19937_64 rng_;
};

}  // namespace bpfc::runtime::testing
