// The daemon's capture: an AF_PACKET socket on one interface with the
// client's classic BPF filter in the kernel. Small on purpose: the daemon
// links no compiler, so it cannot use LiveSource (whose user-space filter
// fallback runs the IR interpreter and exec engines); a client's filter is
// classic BPF that the kernel runs itself, or the capture does not start.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bpfc/cbpf/insn.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::capture::rpcap::server {

// The DLT_ value of captures on `device`, or why it cannot be captured on.
Result<int32_t> device_dlt(const std::string& device);

struct CapturedPacket {
  uint64_t timestamp_us = 0;
  uint32_t wirelen = 0;
  std::span<const uint8_t> data;  // valid until the next receive()
};

struct PacketCounts {
  uint64_t received = 0;  // accepted by the filter (tp_packets)
  uint64_t dropped = 0;   // accepted but no room (tp_drops)
};

class PacketSocket {
 public:
  struct Options {
    std::string device;
    uint32_t snaplen = 65535;
    bool promiscuous = false;
    bool inbound_only = false, outbound_only = false;
    cbpf::Program filter;  // empty: every packet
  };
  static Result<std::unique_ptr<PacketSocket>> open(const Options& options);
  ~PacketSocket();
  PacketSocket(const PacketSocket&) = delete;
  PacketSocket& operator=(const PacketSocket&) = delete;

  // Waits up to `wait_ms` for one packet; nullopt when none came (or it was
  // one the capture skips). An error when the socket failed.
  Result<std::optional<CapturedPacket>> receive(int wait_ms);
  // Replaces the filter; packets queued under the old one are dropped.
  std::optional<std::string> set_filter(const cbpf::Program& filter);
  PacketCounts counts();
  int fd() const { return fd_; }

 private:
  PacketSocket() = default;
  int fd_ = -1;
  int ifindex_ = 0;
  bool loopback_ = false;
  Options options_;
  std::vector<uint8_t> buffer_;
  PacketCounts total_;
};

}  // namespace bpfc::capture::rpcap::server
