// How the eBPF benchmark hands its packet set to BPF_PROG_TEST_RUN for each
// hook, and what a program there returns for libpcap's verdict.
//
// Socket filter: the test run passes the frame through eth_type_trans
// first, so each frame gets a copy of its Ethernet header in front, with the
// local experimental EtherType 0x88b5 (the kernel then wants no IP header
// behind it): the program sees the original frame from byte 0, and skb->len
// is its length. It returns libpcap's value itself (the bytes to keep).
//
// XDP: the frame goes as it is (at least 14 bytes; the program sees at most
// the first kXdpMaxFrame bytes, so longer frames are refused here). It
// returns XDP_PASS where libpcap accepts, XDP_DROP where it rejects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpfc/ebpf/hook.h"
#include "bpfc/ebpf/insn.h"
#include "exec_packet_set.h"

namespace bpfc::bench {

// What an XDP test run shows of a frame: a page less XDP's headroom and the
// shared-info tail (4096 - 256 - 320).
inline constexpr size_t kXdpMaxFrame = 3520;

struct HookTestRun {
  ebpf::Hook hook = ebpf::Hook::Socket;
  uint32_t prog_type = 0;
  std::vector<std::vector<uint8_t>> frames;  // the packet set's frames, as handed to the test run
  ebpf::Program overhead_program;            // two instructions: the test run's own cost
  std::string overhead_words;                // it, in words
  std::string framing_words;                 // how frames are handed over, in words

  // The return value the hook's program must give where libpcap's
  // bpf_filter() returns `libpcap_verdict`.
  uint32_t expected(uint32_t libpcap_verdict) const;
};

// The test runs for `hook` (Socket or Xdp) of `packets`; an error message
// when a frame cannot be run there (too short, or too long for XDP).
struct HookTestRunOrError {
  HookTestRun run;
  std::string error;
};
HookTestRunOrError make_hook_test_run(ebpf::Hook hook, const PacketSet& packets);

}  // namespace bpfc::bench
