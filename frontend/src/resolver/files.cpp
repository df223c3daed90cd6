// A NameResolver over hosts/ethers/networks/services/protocols files in one
// directory, matching names the way glibc's "files" databases do: host,
// ether and network names case-insensitively, service and protocol names
// exactly. Files are read once, when the resolver is made.
#include <fstream>
#include <sstream>

#include "bpfc/frontend/resolver.h"
#include "bpfc/support/text.h"
#include "resolver/formats.h"

namespace bpfc {
namespace {

using namespace resolver_formats;

std::string read_file_or_empty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool names_contain(const std::vector<std::string>& names, std::string_view name, bool ignore_case) {
  for (const auto& candidate : names)
    if (ignore_case ? equals_ignoring_case(candidate, name) : candidate == name) return true;
  return false;
}

class FileResolver final : public NameResolver {
 public:
  explicit FileResolver(const std::string& directory)
      : hosts_(parse_hosts(read_file_or_empty(directory + "/hosts"))),
        ethers_(parse_ethers(read_file_or_empty(directory + "/ethers"))),
        networks_(parse_networks(read_file_or_empty(directory + "/networks"))),
        services_(parse_services(read_file_or_empty(directory + "/services"))),
        protocols_(parse_protocols(read_file_or_empty(directory + "/protocols"))) {}

  std::vector<Ipv4Addr> host_ipv4(std::string_view name) const override {
    return host_addresses<Ipv4Addr>(name);
  }
  std::vector<Ipv6Addr> host_ipv6(std::string_view name) const override {
    return host_addresses<Ipv6Addr>(name);
  }
  std::optional<MacAddr> ether(std::string_view name) const override {
    for (const auto& entry : ethers_)
      if (equals_ignoring_case(entry.name, name)) return entry.address;
    return std::nullopt;
  }
  std::optional<uint32_t> network(std::string_view name) const override {
    for (const auto& entry : networks_)
      if (names_contain(entry.names, name, /*ignore_case=*/true)) return entry.number;
    return std::nullopt;
  }
  std::optional<uint16_t> service(std::string_view name, std::string_view proto) const override {
    for (const auto& entry : services_)
      if (entry.protocol == proto && names_contain(entry.names, name, /*ignore_case=*/false))
        return entry.port;
    return std::nullopt;
  }
  std::optional<uint8_t> protocol(std::string_view name) const override {
    for (const auto& entry : protocols_)
      if (names_contain(entry.names, name, /*ignore_case=*/false)) return entry.number;
    return std::nullopt;
  }

 private:
  template <typename Address>
  std::vector<Address> host_addresses(std::string_view name) const {
    std::vector<Address> out;
    for (const auto& entry : hosts_)
      if (const auto* address = std::get_if<Address>(&entry.address);
          address && names_contain(entry.names, name, /*ignore_case=*/true))
        out.push_back(*address);
    return out;
  }

  std::vector<HostEntry> hosts_;
  std::vector<EtherEntry> ethers_;
  std::vector<NetworkEntry> networks_;
  std::vector<ServiceEntry> services_;
  std::vector<ProtocolEntry> protocols_;
};

}  // namespace

std::unique_ptr<NameResolver> make_file_resolver(const std::string& directory) {
  return std::make_unique<FileResolver>(directory);
}

}  // namespace bpfc
