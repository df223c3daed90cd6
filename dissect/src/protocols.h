// The protocol printers and how they hand over to each other. Each takes
// the bytes from its header on (`b`) and the length its lower layer says it
// has (`length`, which may exceed what was captured).
#pragma once

#include <cstdint>

#include "bytes.h"
#include "checksum.h"
#include "context.h"

namespace bpfc::dissect {

// The IP header a transport header belongs to: where its addresses are and
// whether its own protocol field names the transport (tcpdump prints the
// addresses with the ports only then).
struct IpHeader {
  const uint8_t* header = nullptr;
  bool v6 = false;
  // From the IP header to the end of the datagram, as far as captured.
  Bytes datagram;

  uint8_t protocol_field() const { return v6 ? header[6] : header[9]; }
  void source(Text& o) const { v6 ? o.ipv6(header + 8) : o.ipv4(header + 12); }
  void destination(Text& o) const { v6 ? o.ipv6(header + 24) : o.ipv4(header + 16); }
  void addresses(Text& o) const {
    source(o);
    o << " > ";
    destination(o);
  }
  // Adds the pseudo-header of TCP, UDP and ICMPv6 checksums (RFC 768,
  // RFC 8200 section 8.1) for `length` bytes of `protocol`: the final
  // destination of a source route, as the receiver will see it.
  void add_pseudo_header(Checksum& sum, uint8_t protocol, uint32_t length) const;
};

// Link layers: each sets c.link_header_length.
void print_ethernet(Context& c, Bytes b, uint32_t length);
void print_linux_sll(Context& c, Bytes b, uint32_t length);
void print_linux_sll2(Context& c, Bytes b, uint32_t length);
void print_bsd_loopback(Context& c, Bytes b, uint32_t length);
// Raw IP: the version nibble decides.
void print_raw_ip(Context& c, Bytes b, uint32_t length);

// What follows a link layer whose type field is an ethertype. False for an
// ethertype without a printer (nothing printed then).
bool print_ethertype_payload(Context& c, uint16_t type, Bytes b, uint32_t length);
// tcpdump's name for an ethertype, or an empty view.
std::string_view ethertype_name(uint16_t type);

void print_arp(Context& c, Bytes b, uint32_t length);
void print_ipv4(Context& c, Bytes b, uint32_t length);
void print_ipv6(Context& c, Bytes b, uint32_t length);
// The layer above IP, chosen by the protocol field (IPv4) or the last next
// header (IPv6). `fragmented`: more fragments follow.
void print_ip_payload(Context& c, uint8_t protocol, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
// tcpdump's name for an IP protocol ("TCP"), or an empty view.
std::string_view ip_protocol_name(uint8_t protocol);

// Printers of what IP carries, all of one shape so that a table can hold them.
using IpProtocolPrinter = void (*)(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_tcp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_udp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_icmp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_icmp6(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_esp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_ipcomp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_gre(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_pim(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
void print_vrrp(Context& c, Bytes b, uint32_t length, const IpHeader& ip, bool fragmented);
// AH: prints the header and returns its length (what follows is printed by
// the IP protocol table again), or 0 when the line ends there.
uint32_t print_ah(Context& c, Bytes b);

// Protocols below or beside IP.
void print_mpls(Context& c, Bytes b, uint32_t length);
void print_pppoe(Context& c, Bytes b, uint32_t length);
// PPP from its address and control fields (if present) on; returns the
// length of its header.
uint32_t print_ppp(Context& c, Bytes b, uint32_t length);
void print_ipx(Context& c, Bytes b, uint32_t length);
void print_decnet(Context& c, Bytes b, uint32_t length);

// The link-level addresses an 802.2 LLC printer names when it cannot
// dissect the payload (none for Linux cooked captures).
struct LinkAddresses {
  const uint8_t* source = nullptr;
  const uint8_t* destination = nullptr;
};
// 802.2 LLC (and SNAP) from its header on. Returns the header length
// counted as link layer; negative (its negation) when tcpdump would dump
// the payload it could not dissect.
int print_llc(Context& c, Bytes b, uint32_t length, const LinkAddresses& addresses);
// tcpdump's name of an organisationally unique identifier, or an empty view.
std::string_view oui_name(uint32_t oui);

}  // namespace bpfc::dissect
