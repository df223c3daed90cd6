// Running one optimizer pass on IR written as text, for the pass unit tests:
// the input and output must be well formed, the output must give the same
// verdict as the input on many packets (truncated ones included), and the
// output is compared as text with the expected IR (normalized through the
// parser and printer, so expectations may use decimal constants).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/ir.h"
#include "bpfc/ir/parser.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/pass_manager.h"

namespace bpfc::opttest {

struct PassOutcome {
  bool changed = false;
  std::string ir;
  opt::PassCounters counters;

  uint64_t counter(std::string_view what) const {
    for (const auto& [name, count] : counters.entries()) {
      if (name == what) return count;
    }
    return 0;
  }
};

inline ir::Function parse_ir(std::string_view text) {
  auto parsed = ir::parse(text);
  if (!parsed) {
    ADD_FAILURE() << "IR text does not parse: " << parsed.error().message << "\n" << text;
    return {};
  }
  return std::move(*parsed);
}

inline std::string normalized(std::string_view text) { return ir::print(parse_ir(text)); }

// Packets of every length up to max_length (so every load is also tried
// truncated), with bytes drawn mostly from small values and 0xff so that
// comparisons with small constants go both ways.
inline std::vector<std::vector<uint8_t>> probe_packets(size_t max_length = 48, int per_length = 24) {
  std::mt19937 rng(12345);
  std::vector<std::vector<uint8_t>> packets;
  for (size_t length = 0; length <= max_length; ++length) {
    for (int i = 0; i < per_length; ++i) {
      std::vector<uint8_t> p(length);
      for (uint8_t& byte : p) {
        switch (rng() % 4) {
          case 0: byte = 0; break;
          case 1: byte = static_cast<uint8_t>(rng() % 4); break;
          case 2: byte = 0xff; break;
          default: byte = static_cast<uint8_t>(rng()); break;
        }
      }
      packets.push_back(std::move(p));
    }
  }
  return packets;
}

inline void expect_same_verdicts(const ir::Function& before, const ir::Function& after) {
  static const auto packets = probe_packets();
  int reported = 0;
  for (const auto& p : packets) {
    for (uint32_t wirelen : {static_cast<uint32_t>(p.size()), 1500u}) {
      const uint32_t want = ir::interpret(before, p, wirelen);
      const uint32_t got = ir::interpret(after, p, wirelen);
      if (want != got && reported++ < 3) {
        ADD_FAILURE() << "verdict changed on a " << p.size() << "-byte packet (wirelen " << wirelen << "): " << want
                      << " before, " << got << " after\n"
                      << ir::print(after);
      }
    }
  }
}

// Runs the registered pass `name` once on `text`.
inline PassOutcome run_pass(std::string_view name, std::string_view text, bool input_must_verify = true) {
  PassOutcome outcome;
  const opt::Pass* pass = opt::find_pass(name);
  if (pass == nullptr) {
    ADD_FAILURE() << "no pass named " << name;
    return outcome;
  }
  ir::Function f = parse_ir(text);
  if (input_must_verify) {
    if (auto problem = ir::verify(f)) ADD_FAILURE() << "the test's input is malformed: " << *problem;
  }
  const ir::Function before = f;
  outcome.changed = pass->run(f, outcome.counters);
  outcome.ir = ir::print(f);
  if (auto problem = ir::verify(f)) {
    ADD_FAILURE() << name << " left malformed IR: " << *problem << "\n" << outcome.ir;
    return outcome;
  }
  if (input_must_verify) expect_same_verdicts(before, f);
  return outcome;
}

}  // namespace bpfc::opttest
