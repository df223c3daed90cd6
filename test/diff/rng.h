// A small deterministic random generator (splitmix64), so that the generated
// packets and expressions are the same on every machine and standard library.
#pragma once

#include <cstdint>
#include <vector>

namespace bpfc::difftest {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0. The modulo bias is irrelevant for testing.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  bool percent(uint32_t p) { return below(100) < p; }
  uint8_t byte() { return static_cast<uint8_t>(next()); }
  template <typename T>
  const T& pick(const std::vector<T>& values) {
    return values[below(static_cast<uint32_t>(values.size()))];
  }

 private:
  uint64_t state_;
};

}  // namespace bpfc::difftest
