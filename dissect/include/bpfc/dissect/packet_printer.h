// Packets as text, the way `tcpdump -n -q` prints them: one line per packet
// with the time and what the link, network and transport headers say, and
// with the options of tcpdump's printing flags (-e, -v, -x, -X, -A, -t...)
// the same additional text, byte for byte.
//
// The wording follows tcpdump 4.99 (-n -q) for Ethernet (with 802.1Q/802.1ad
// tags and 802.3/802.2 LLC/SNAP framing), raw IP (DLT_RAW, DLT_IPV4,
// DLT_IPV6), Linux cooked captures (SLL, SLL2), BSD loopback (NULL, LOOP)
// and, above them, IPv4 (with options) and IPv6 (with hop-by-hop, routing,
// fragment and destination options headers), TCP, UDP, ICMP, ICMPv6 (with
// neighbour discovery options), IGMP, ARP/RARP, MPLS, GRE, AH, ESP, IPComp,
// VRRP (and CARP, printed as VRRP as tcpdump does by default), PIM, PPPoE
// and PPP, IPX and DECnet, IP fragments, unknown IP protocols and unknown
// ethertypes. tcpdump dissects hundreds of further protocols (DNS, STP,
// IS-IS, SCTP...); bpfc does not, so for those its line is shorter than
// tcpdump's; -v details of PIM and of PPP configuration options are left
// out too. Deliberate differences: no line ends in a space (tcpdump leaves
// one on some lines); SLL2 shows the interface index as "ifN" (tcpdump
// looks the index up among the interfaces of the machine reading the file,
// which says nothing about the machine that captured it); link types
// without a dissector print their name and length only.
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

// The packet bytes printed after its line (tcpdump -x, -X, -A).
enum class Dump : uint8_t {
  None,
  Hex,       // -x: "\t0x0000:  4500 0054 ..." lines
  HexAscii,  // -X: the same with the bytes as ASCII beside them
  Ascii,     // -A: the bytes as text, unprintable ones as '.'
};

struct PrintOptions {
  TimeFormat time = TimeFormat::TimeOfDay;  // -t, -tt, -ttt, -tttt, -ttttt
  // Nine fraction digits instead of six (tcpdump --nano).
  bool nanosecond = false;
  // -e: the link-level header (addresses, type, VLAN tags...) on each line.
  bool link_header = false;
  // -v, -vv, -vvv: more fields (IP header fields, checksums...).
  int verbosity = 0;
  Dump dump = Dump::None;
  // -xx, -XX, -AA: dump from the first byte, not from the network layer.
  bool dump_link_header = false;
  // --json: one JSON object per packet instead of text (json_record.h
  // describes its fields); `time` and `dump` do not apply.
  bool json = false;
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
  void append_json(std::string& out, const capture::Packet& packet, uint32_t dlt);

  PrintOptions options_;
  LinktypeNamer linktype_name_;
  TimestampFormat timestamps_;
  std::string json_text_;  // --json: the summary, before it is escaped
};

}  // namespace bpfc::dissect
