// Differential checks for one pass on many functions: random IR (random_ir.h)
// and filters lowered from real expressions. The pass must leave well-formed
// IR that gives the reference interpreter's verdict of the input on random
// and truncated packets.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/frontend/resolver.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/ir.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/pass_manager.h"
#include "bpfc/driver/compile.h"
#include "random_ir.h"

namespace bpfc::opttest {

using PassUnderTest = std::function<bool(ir::Function&, opt::PassCounters&)>;

// The registered pass `name` (a failing stand-in if there is none).
inline PassUnderTest registered_pass(std::string_view name) {
  if (const opt::Pass* pass = opt::find_pass(name)) return pass->run;
  ADD_FAILURE() << "no pass named " << name;
  return [](ir::Function&, opt::PassCounters&) { return false; };
}

// Runs `pass` on f; false (with a failure recorded) when its output is
// malformed or gives another verdict than f on one of `packets`.
inline bool pass_keeps_verdicts(const PassUnderTest& pass, const ir::Function& f,
                                const std::vector<std::vector<uint8_t>>& packets, const std::string& what) {
  ir::Function after = f;
  opt::PassCounters counters;
  pass(after, counters);
  if (auto problem = ir::verify(after)) {
    ADD_FAILURE() << what << ": malformed output: " << *problem << "\nbefore:\n" << ir::print(f) << "after:\n"
                  << ir::print(after);
    return false;
  }
  for (const auto& packet : packets) {
    for (uint32_t wirelen : {static_cast<uint32_t>(packet.size()), 1514u}) {
      uint32_t want = ir::interpret(f, packet, wirelen);
      uint32_t got = ir::interpret(after, packet, wirelen);
      if (want != got) {
        ADD_FAILURE() << what << ": verdict " << got << " instead of " << want << " on a " << packet.size()
                      << "-byte packet\nbefore:\n" << ir::print(f) << "after:\n" << ir::print(after);
        return false;
      }
    }
  }
  return true;
}

// `count` random functions, each run on packets of every length up to the
// shape's offsets (so every load is also tried past the end).
inline void check_on_random_ir(const PassUnderTest& pass, uint32_t seed, int count,
                               const testing::RandomIrShape& shape = {}) {
  std::mt19937 rng(seed);
  for (int i = 0; i < count; ++i) {
    ir::Function f = testing::random_function(rng, shape);
    if (auto problem = ir::verify(f)) FAIL() << "random IR is malformed: " << *problem;
    std::vector<std::vector<uint8_t>> packets;
    for (int j = 0; j < 48; ++j) packets.push_back(testing::random_packet(rng, shape.max_offset + 8));
    if (!pass_keeps_verdicts(pass, f, packets, "random function " + std::to_string(i))) return;
  }
}

// Expressions whose lowering has repeated loads and tests; names resolve from
// the test fixtures (never the system resolver).
inline const std::vector<std::string>& sample_expressions() {
  static const std::vector<std::string> expressions = {
      "tcp port 80", "portrange 1-1023", "udp src or dst portrange 67-68", "ip and (tcp or udp)",
      "vlan and ip", "vlan 10 and vlan 20", "mpls and mpls 7", "pppoes 3 and ip",
      "geneve and geneve", "geneve 12345", "ip6 and ip6[53] & 2 != 0", "icmp6 or icmp",
      "ip[6:2] & 0x1fff = 0 and ip[2:2] > 100", "ether[12:2] = 0x800 or ether[12:2] = 0x86dd",
      "not (tcp port 22 or tcp port 23)", "host 10.0.0.1 or host 10.0.0.2 or net 192.168.0.0/16",
      "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src net 10.0.0.0/8", "ip6 protochain 6",
      "arp or rarp or (ip and len > 100)", "sctp dst port 5672 or udp port 53",
      "ip proto 6 or ip proto 17 or ip proto 6", "len >= 64 and len <= 1500 and len > 32",
      "ether host 00:11:22:33:44:55 or ether proto 0x800"};
  return expressions;
}

// Ethernet-shaped packets: IPv4/IPv6/VLAN/MPLS/PPPoE ethertypes, common
// protocols and ports, at every length up to 80 bytes.
inline std::vector<std::vector<uint8_t>> ethernet_packets(uint32_t seed) {
  std::mt19937 rng(seed);
  static constexpr uint16_t kEthertypes[] = {0x0800, 0x86dd, 0x8100, 0x8847, 0x8864, 0x0806, 0x8035, 0x0000};
  static constexpr uint8_t kBytes[] = {0, 1, 2, 6, 17, 0x11, 0x45, 0x60, 0x84, 0x50, 0x43, 0x44, 0x35, 0xff, 0x0a, 0x12};
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < 600; ++i) {
    std::vector<uint8_t> p(96);
    for (uint8_t& byte : p) byte = kBytes[rng() % std::size(kBytes)];
    for (size_t at : {12, 16, 20}) {
      if (rng() % 2) {
        uint16_t type = kEthertypes[rng() % std::size(kEthertypes)];
        p[at] = static_cast<uint8_t>(type >> 8);
        p[at + 1] = static_cast<uint8_t>(type);
      }
    }
    if (rng() % 2) p[14] = 0x45;
    p.resize(rng() % 4 == 0 ? rng() % 97 : 54 + rng() % 43);
    packets.push_back(std::move(p));
  }
  return packets;
}

// The lowering of each sample expression (no pass run), then `pass`.
inline void check_on_lowered_filters(const PassUnderTest& pass) {
  auto resolver = make_file_resolver(BPFC_TEST_DIR "/fixtures/names");
  const auto packets = ethernet_packets(7);
  for (const std::string& expression : sample_expressions()) {
    CompileOptions options;
    options.resolver = resolver.get();
    options.passes = std::vector<opt::Pass>{};
    auto lowered = compile_to_ir(expression, options);
    if (!lowered) {
      ADD_FAILURE() << expression << ": " << lowered.errors().front().message;
      continue;
    }
    pass_keeps_verdicts(pass, *lowered, packets, expression);
  }
}

}  // namespace bpfc::opttest
