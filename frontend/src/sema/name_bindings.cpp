// NameBindings: each (kind, name) goes to the resolver once per compile.
#include "bpfc/frontend/resolved_ast.h"

namespace bpfc {
namespace {

template <class Table, class Lookup>
auto bound(Table& table, std::string_view key, Lookup lookup) {
  auto it = table.find(key);
  if (it == table.end()) it = table.emplace(std::string(key), lookup()).first;
  return it->second;
}

}  // namespace

std::vector<Ipv4Addr> NameBindings::host_ipv4(std::string_view name) const {
  return bound(ipv4_, name, [&] { return resolver_.host_ipv4(name); });
}

std::vector<Ipv6Addr> NameBindings::host_ipv6(std::string_view name) const {
  return bound(ipv6_, name, [&] { return resolver_.host_ipv6(name); });
}

std::optional<MacAddr> NameBindings::ether(std::string_view name) const {
  return bound(ether_, name, [&] { return resolver_.ether(name); });
}

std::optional<uint32_t> NameBindings::network(std::string_view name) const {
  return bound(network_, name, [&] { return resolver_.network(name); });
}

std::optional<uint16_t> NameBindings::service(std::string_view name, std::string_view proto) const {
  const std::string key = std::string(proto) + '/' + std::string(name);
  return bound(service_, key, [&] { return resolver_.service(name, proto); });
}

std::optional<uint8_t> NameBindings::protocol(std::string_view name) const {
  return bound(protocol_, name, [&] { return resolver_.protocol(name); });
}

size_t NameBindings::size() const {
  return ipv4_.size() + ipv6_.size() + ether_.size() + network_.size() + service_.size() + protocol_.size();
}

}  // namespace bpfc
