// The values of generated filters, spelled every way the scanner accepts
// (and a few ways it refuses): numbers in decimal, hex and octal, edge
// values, IPv4 addresses and networks in 1 to 4 parts, prefixes and masks,
// IPv6 addresses and prefixes, MAC addresses in each notation, ARCnet
// $XX, and names from the fixture files. Each function records the value
// it spelled in the pool, for the packets.
#pragma once

#include <cstdint>
#include <string>

#include "filter_case.h"
#include "fixture_names.h"
#include "fuzz_bytes.h"

namespace bpfc::fuzz {

class ValueSpeller {
 public:
  ValueSpeller(FuzzBytes& in, const FixtureNames& names, ValuePool& pool) : in_(in), names_(names), pool_(pool) {}

  // A number near an edge (0, 255, 65535, 2^32 - 1, just past them, ...) or
  // any 32-bit value, sometimes in hex or octal, rarely too big to lex.
  std::string number();
  // A number below `limit`, mostly small.
  std::string small_number(uint32_t limit);
  std::string port();             // a port number or a service name
  std::string port_range();       // "N-M", "name-name", sometimes reversed
  std::string protocol_value();   // a number, a protocols(5) name, or an escaped keyword
  std::string host_value();       // IPv4, IPv6, MAC, $XX or a host/ether name
  std::string ipv4_host();
  std::string ipv6_host();
  std::string mac();
  std::string arcnet();
  std::string network();          // IPv4/IPv6 networks in every form, or a network name
  std::string any_id();           // any of the above, for mismatched qualifiers
  std::string name_not_in_fixtures();

 private:
  uint32_t ipv4_value();
  std::array<uint8_t, 16> ipv6_value();
  std::string spell_ipv6(const std::array<uint8_t, 16>& address);

  FuzzBytes& in_;
  const FixtureNames& names_;
  ValuePool& pool_;
};

}  // namespace bpfc::fuzz
