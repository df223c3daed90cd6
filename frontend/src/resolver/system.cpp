// The system's NameResolver: the C library's reentrant lookups, as libpcap
// uses them. Host names may go to DNS through getaddrinfo(), so this resolver
// is for the product only; tests use make_file_resolver().
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "bpfc/frontend/resolver.h"

namespace bpfc {
namespace {

// getaddrinfo() for one address family, with the hints libpcap uses.
template <typename Visit>
void for_each_address(std::string_view name, int family, Visit visit) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  addrinfo* results = nullptr;
  if (getaddrinfo(std::string(name).c_str(), nullptr, &hints, &results) != 0) return;
  for (addrinfo* ai = results; ai != nullptr; ai = ai->ai_next)
    if (ai->ai_addr != nullptr && ai->ai_family == family) visit(*ai->ai_addr);
  freeaddrinfo(results);
}

class SystemResolver final : public NameResolver {
 public:
  std::vector<Ipv4Addr> host_ipv4(std::string_view name) const override {
    std::vector<Ipv4Addr> out;
    for_each_address(name, AF_INET, [&](const sockaddr& address) {
      sockaddr_in in4;
      std::memcpy(&in4, &address, sizeof in4);
      out.push_back(ntohl(in4.sin_addr.s_addr));
    });
    return out;
  }
  std::vector<Ipv6Addr> host_ipv6(std::string_view name) const override {
    std::vector<Ipv6Addr> out;
    for_each_address(name, AF_INET6, [&](const sockaddr& address) {
      sockaddr_in6 in6;
      std::memcpy(&in6, &address, sizeof in6);
      Ipv6Addr bytes;
      std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
      out.push_back(bytes);
    });
    return out;
  }
  std::optional<MacAddr> ether(std::string_view name) const override {
    ether_addr address{};
    if (ether_hostton(std::string(name).c_str(), &address) != 0) return std::nullopt;
    MacAddr mac;
    std::memcpy(mac.data(), address.ether_addr_octet, mac.size());
    return mac;
  }
  std::optional<uint32_t> network(std::string_view name) const override {
    netent entry{};
    netent* found = nullptr;
    char buffer[1024];
    int h_error = 0;
    if (getnetbyname_r(std::string(name).c_str(), &entry, buffer, sizeof buffer, &found, &h_error) != 0 ||
        found == nullptr)
      return std::nullopt;
    return found->n_net;
  }
  std::optional<uint16_t> service(std::string_view name, std::string_view proto) const override {
    servent entry{};
    servent* found = nullptr;
    char buffer[1024];
    if (getservbyname_r(std::string(name).c_str(), std::string(proto).c_str(), &entry, buffer,
                        sizeof buffer, &found) != 0 ||
        found == nullptr)
      return std::nullopt;
    return ntohs(static_cast<uint16_t>(found->s_port));
  }
  std::optional<uint8_t> protocol(std::string_view name) const override {
    protoent entry{};
    protoent* found = nullptr;
    char buffer[1024];
    if (getprotobyname_r(std::string(name).c_str(), &entry, buffer, sizeof buffer, &found) != 0 ||
        found == nullptr || found->p_proto < 0 || found->p_proto > 255)
      return std::nullopt;
    return static_cast<uint8_t>(found->p_proto);
  }
};

}  // namespace

std::unique_ptr<NameResolver> make_system_resolver() { return std::make_unique<SystemResolver>(); }

}  // namespace bpfc
