#include "fixture_names.h"

#include <fstream>
#include <sstream>
#include <variant>

#include "resolver/formats.h"

namespace bpfc::fuzz {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// getnetbyname() gives "10.20" as 0x0a14; libpcap shifts it up to the
// address it names (10.20.0.0), which is what a packet must carry.
uint32_t network_address(uint32_t number) {
  while (number != 0 && (number & 0xff000000u) == 0) number <<= 8;
  return number;
}

}  // namespace

FixtureNames load_fixture_names(const std::string& directory) {
  namespace formats = bpfc::resolver_formats;
  FixtureNames names;
  for (const auto& entry : formats::parse_hosts(read_file(directory + "/hosts"))) {
    for (const auto& name : entry.names) {
      if (const auto* v4 = std::get_if<Ipv4Addr>(&entry.address)) names.hosts4.push_back({name, *v4});
      if (const auto* v6 = std::get_if<Ipv6Addr>(&entry.address)) names.hosts6.push_back({name, *v6});
    }
  }
  for (const auto& entry : formats::parse_ethers(read_file(directory + "/ethers")))
    names.ethers.push_back({entry.name, entry.address});
  for (const auto& entry : formats::parse_networks(read_file(directory + "/networks")))
    for (const auto& name : entry.names) names.networks.push_back({name, network_address(entry.number)});
  for (const auto& entry : formats::parse_services(read_file(directory + "/services")))
    for (const auto& name : entry.names) names.services.push_back({name, entry.port, entry.protocol});
  for (const auto& entry : formats::parse_protocols(read_file(directory + "/protocols")))
    for (const auto& name : entry.names) names.protocols.push_back({name, entry.number, ""});
  return names;
}

}  // namespace bpfc::fuzz
