#include "device.h"

#include <net/if_arp.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bpfc/linktype/linktype.h"

namespace bpfc::capture::live {
namespace {

constexpr uint32_t kLinktypeEthernet = 1;
constexpr uint32_t kLinktypeRaw = 101;
constexpr uint32_t kLinktypeRadiotap = 127;
constexpr uint32_t kLinktypeLinuxSll2 = 276;

}  // namespace

std::optional<uint32_t> linktype_of_hardware(uint32_t hardware_type) {
  switch (hardware_type) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:  // Linux gives loopback frames an Ethernet header
      return kLinktypeEthernet;
    case ARPHRD_NONE:  // tun devices: bare IP packets
      return kLinktypeRaw;
    case ARPHRD_IEEE80211_RADIOTAP:
      return kLinktypeRadiotap;
    default:
      return std::nullopt;
  }
}

std::optional<Device> find_device(const std::string& name, LiveError& error) {
  Device device;
  device.name = name;
  if (name == "any") {
    device.cooked = true;
    device.linktype = kLinktypeLinuxSll2;
    device.dlt = dlt_from_linktype(kLinktypeLinuxSll2);
    return device;
  }
  if (name.empty() || name.size() >= IFNAMSIZ) {
    error = {LiveError::Kind::NoSuchDevice, (name.empty() ? "''" : name) + ": no such interface"};
    return std::nullopt;
  }
  const int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0) {
    error = {LiveError::Kind::System, std::string("socket: ") + std::strerror(errno)};
    return std::nullopt;
  }
  ifreq request{};
  std::memcpy(request.ifr_name, name.data(), name.size());
  const bool found = ioctl(probe, SIOCGIFINDEX, &request) == 0;
  const int index_errno = errno;
  device.ifindex = request.ifr_ifindex;
  const bool have_flags = found && ioctl(probe, SIOCGIFFLAGS, &request) == 0;
  const short flags = request.ifr_flags;
  const bool have_hardware = found && ioctl(probe, SIOCGIFHWADDR, &request) == 0;
  device.hardware_type = request.ifr_hwaddr.sa_family;
  close(probe);
  if (!found) {
    error = {index_errno == ENODEV ? LiveError::Kind::NoSuchDevice : LiveError::Kind::System,
             name + ": " + (index_errno == ENODEV ? std::string("no such interface") : std::strerror(index_errno))};
    return std::nullopt;
  }
  if (have_flags && (flags & IFF_UP) == 0) {
    error = {LiveError::Kind::DeviceDown, name + ": the interface is down (bring it up with `ip link set " + name +
                                              " up`)"};
    return std::nullopt;
  }
  if (!have_hardware) {
    error = {LiveError::Kind::System, name + ": cannot read its hardware type: " + std::strerror(errno)};
    return std::nullopt;
  }
  const std::optional<uint32_t> linktype = linktype_of_hardware(device.hardware_type);
  if (!linktype) {
    error = {LiveError::Kind::LinkTypeNotCovered,
             name + ": hardware type " + std::to_string(device.hardware_type) +
                 " (ARPHRD_) is not a link type bpfc captures; capture on 'any' for LINUX_SLL2 frames"};
    return std::nullopt;
  }
  device.linktype = *linktype;
  device.dlt = dlt_from_linktype(*linktype);
  return device;
}

std::optional<uint64_t> interface_rx_dropped(const std::string& name) {
  if (name == "any") return std::nullopt;
  // /proc/net/dev is this network namespace's (sysfs is the one it was
  // mounted in): "  name: rx_bytes rx_packets rx_errs rx_drop ...".
  std::ifstream in("/proc/net/dev");
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t start = line.find_first_not_of(' ');
    if (line.compare(start, colon - start, name) != 0 || colon - start != name.size()) continue;
    std::istringstream fields(line.substr(colon + 1));
    uint64_t bytes = 0, packets = 0, errors = 0, dropped = 0;
    if (fields >> bytes >> packets >> errors >> dropped) return dropped;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace bpfc::capture::live
