// The JSON form of a printed packet (bpfc filter --json): one object per
// line, its fields those the summary line shows. Fields whose layer the
// packet does not have (or that were not captured) are left out.
//
//   time       "2023-11-14T22:13:20.123456Z": the capture time in UTC,
//              RFC 3339, six fraction digits (nine with --nano)
//   epoch      1700000000.123456: the same as seconds since the epoch (a
//              number; with --nano, nine digits, beyond a double's precision)
//   caplen     bytes captured
//   len        bytes on the wire
//   link       the link type's name ("EN10MB") or number
//   eth_src, eth_dst   MAC addresses ("00:11:22:33:44:55")
//   ethertype  the final type field, after VLAN tags (a number)
//   vlan       the VLAN IDs of the tags, outermost first (an array)
//   network    "IPv4", "IPv6" or "ARP"
//   src, dst   the IP addresses (ARP: sender and target protocol
//              addresses); of the innermost datagram when IP is tunnelled
//   ip_proto   the IP protocol or last IPv6 next header (a number)
//   transport  "tcp", "udp", "icmp" or "icmp6"
//   sport, dport   TCP and UDP ports (numbers)
//   length     the payload length the summary gives: "tcp 20" and
//              "UDP, length 20" give 20; ICMP and ICMPv6 their message's
//   summary    the summary line without the time, as bpfc prints it with
//              the same -e and -v (which add to it, newlines included)
#pragma once
