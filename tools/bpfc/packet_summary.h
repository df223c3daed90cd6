// One text line per packet in the style of `tcpdump -n -q`: the local time
// of day, then what the link, network and transport headers say.
//
// The wording follows tcpdump 4.99 (-n -q) for Ethernet (with 802.1Q/802.1ad
// tags), raw IP (DLT_RAW, DLT_IPV4, DLT_IPV6), Linux cooked captures (SLL,
// SLL2), BSD loopback (NULL, LOOP) and, above them, IPv4 and IPv6 with TCP,
// UDP, ICMP and ICMPv6, ARP/RARP, IP fragments, unknown IP protocols and
// unknown ethertypes. tcpdump dissects hundreds of further protocols; bpfc
// does not, so for those (DNS, AH, GRE, 802.3/LLC, IPv6 extension headers...)
// its line is shorter than tcpdump's. Where tcpdump would add a hex dump on
// following lines, bpfc prints only tcpdump's first line. Two deliberate
// differences: SLL2 shows the interface index as "ifN" (tcpdump looks the
// index up among the interfaces of the machine reading the file, which says
// nothing about the machine that captured it), and other link types print
// their name and length only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "bpfc/capture/packet.h"

namespace bpfc::cli {

class PacketSummary {
 public:
  // `nanosecond`: nine fraction digits instead of six (tcpdump --nano).
  explicit PacketSummary(bool nanosecond) : nanosecond_(nanosecond) {}

  // Appends the line for `packet`, interpreted as link type `dlt` (a DLT_
  // value), newline included. Allocates only when `out` has to grow.
  void append(std::string& out, const capture::Packet& packet, uint32_t dlt);

 private:
  void append_time(std::string& out, int64_t timestamp_ns);

  bool nanosecond_;
  // localtime_r() per packet is costly; packets mostly share the second of
  // their predecessor.
  int64_t cached_second_ = INT64_MIN;
  char cached_clock_[8] = {};
};

// Summary lines written to a stream in large batches (one fwrite per batch,
// not per line).
class SummaryWriter {
 public:
  SummaryWriter(std::FILE* out, bool nanosecond);
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  // False once writing has failed.
  bool write(const capture::Packet& packet, uint32_t dlt);
  bool flush();
  bool failed() const { return failed_; }

 private:
  static constexpr size_t kBatchBytes = 1 << 20;

  std::FILE* out_;
  PacketSummary summary_;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace bpfc::cli
