// Interfaces and socket addresses as a FINDALLIF reply carries them.
#include "interface_list.h"

#include <algorithm>

namespace bpfc::capture::rpcap::detail {
namespace {

constexpr size_t kInterfaceHeaderSize = 12;
constexpr size_t kAddressSize = 4 * kWireSockaddrSize;

SocketAddress read_address(std::span<const uint8_t> slot) {
  wire::Reader in(slot);
  SocketAddress address;
  address.wire_family = in.u16();
  if (address.wire_family == kWireFamilyInet) {
    address.kind = SocketAddress::Kind::Inet;
    address.port = in.u16();
    std::span<const uint8_t> bytes = in.take(4);
    std::copy(bytes.begin(), bytes.end(), address.address.begin());
  } else if (address.wire_family == kWireFamilyInet6 || address.wire_family == kLinuxFamilyInet6) {
    address.kind = SocketAddress::Kind::Inet6;
    address.port = in.u16();
    address.flowinfo = in.u32();
    std::span<const uint8_t> bytes = in.take(16);
    std::copy(bytes.begin(), bytes.end(), address.address.begin());
    address.scope_id = in.u32();
  } else if (address.wire_family != 0) {
    address.kind = SocketAddress::Kind::Other;
  }
  return address;
}

void write_address(wire::Writer& out, const SocketAddress& address) {
  switch (address.kind) {
    case SocketAddress::Kind::None:
      out.zeros(kWireSockaddrSize);
      return;
    case SocketAddress::Kind::Inet:
      out.u16(kWireFamilyInet);
      out.u16(address.port);
      out.bytes(std::span(address.address).first(4));
      out.zeros(kWireSockaddrSize - 8);
      return;
    case SocketAddress::Kind::Inet6:
      out.u16(address.wire_family == kLinuxFamilyInet6 ? kLinuxFamilyInet6 : kWireFamilyInet6);
      out.u16(address.port);
      out.u32(address.flowinfo);
      out.bytes(address.address);
      out.u32(address.scope_id);
      out.zeros(kWireSockaddrSize - 28);
      return;
    case SocketAddress::Kind::Other:
      out.u16(address.wire_family);
      out.zeros(kWireSockaddrSize - 2);
      return;
  }
}

}  // namespace

Result<std::vector<RemoteInterface>> read_interfaces(wire::Reader& in, uint16_t count) {
  std::vector<RemoteInterface> interfaces;
  // Each interface needs at least its fixed header: a count the bytes
  // cannot hold is refused before anything is reserved.
  if (in.remaining() / kInterfaceHeaderSize < count) {
    return error("interface list: " + std::to_string(count) + " interfaces announced, " +
                 std::to_string(in.remaining()) + " bytes cannot hold them");
  }
  interfaces.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    uint16_t name_length = in.u16();
    uint16_t description_length = in.u16();
    uint32_t flags = in.u32();
    uint16_t address_count = in.u16();
    in.u16();  // padding
    if (in.failed()) return error("interface list: interface " + std::to_string(i) + " is cut short");
    size_t needed = size_t{name_length} + description_length + size_t{address_count} * kAddressSize;
    if (needed > in.remaining()) {
      return error("interface list: interface " + std::to_string(i) + " needs " + std::to_string(needed) +
                   " bytes, " + std::to_string(in.remaining()) + " remain");
    }
    RemoteInterface interface;
    interface.flags = flags;
    interface.name = in.text(name_length);
    interface.description = in.text(description_length);
    interface.addresses.reserve(address_count);
    for (uint16_t a = 0; a < address_count; ++a) {
      InterfaceAddress address;
      address.address = read_address(in.take(kWireSockaddrSize));
      address.netmask = read_address(in.take(kWireSockaddrSize));
      address.broadcast = read_address(in.take(kWireSockaddrSize));
      address.destination = read_address(in.take(kWireSockaddrSize));
      interface.addresses.push_back(address);
    }
    interfaces.push_back(std::move(interface));
  }
  return interfaces;
}

std::optional<Diagnostic> write_interfaces(wire::Writer& out, const std::vector<RemoteInterface>& interfaces) {
  for (const RemoteInterface& interface : interfaces) {
    if (interface.name.size() > 65535 || interface.description.size() > 65535) {
      return error("interface list: a name or description over 65535 bytes cannot be sent");
    }
    if (interface.addresses.size() > 65535) return error("interface list: over 65535 addresses cannot be sent");
    out.u16(static_cast<uint16_t>(interface.name.size()));
    out.u16(static_cast<uint16_t>(interface.description.size()));
    out.u32(interface.flags);
    out.u16(static_cast<uint16_t>(interface.addresses.size()));
    out.u16(0);
    out.text(interface.name);
    out.text(interface.description);
    for (const InterfaceAddress& address : interface.addresses) {
      write_address(out, address.address);
      write_address(out, address.netmask);
      write_address(out, address.broadcast);
      write_address(out, address.destination);
    }
  }
  return std::nullopt;
}

}  // namespace bpfc::capture::rpcap::detail
