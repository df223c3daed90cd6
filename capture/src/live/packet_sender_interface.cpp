// What `bpfc replay` needs to know about an interface before it sends on
// it: its index, whether it is up, its MTU and the link type of its frames,
// read with the classic interface ioctls (no privilege needed).
#include <net/if_arp.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpfc/capture/packet_sender.h"

namespace bpfc::capture {
namespace {

constexpr uint32_t kLinktypeEthernet = 1;
constexpr uint32_t kLinktypeRaw = 101;
constexpr uint32_t kLinktypeIpv4 = 228;
constexpr uint32_t kLinktypeIpv6 = 229;
constexpr uint32_t kEthernetHeaderBytes = 14;
constexpr uint32_t kVlanTagBytes = 4;

// The hardware types whose frames bpfc can label with a link type, with
// the link-layer header the kernel expects in front of the MTU's bytes.
// Loopback carries Ethernet headers on Linux (libpcap labels it EN10MB too);
// ARPHRD_NONE is a tun device or another raw-IP one.
struct DeviceKind {
  uint16_t hardware_type;
  uint32_t linktype;
  uint32_t header_bytes;
};
constexpr DeviceKind kDeviceKinds[] = {
    {ARPHRD_ETHER, kLinktypeEthernet, kEthernetHeaderBytes},
    {ARPHRD_LOOPBACK, kLinktypeEthernet, kEthernetHeaderBytes},
    {ARPHRD_NONE, kLinktypeRaw, 0},
};

uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::optional<SendInterface> describe_send_interface(const std::string& name, SenderError& error) {
  const std::string quoted = "interface '" + name + "'";
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos) {
    error = {SenderError::Kind::NoSuchInterface, "no such interface '" + name + "'"};
    return std::nullopt;
  }
  SendInterface interface;
  interface.name = name;
  interface.index = static_cast<int>(if_nametoindex(name.c_str()));
  if (interface.index == 0) {
    error = {errno == ENODEV || errno == ENXIO ? SenderError::Kind::NoSuchInterface : SenderError::Kind::System,
             errno == ENODEV || errno == ENXIO ? "no such interface '" + name + "' (see `ip link`)"
                                                : quoted + ": " + std::strerror(errno)};
    return std::nullopt;
  }
  Descriptor probe(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (probe.get() < 0) {
    error = {SenderError::Kind::System, quoted + ": cannot open a socket to query it: " + std::strerror(errno)};
    return std::nullopt;
  }
  struct ifreq request {};
  std::memcpy(request.ifr_name, name.c_str(), name.size());
  auto query = [&](unsigned long what, const char* about) {
    if (ioctl(probe.get(), what, &request) == 0) return true;
    error = {SenderError::Kind::System, quoted + ": cannot read its " + about + ": " + std::strerror(errno)};
    return false;
  };
  if (!query(SIOCGIFFLAGS, "flags")) return std::nullopt;
  const short flags = request.ifr_flags;
  if (!query(SIOCGIFMTU, "MTU")) return std::nullopt;
  interface.mtu = static_cast<uint32_t>(request.ifr_mtu);
  if (!query(SIOCGIFHWADDR, "hardware type")) return std::nullopt;
  interface.hardware_type = request.ifr_hwaddr.sa_family;
  if (!(flags & IFF_UP)) {
    error = {SenderError::Kind::InterfaceDown, quoted + " is down (bring it up with `ip link set " + name + " up`)"};
    return std::nullopt;
  }
  if (!(flags & IFF_RUNNING)) {
    error = {SenderError::Kind::InterfaceDown,
             quoted + " is up but its link is not (no carrier): nothing sent on it would arrive"};
    return std::nullopt;
  }
  for (const DeviceKind& kind : kDeviceKinds) {
    if (kind.hardware_type == interface.hardware_type) {
      interface.linktype = kind.linktype;
      interface.header_bytes = kind.header_bytes;
      return interface;
    }
  }
  error = {SenderError::Kind::UnsupportedDevice,
           quoted + " has hardware type " + std::to_string(interface.hardware_type) +
               " (ARPHRD_*), whose frames bpfc cannot send: it sends on Ethernet, loopback and raw-IP (tun) devices"};
  return std::nullopt;
}

bool linktype_matches(const SendInterface& interface, uint32_t linktype) {
  if (linktype == interface.linktype) return true;
  return interface.linktype == kLinktypeRaw && (linktype == kLinktypeIpv4 || linktype == kLinktypeIpv6);
}

uint32_t largest_frame(const SendInterface& interface) {
  const uint32_t tag = interface.hardware_type == ARPHRD_ETHER ? kVlanTagBytes : 0;
  return interface.mtu + interface.header_bytes + tag;
}

FrameFit frame_fit(const SendInterface& interface, std::span<const uint8_t> frame) {
  if (frame.size() < interface.header_bytes || frame.empty()) return FrameFit::TooShort;
  uint32_t limit = interface.mtu + interface.header_bytes;
  // The kernel lets an 802.1Q-tagged frame on an Ethernet device carry a
  // full MTU after its tag (packet_extra_vlan_len_allowed: 0x8100 only).
  if (interface.hardware_type == ARPHRD_ETHER && frame.size() >= kEthernetHeaderBytes &&
      load_be16(frame.data() + 12) == 0x8100) {
    limit += kVlanTagBytes;
  }
  return frame.size() > limit ? FrameFit::TooLong : FrameFit::Fits;
}

}  // namespace bpfc::capture
