// AF_PACKET capture for the daemon: recvmsg() with PACKET_AUXDATA (the
// length on the wire, the VLAN tag the kernel took off) and SO_TIMESTAMPNS.
// As libpcap does on Linux: the socket is bound with no protocol (receives
// nothing) until the filter is attached, outgoing copies on the loopback
// device are skipped (each packet is seen once, as incoming), and a VLAN
// tag taken off by the kernel is put back into Ethernet frames.
#include "packet_socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpfc/capture/rpcap/protocol.h"

namespace bpfc::capture::rpcap::server {
namespace {

constexpr int32_t kDltEn10mb = 1;
constexpr uint32_t kVlanTagBytes = 4;

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

bool attach(int fd, const cbpf::Program& program) {
  static_assert(sizeof(cbpf::Insn) == sizeof(sock_filter));
  sock_fprog fprog{static_cast<unsigned short>(program.size()),
                   reinterpret_cast<sock_filter*>(const_cast<cbpf::Insn*>(program.data()))};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0;
}

const cbpf::Program kRejectAll = {cbpf::stmt(cbpf::RET | cbpf::K, 0)};
const cbpf::Program kAcceptAll = {cbpf::stmt(cbpf::RET | cbpf::K, 0xffffffffu)};

struct DeviceInfo {
  int ifindex = 0;
  int hardware_type = 0;
  bool loopback = false;
};

Result<DeviceInfo> device_info(const std::string& device) {
  if (device.size() >= IFNAMSIZ) return bpfc::error(device + ": no such interface");
  const int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return bpfc::error(system_error("socket"));
  DeviceInfo info;
  ifreq request{};
  std::strncpy(request.ifr_name, device.c_str(), IFNAMSIZ - 1);
  bool ok = ioctl(probe, SIOCGIFINDEX, &request) == 0;
  info.ifindex = request.ifr_ifindex;
  if (ok) ok = ioctl(probe, SIOCGIFHWADDR, &request) == 0;
  info.hardware_type = request.ifr_hwaddr.sa_family;
  if (ok) ok = ioctl(probe, SIOCGIFFLAGS, &request) == 0;
  info.loopback = (request.ifr_flags & IFF_LOOPBACK) != 0;
  const int saved = errno;
  close(probe);
  if (!ok) {
    errno = saved;
    return bpfc::error(errno == ENODEV ? device + ": no such interface" : system_error(device));
  }
  return info;
}

}  // namespace

Result<int32_t> device_dlt(const std::string& device) {
  auto info = device_info(device);
  if (!info) return info.errors();
  if (info->hardware_type == ARPHRD_ETHER || info->hardware_type == ARPHRD_LOOPBACK) return kDltEn10mb;
  return bpfc::error(device + ": link type (ARPHRD " + std::to_string(info->hardware_type) +
                    ") not supported by this daemon, only Ethernet and loopback");
}

Result<std::unique_ptr<PacketSocket>> PacketSocket::open(const Options& options) {
  auto dlt = device_dlt(options.device);
  if (!dlt) return dlt.errors();
  auto info = device_info(options.device);
  if (!info) return info.errors();
  std::unique_ptr<PacketSocket> s(new PacketSocket());
  s->options_ = options;
  s->ifindex_ = info->ifindex;
  s->loopback_ = info->loopback;
  s->buffer_.resize(options.snaplen + kVlanTagBytes);
  s->fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0) {
    return bpfc::error(errno == EPERM ? options.device + ": capturing needs CAP_NET_RAW"
                                     : system_error("socket(AF_PACKET)"));
  }
  const int one = 1;
  if (setsockopt(s->fd_, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) != 0 ||
      setsockopt(s->fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) {
    return bpfc::error(system_error("setsockopt"));
  }
  if (!attach(s->fd_, options.filter.empty() ? kAcceptAll : options.filter)) {
    return bpfc::error(system_error("the kernel refused the filter"));
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = s->ifindex_;
  if (bind(s->fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return bpfc::error(system_error("bind " + options.device));
  }
  if (options.promiscuous) {
    packet_mreq membership{};
    membership.mr_ifindex = s->ifindex_;
    membership.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(s->fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, sizeof membership) != 0) {
      return bpfc::error(system_error("promiscuous mode on " + options.device));
    }
  }
  return s;
}

PacketSocket::~PacketSocket() {
  if (fd_ >= 0) close(fd_);
}

std::optional<std::string> PacketSocket::set_filter(const cbpf::Program& filter) {
  // libpcap's order: reject everything, drain what the old filter let in,
  // then the new filter: no packet of the old filter follows the reply.
  if (!attach(fd_, kRejectAll)) return system_error("the kernel refused a filter");
  while (recv(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT | MSG_TRUNC) >= 0) {
  }
  if (!attach(fd_, filter.empty() ? kAcceptAll : filter)) return system_error("the kernel refused the filter");
  return std::nullopt;
}

Result<std::optional<CapturedPacket>> PacketSocket::receive(int wait_ms) {
  pollfd p{fd_, POLLIN, 0};
  const int ready = poll(&p, 1, wait_ms);
  if (ready < 0) {
    if (errno == EINTR) return std::optional<CapturedPacket>{};
    return bpfc::error(system_error("poll"));
  }
  if (ready == 0) return std::optional<CapturedPacket>{};
  sockaddr_ll from{};
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(tpacket_auxdata)) + CMSG_SPACE(sizeof(timespec))];
  // Room for a VLAN tag in front: the frame is read at offset 4.
  iovec io{buffer_.data() + kVlanTagBytes, options_.snaplen};
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t got = recvmsg(fd_, &message, MSG_TRUNC | MSG_DONTWAIT);
  if (got < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::optional<CapturedPacket>{};
    return bpfc::error(system_error("recvmsg"));
  }
  const bool outgoing = from.sll_pkttype == PACKET_OUTGOING;
  if ((outgoing && loopback_) || (outgoing && options_.inbound_only) || (!outgoing && options_.outbound_only)) {
    return std::optional<CapturedPacket>{};
  }
  CapturedPacket packet;
  uint32_t caplen = static_cast<uint32_t>(std::min<ssize_t>(got, options_.snaplen));
  packet.wirelen = static_cast<uint32_t>(got);
  const tpacket_auxdata* aux = nullptr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
        c->cmsg_len >= CMSG_LEN(sizeof(tpacket_auxdata))) {
      aux = reinterpret_cast<const tpacket_auxdata*>(CMSG_DATA(c));
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS &&
               c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      packet.timestamp_us = uint64_t(ts.tv_sec) * 1000000 + uint64_t(ts.tv_nsec) / 1000;
    }
  }
  uint8_t* start = buffer_.data() + kVlanTagBytes;
  if (aux != nullptr) {
    packet.wirelen = aux->tp_len;
    if ((aux->tp_status & TP_STATUS_VLAN_VALID) && caplen >= 2 * ETH_ALEN) {
      // Put the tag back after the two MAC addresses, as it was on the wire.
      std::memmove(start - kVlanTagBytes, start, 2 * ETH_ALEN);
      start -= kVlanTagBytes;
      const uint16_t tpid = (aux->tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux->tp_vlan_tpid : ETH_P_8021Q;
      const uint8_t tag[4] = {uint8_t(tpid >> 8), uint8_t(tpid), uint8_t(aux->tp_vlan_tci >> 8),
                              uint8_t(aux->tp_vlan_tci)};
      std::memcpy(start + 2 * ETH_ALEN, tag, sizeof tag);
      caplen = std::min(caplen + kVlanTagBytes, options_.snaplen);
      packet.wirelen += kVlanTagBytes;
    }
  }
  packet.data = {start, caplen};
  return std::optional<CapturedPacket>{packet};
}

PacketCounts PacketSocket::counts() {
  tpacket_stats stats{};
  socklen_t size = sizeof stats;
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &size) == 0) {
    total_.received += stats.tp_packets;
    total_.dropped += stats.tp_drops;
  }
  return total_;
}

}  // namespace bpfc::capture::rpcap::server
