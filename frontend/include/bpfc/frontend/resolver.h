// Name resolution behind an interface, so that tests resolve names from
// fixture files and never through DNS. Lookups are case-insensitive for host
// and network names, as libpcap's are through the system resolver.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfc {

using Ipv4Addr = uint32_t;                 // host byte order
using Ipv6Addr = std::array<uint8_t, 16>;  // network byte order
using MacAddr = std::array<uint8_t, 6>;

class NameResolver {
 public:
  virtual ~NameResolver() = default;
  // hosts(5) / getaddrinfo(): every address of the name, in file order.
  virtual std::vector<Ipv4Addr> host_ipv4(std::string_view name) const = 0;
  virtual std::vector<Ipv6Addr> host_ipv6(std::string_view name) const = 0;
  // ethers(5).
  virtual std::optional<MacAddr> ether(std::string_view name) const = 0;
  // networks(5): the network number as getnetbyname() returns it.
  virtual std::optional<uint32_t> network(std::string_view name) const = 0;
  // services(5): the port of `name` for protocol "tcp", "udp" or "sctp".
  virtual std::optional<uint16_t> service(std::string_view name, std::string_view proto) const = 0;
  // protocols(5): the IP protocol number of `name`.
  virtual std::optional<uint8_t> protocol(std::string_view name) const = 0;
};

// Resolves nothing: for compiles that must look nothing up (numeric probes)
// and for checks given no resolver.
const NameResolver& empty_resolver();

// Reads hosts, ethers, networks, services and protocols files from a directory
// (any that are missing resolve nothing). Used by tests with fixture files.
std::unique_ptr<NameResolver> make_file_resolver(const std::string& directory);

// The system's view: /etc/hosts and getaddrinfo(), /etc/ethers, getnetbyname(),
// getservbyname(), getprotobyname().
std::unique_ptr<NameResolver> make_system_resolver();

}  // namespace bpfc
