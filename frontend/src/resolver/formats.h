// Parsers for the name-database files the C library reads: hosts(5),
// ethers(5), networks(5), services(5) and protocols(5). Each takes the whole
// file text and returns its entries in file order; malformed lines are
// skipped, as the C library skips them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bpfc/frontend/resolver.h"

namespace bpfc::resolver_formats {

struct HostEntry {
  std::variant<Ipv4Addr, Ipv6Addr> address;
  std::vector<std::string> names;  // canonical name first, then aliases
};
struct EtherEntry {
  MacAddr address;
  std::string name;
};
struct NetworkEntry {
  std::vector<std::string> names;
  uint32_t number = 0;  // as inet_network() returns it: "10.20" is 0x0a14
};
struct ServiceEntry {
  std::vector<std::string> names;
  uint16_t port = 0;
  std::string protocol;  // "tcp", "udp", "sctp", ...
};
struct ProtocolEntry {
  std::vector<std::string> names;
  uint8_t number = 0;
};

std::vector<HostEntry> parse_hosts(std::string_view text);
std::vector<EtherEntry> parse_ethers(std::string_view text);
std::vector<NetworkEntry> parse_networks(std::string_view text);
std::vector<ServiceEntry> parse_services(std::string_view text);
std::vector<ProtocolEntry> parse_protocols(std::string_view text);

// inet_network(3): 1 to 4 dot-separated parts, each decimal, 0x hex or 0
// octal; the parts are packed into the low bytes ("10.20" -> 0x0a14).
std::optional<uint32_t> parse_inet_network(std::string_view text);
// ether_aton(3)-style: six hex bytes of 1 or 2 digits separated by ':'.
std::optional<MacAddr> parse_mac_address(std::string_view text);

}  // namespace bpfc::resolver_formats
