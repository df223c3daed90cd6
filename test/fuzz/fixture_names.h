// The names the test fixture files define (test/fixtures/names: hosts,
// ethers, networks, services, protocols), read once, so that generated
// filters use names the fixture resolver knows, and packets can carry the
// addresses and ports those names stand for. The compiler itself resolves
// them through make_file_resolver() on the same directory: never the system
// resolver, never DNS.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bpfc::fuzz {

struct NamedIpv4 {
  std::string name;
  uint32_t address;  // host byte order
};
struct NamedIpv6 {
  std::string name;
  std::array<uint8_t, 16> address;
};
struct NamedMac {
  std::string name;
  std::array<uint8_t, 6> address;
};
struct NamedNumber {
  std::string name;
  uint32_t value;
  std::string protocol;  // services: "tcp", "udp" or "sctp"; empty otherwise
};

struct FixtureNames {
  std::vector<NamedIpv4> hosts4;
  std::vector<NamedIpv6> hosts6;
  std::vector<NamedMac> ethers;
  std::vector<NamedIpv4> networks;  // the network number, as getnetbyname()
  std::vector<NamedNumber> services;
  std::vector<NamedNumber> protocols;
};

// Reads the files of `directory`; a missing file contributes nothing.
FixtureNames load_fixture_names(const std::string& directory);

}  // namespace bpfc::fuzz
