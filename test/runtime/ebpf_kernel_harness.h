// Runs one eBPF program both in run_ebpf() and in the kernel
// (BPF_PROG_TEST_RUN), giving both the same view of the packet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bpfc/runtime/ebpf_kernel.h"
#include "bpfc/runtime/ebpf_vm.h"

namespace bpfc::runtime::testing {

// The ethertype put in front of what a socket filter sees: one with no
// length rules in BPF_PROG_TEST_RUN (IPv4 and IPv6 frames have minimums).
inline constexpr uint16_t kNeutralEthertype = 0x88b5;

// What the kernel is given so that a socket filter sees exactly `seen`: an
// Ethernet header (destination 00:00:00:00:00:00, loopback's address, so
// pkt_type is PACKET_HOST) in front, which eth_type_trans() takes off.
std::vector<uint8_t> socket_frame(std::span<const uint8_t> seen, uint16_t ethertype = kNeutralEthertype);

// The context run_ebpf() needs to see what the kernel's test run shows the
// program: for socket filters `seen` behind socket_frame()'s header; for tc
// and XDP the frame itself; ifindex 1 (loopback).
EbpfContext kernel_like_context(ebpf::Hook hook, std::span<const uint8_t> packet,
                                uint16_t ethertype = kNeutralEthertype);

struct BothResults {
  std::optional<uint32_t> kernel;  // nullopt: the kernel run failed (error says why)
  EbpfRun vm;
  std::string error;
};

// A program loaded once, run on many packets in both engines.
class KernelAndVm {
 public:
  // Loads `program` for `hook` (Socket, Tc or Xdp); load_error() is set when
  // the kernel refused it.
  KernelAndVm(ebpf::Program program, ebpf::Hook hook);
  const std::optional<KernelError>& load_error() const { return load_error_; }

  // Runs on `packet` as the program sees it (see kernel_like_context).
  BothResults run(std::span<const uint8_t> packet) const;

 private:
  ebpf::Program program_;
  ebpf::Hook hook_;
  ProgramFd fd_;
  std::optional<KernelError> load_error_;
};

}  // namespace bpfc::runtime::testing
