// Packets as text, the way `tcpdump -n -q` prints them: one line per packet
// with the time and what the link, network and transport headers say.
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
//
// The printer never writes anywhere itself: it appends to a buffer that the
// caller owns and writes out in large pieces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bpfc/capture/packet.h"
#include "bpfc/dissect/timestamp_format.h"

namespace bpfc::dissect {

struct PrintOptions {
  // Nine fraction digits instead of six (tcpdump --nano).
  bool nanosecond = false;
};

// The name of a DLT_ value ("EN10MB"), for link types without a dissector;
// null prints the number.
using LinktypeNamer = std::optional<std::string_view> (*)(uint32_t dlt);

class PacketPrinter {
 public:
  explicit PacketPrinter(const PrintOptions& options, LinktypeNamer linktype_name = nullptr);

  // Appends the text for `packet`, interpreted as link type `dlt` (a DLT_
  // value), final newline included. Allocates only when `out` has to grow.
  void append(std::string& out, const capture::Packet& packet, uint32_t dlt);

 private:
  PrintOptions options_;
  LinktypeNamer linktype_name_;
  TimestampFormat timestamps_;
};

}  // namespace bpfc::dissect
