// From IP to what it carries: one table of IP protocols with their
// printers, and tcpdump's names for the protocol numbers.
#include "ip_protocols.h"
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

struct IpProtocolEntry {
  uint8_t protocol;
  IpProtocolPrinter print;
  // 4 or 6: the IP version the protocol belongs to (tcpdump refuses it over
  // the other one); 0: either.
  uint8_t version;
};

void print_ipv4_in_ip(Context& c, Bytes b, uint32_t length, const IpHeader&, bool) { print_ipv4(c, b, length); }
void print_ipv6_in_ip(Context& c, Bytes b, uint32_t length, const IpHeader&, bool) { print_ipv6(c, b, length); }
void print_no_next_header(Context& c, Bytes, uint32_t, const IpHeader&, bool) { c.o << "no next header"; }
void print_nd(Context& c, Bytes, uint32_t length, const IpHeader&, bool) { c.o.print(" nd {}", length); }
// tcpdump -q names IGMP and stops there.
void print_igmp(Context& c, Bytes, uint32_t, const IpHeader&, bool) { c.o << "igmp"; }

constexpr IpProtocolEntry kPrinters[] = {
    {ip_protocol::kTcp, print_tcp, 0},
    {ip_protocol::kUdp, print_udp, 0},
    {ip_protocol::kIcmp, print_icmp, 4},
    {ip_protocol::kIcmpv6, print_icmp6, 6},
    {ip_protocol::kIgmp, print_igmp, 4},
    {ip_protocol::kIpv4, print_ipv4_in_ip, 0},
    {ip_protocol::kIpv6, print_ipv6_in_ip, 0},
    {ip_protocol::kNoNext, print_no_next_header, 0},
    {ip_protocol::kNd, print_nd, 0},
    {ip_protocol::kEsp, print_esp, 0},
    {ip_protocol::kIpcomp, print_ipcomp, 0},
    {ip_protocol::kGre, print_gre, 0},
    {ip_protocol::kPim, print_pim, 0},
    {ip_protocol::kVrrp, print_vrrp, 0},
};

constexpr Name kIpProtocolNames[] = {
    {0, "Options"},   {1, "ICMP"},         {2, "IGMP"},       {4, "IPIP"},        {6, "TCP"},
    {8, "EGP"},       {9, "IGRP"},         {17, "UDP"},       {33, "DCCP"},       {41, "IPv6"},
    {43, "Routing"},  {44, "Fragment"},    {46, "RSVP"},      {47, "GRE"},        {50, "ESP"},
    {51, "AH"},       {55, "Mobile IP"},   {58, "ICMPv6"},    {62, "Mobile IP (old)"},
    {88, "EIGRP"},    {89, "OSPF"},        {103, "PIM"},      {108, "Compressed IP"},
    {112, "VRRP"},    {113, "PGM"},        {132, "SCTP"},     {135, "Mobility"},  {143, "Ethernet"},
};

}  // namespace

std::string_view ip_protocol_name(uint8_t protocol) { return name_of(kIpProtocolNames, protocol); }

void print_ip_payload(Context& c, uint8_t protocol, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented) {
  // Authentication headers come before what they authenticate, any number
  // of them.
  while (protocol == ip_protocol::kAh) {
    if (!b.has(0, 1)) return c.o.truncated("ah");
    uint8_t next = b.u8(0);
    uint32_t advance = print_ah(c, b);
    if (advance == 0) return;
    b = b.from(advance);
    length -= advance;  // may wrap, as in tcpdump
    protocol = next;
  }
  if (c.facts != nullptr) c.facts->ip_protocol = protocol;
  for (const IpProtocolEntry& entry : kPrinters) {
    if (entry.protocol != protocol) continue;
    if (entry.version != 0 && entry.version != (ip.v6 ? 6 : 4)) {
      c.o.print("[{} requires IPv{}]", ip_protocol_name(protocol), entry.version);
      c.o.invalid();
      return;
    }
    if (entry.print == nullptr) break;
    return entry.print(c, b, length, ip, fragmented);
  }
  if (protocol == ip_protocol::kSctp || protocol == ip_protocol::kDccp) {
    // tcpdump prints these with ports; bpfc does not dissect them, but
    // still shows the addresses.
    ip.addresses(c.o);
    c.o << ": ";
  }
  c.o.print(" ip-proto-{} {}", protocol, length);
}

}  // namespace bpfc::dissect
