// Assertions shared by the equivalence tests. They do not take the checker's
// word: a proof is cross-checked on pseudo-random packets, and a
// counterexample is replayed through run_cbpf here (the checker replays it
// too; a disagreement is an encoding bug and must fail loudly).
#pragma once

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "bpfc/runtime/equivalence.h"

namespace bpfc::equivtest {

using runtime::Counterexample;
using runtime::EquivalenceComparison;
using runtime::EquivalenceOptions;
using runtime::EquivalenceResult;
using runtime::EquivalenceVerdict;
using runtime::UnknownReason;

// A program from a tcpdump -d style listing ("(000) ldh [12]" ...); fails the
// calling test when the listing does not assemble.
inline cbpf::Program listing(const std::string& text) {
  auto program = cbpf::parse_program(text);
  EXPECT_TRUE(program.ok()) << (program.ok() ? "" : program.error().message) << "\n" << text;
  return program.ok() ? *program : cbpf::Program{};
}

inline std::string hex(const std::vector<uint8_t>& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : bytes) {
    text.push_back(digits[byte >> 4]);
    text.push_back(digits[byte & 0xf]);
  }
  return text;
}

inline bool results_differ(uint32_t a, uint32_t b, EquivalenceComparison compare) {
  return compare == EquivalenceComparison::Verdict ? (a == 0) != (b == 0) : a != b;
}

// Packets whose bytes favour the values filters test (0, 0xff, small
// numbers, IPv4/IPv6 markers), of every length in the options' range.
class PacketSampler {
 public:
  explicit PacketSampler(uint32_t seed) : rng_(seed) {}

  std::vector<uint8_t> packet(uint32_t min_length, uint32_t max_length) {
    std::uniform_int_distribution<uint32_t> length(min_length, max_length);
    std::vector<uint8_t> bytes(length(rng_));
    for (uint8_t& byte : bytes) byte = next_byte();
    return bytes;
  }

  uint32_t wirelen(uint32_t caplen) {
    switch (rng_() % 4) {
      case 0:
        return caplen;
      case 1:
        return caplen + static_cast<uint32_t>(rng_() % 64);
      case 2:
        return caplen + static_cast<uint32_t>(rng_() % 2000);
      default:
        return std::uniform_int_distribution<uint32_t>(caplen, 0xffffffffu)(rng_);
    }
  }

 private:
  uint8_t next_byte() {
    static constexpr uint8_t kFavourites[] = {0x00, 0xff, 0x01, 0x02, 0x04, 0x06, 0x08, 0x11,
                                              0x45, 0x60, 0x81, 0x86, 0xdd, 0x88, 0x0f, 0x80};
    return rng_() % 2 ? kFavourites[rng_() % sizeof kFavourites] : static_cast<uint8_t>(rng_());
  }

  std::mt19937 rng_;
};

inline std::string describe_programs(const cbpf::Program& a, const cbpf::Program& b) {
  return "A:\n" + cbpf::format_listing(a) + "B:\n" + cbpf::format_listing(b);
}

// No sampled packet in the range tells a and b apart (a cross-check of a
// proof of equivalence).
inline ::testing::AssertionResult agree_on_samples(const cbpf::Program& a, const cbpf::Program& b,
                                                   const EquivalenceOptions& options, int sampled_packets) {
  PacketSampler sampler(12345);
  for (int i = 0; i < sampled_packets; ++i) {
    std::vector<uint8_t> packet = sampler.packet(options.min_length, options.max_length);
    const uint32_t wirelen = sampler.wirelen(static_cast<uint32_t>(packet.size()));
    const uint32_t value_a = runtime::run_cbpf(a, packet, wirelen);
    const uint32_t value_b = runtime::run_cbpf(b, packet, wirelen);
    if (results_differ(value_a, value_b, options.compare)) {
      return ::testing::AssertionFailure() << "ENCODING BUG: proved equivalent, but packet " << hex(packet)
                                           << " (wirelen " << wirelen << ") gives " << value_a << " and "
                                           << value_b << "\n"
                                           << describe_programs(a, b);
    }
  }
  return ::testing::AssertionSuccess();
}

// `result` is Different with a counterexample inside the range that run_cbpf
// confirms with exactly the values reported.
inline ::testing::AssertionResult is_confirmed_difference(const cbpf::Program& a, const cbpf::Program& b,
                                                          const EquivalenceOptions& options,
                                                          const EquivalenceResult& result) {
  if (result.verdict != EquivalenceVerdict::Different) {
    return ::testing::AssertionFailure() << "no difference found: " << result.message << "\n"
                                         << describe_programs(a, b);
  }
  if (!result.counterexample) return ::testing::AssertionFailure() << "Different without a counterexample";
  const Counterexample& example = *result.counterexample;
  const uint32_t caplen = static_cast<uint32_t>(example.packet.size());
  const uint32_t value_a = runtime::run_cbpf(a, example.packet, example.wirelen);
  const uint32_t value_b = runtime::run_cbpf(b, example.packet, example.wirelen);
  std::ostringstream where;
  where << "packet " << hex(example.packet) << " (caplen " << caplen << ", wirelen " << example.wirelen
        << "), reported " << example.value_a << "/" << example.value_b << ", run_cbpf " << value_a << "/"
        << value_b;
  if (caplen < options.min_length || caplen > options.max_length || example.wirelen < caplen) {
    return ::testing::AssertionFailure() << "counterexample outside the range: " << where.str();
  }
  if (value_a != example.value_a || value_b != example.value_b ||
      !results_differ(value_a, value_b, options.compare)) {
    return ::testing::AssertionFailure() << "ENCODING BUG: unconfirmed counterexample: " << where.str() << "\n"
                                         << describe_programs(a, b);
  }
  return ::testing::AssertionSuccess();
}

// The checker proves a ≡ b, and no sampled packet in the range contradicts it.
inline ::testing::AssertionResult proves_equivalent(const cbpf::Program& a, const cbpf::Program& b,
                                                    const EquivalenceOptions& options = {},
                                                    int sampled_packets = 2000) {
  auto result = runtime::check_equivalence(a, b, options);
  if (!result) return ::testing::AssertionFailure() << "error: " << result.error().message;
  if (result->verdict != EquivalenceVerdict::Equivalent) {
    return ::testing::AssertionFailure() << "not proved equivalent: " << result->message << "\n"
                                         << describe_programs(a, b);
  }
  return agree_on_samples(a, b, options, sampled_packets);
}

// The checker finds a counterexample inside the range, and run_cbpf confirms
// it with exactly the values reported. `out` receives it.
inline ::testing::AssertionResult finds_difference(const cbpf::Program& a, const cbpf::Program& b,
                                                   const EquivalenceOptions& options = {},
                                                   Counterexample* out = nullptr) {
  auto result = runtime::check_equivalence(a, b, options);
  if (!result) return ::testing::AssertionFailure() << "error: " << result.error().message;
  auto confirmed = is_confirmed_difference(a, b, options, *result);
  if (confirmed && out != nullptr) *out = *result->counterexample;
  return confirmed;
}

}  // namespace bpfc::equivtest
