// The checks every libpcap-issue regression test makes: bpfc's verdict at
// -O0, -O1 and -O2 on hand-built packets, agreement with libpcap 1.10.3 where
// 1.10.3 is right, and what Z3 says about bpfc -O2 against bpfc -O0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packet_builder.h"

namespace bpfc::regress {

// A packet and the right verdict for it. The verdicts at -O0 and at -O1/-O2
// differ only where libpcap's optimize=1 and optimize=0 semantics differ (a
// load past the captured bytes that libpcap's optimizer removes).
struct Probe {
  std::string what;
  Bytes packet;
  uint32_t wirelen = 0;  // 0: the packet's size
  bool accept_optimized = false;
  bool accept_unoptimized = false;
};

Probe probe(std::string what, Bytes packet, bool accept, uint32_t wirelen = 0);

// Whether libpcap 1.10.3, at one optimize setting, is a trustworthy oracle
// for the expression.
enum class Oracle {
  Right,        // assert bpfc agrees with its pcap_compile + bpf_filter
  Wrong,        // 1.10.3 has the bug: bpfc must be right instead (its answer is only printed)
  Unavailable,  // 1.10.3 does not know the syntax
};

// bpfc at -O0, -O1 and -O2 gives every probe its right verdict (an accepting
// filter returns the snapshot length), and agrees with libpcap 1.10.3's
// optimize=0 program (for -O0) and optimize=1 program (for -O1 and -O2)
// wherever that one is marked Right.
void expect_right_verdicts(const std::string& expr, const std::vector<Probe>& probes, Oracle libpcap_unoptimized,
                           Oracle libpcap_optimized);

// Z3 proves bpfc's -O2 program returns what its -O0 program returns on every
// packet up to 128 bytes.
void expect_optimized_equals_unoptimized(const std::string& expr);

// bpfc's -O2 and -O0 programs differ, and on purpose: libpcap 1.10.3's
// optimize=1 and optimize=0 programs give, on bpfc's counterexample, exactly
// the values bpfc's -O2 and -O0 programs give.
void expect_levels_differ_as_libpcap_does(const std::string& expr);

}  // namespace bpfc::regress
