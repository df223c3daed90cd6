// FINDALLIF: the interfaces a client may open, with their IPv4 and IPv6
// addresses, netmasks and broadcast or peer addresses (getifaddrs).
#include "interface_listing.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>

#include "bpfc/capture/live.h"
#include "bpfc/linktype/linktype.h"

namespace bpfc::capture::rpcap::server {
namespace {

constexpr uint32_t kPcapIfLoopback = 0x1, kPcapIfUp = 0x2, kPcapIfRunning = 0x4;

SocketAddress wire_address(const sockaddr* a) {
  SocketAddress out;
  if (a == nullptr) return out;
  if (a->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(a);
    out.kind = SocketAddress::Kind::Inet;
    out.wire_family = kWireFamilyInet;
    std::memcpy(out.address.data(), &in->sin_addr, 4);
  } else if (a->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a);
    out.kind = SocketAddress::Kind::Inet6;
    out.wire_family = kWireFamilyInet6;
    std::memcpy(out.address.data(), &in6->sin6_addr, 16);
    out.scope_id = in6->sin6_scope_id;
  }
  return out;
}

}  // namespace

Result<std::vector<RemoteInterface>> list_capture_interfaces() {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return bpfc::error(std::string("cannot list the interfaces: ") + std::strerror(errno));
  std::vector<RemoteInterface> interfaces;
  auto find = [&](const char* name) -> RemoteInterface* {
    for (auto& i : interfaces) {
      if (i.name == name) return &i;
    }
    return nullptr;
  };
  for (ifaddrs* a = all; a != nullptr; a = a->ifa_next) {
    if (a->ifa_name == nullptr) continue;
    RemoteInterface* item = find(a->ifa_name);
    if (item == nullptr) {
      // Not something this daemon captures on (one that is down is listed:
      // it may be up when the client opens it).
      capture::LiveError why;
      if (!capture::device_linktype(a->ifa_name, why) && why.kind != capture::LiveError::Kind::DeviceDown) continue;
      RemoteInterface fresh;
      fresh.name = a->ifa_name;
      fresh.flags = ((a->ifa_flags & IFF_LOOPBACK) ? kPcapIfLoopback : 0) | ((a->ifa_flags & IFF_UP) ? kPcapIfUp : 0) |
                    ((a->ifa_flags & IFF_RUNNING) ? kPcapIfRunning : 0);
      interfaces.push_back(std::move(fresh));
      item = &interfaces.back();
    }
    if (a->ifa_addr == nullptr || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6)) continue;
    InterfaceAddress address;
    address.address = wire_address(a->ifa_addr);
    address.netmask = wire_address(a->ifa_netmask);
    if (a->ifa_flags & IFF_BROADCAST) address.broadcast = wire_address(a->ifa_broadaddr);
    if (a->ifa_flags & IFF_POINTOPOINT) address.destination = wire_address(a->ifa_dstaddr);
    item->addresses.push_back(address);
  }
  freeifaddrs(all);
  return interfaces;
}

Result<int32_t> device_dlt(const std::string& device) {
  capture::LiveError why;
  const std::optional<uint32_t> linktype = capture::device_linktype(device, why);
  if (!linktype) return bpfc::error(why.message);
  return static_cast<int32_t>(dlt_from_linktype(*linktype));
}

}  // namespace bpfc::capture::rpcap::server
