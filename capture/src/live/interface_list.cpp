// The interfaces a capture can open, for `bpfc capture -D`: every interface
// the kernel knows (up or not), with its addresses, ordered by index.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "bpfc/capture/live.h"
#include "device.h"

namespace bpfc::capture {

std::vector<InterfaceListing> list_interfaces(std::string& error) {
  std::vector<InterfaceListing> listing;
  struct if_nameindex* names = if_nameindex();
  if (names == nullptr) {
    error = std::string("cannot list the interfaces: ") + std::strerror(errno);
    return listing;
  }
  const int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  for (struct if_nameindex* entry = names; entry->if_index != 0 && entry->if_name != nullptr; ++entry) {
    InterfaceListing item;
    item.index = static_cast<int>(entry->if_index);
    item.name = entry->if_name;
    ifreq request{};
    std::strncpy(request.ifr_name, entry->if_name, IFNAMSIZ - 1);
    if (probe >= 0 && ioctl(probe, SIOCGIFFLAGS, &request) == 0) {
      item.up = (request.ifr_flags & IFF_UP) != 0;
      item.running = (request.ifr_flags & IFF_RUNNING) != 0;
      item.loopback = (request.ifr_flags & IFF_LOOPBACK) != 0;
    }
    if (probe >= 0 && ioctl(probe, SIOCGIFHWADDR, &request) == 0) {
      item.hardware_type = request.ifr_hwaddr.sa_family;
      item.linktype = live::linktype_of_hardware(item.hardware_type);
    }
    listing.push_back(std::move(item));
  }
  if (probe >= 0) close(probe);
  if_freenameindex(names);

  ifaddrs* addresses = nullptr;
  if (getifaddrs(&addresses) == 0) {
    for (ifaddrs* a = addresses; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr || a->ifa_name == nullptr) continue;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = a->ifa_addr->sa_family;
      if (family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
      } else if (family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr, text, sizeof text);
      } else {
        continue;
      }
      for (InterfaceListing& item : listing) {
        if (item.name == a->ifa_name) item.addresses.emplace_back(text);
      }
    }
    freeifaddrs(addresses);
  }
  std::sort(listing.begin(), listing.end(),
            [](const InterfaceListing& a, const InterfaceListing& b) { return a.index < b.index; });
  return listing;
}

}  // namespace bpfc::capture
