// open_packet_sender(): the AF_PACKET socket both send methods share. It is
// bound to the interface with protocol 0, so the kernel queues no received
// packets on it, and never loops its own frames back to it.
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "packet_sender_methods.h"

namespace bpfc::capture {

PacketSocket::~PacketSocket() {
  if (fd_ >= 0) close(fd_);
}

SenderError system_error(const SendInterface& interface, const std::string& what, int error_number) {
  return {SenderError::Kind::System, "interface '" + interface.name + "': " + what + ": " + std::strerror(error_number)};
}

std::unique_ptr<PacketSender> open_packet_sender(const SendInterface& interface, const SenderOptions& options,
                                                 SenderError& error) {
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (errno == EPERM || errno == EACCES) {
      error = {SenderError::Kind::Permission,
               "sending on interface '" + interface.name +
                   "' needs CAP_NET_RAW to open a packet socket (run as root, or `setcap cap_net_raw+ep` the "
                   "bpfc binary)"};
    } else {
      error = system_error(interface, "cannot open a packet socket", errno);
    }
    return nullptr;
  }
  auto packet_socket = std::make_unique<PacketSocket>(fd);
  struct sockaddr_ll address {};
  address.sll_family = AF_PACKET;
  address.sll_protocol = 0;  // send only
  address.sll_ifindex = interface.index;
  if (bind(fd, reinterpret_cast<const struct sockaddr*>(&address), sizeof address) != 0) {
    error = errno == ENODEV || errno == ENXIO
                ? SenderError{SenderError::Kind::NoSuchInterface, "interface '" + interface.name + "' went away"}
                : system_error(interface, "cannot bind a packet socket to it", errno);
    return nullptr;
  }
  if (options.method == SendMethod::TxRing) return make_ring_sender(std::move(packet_socket), interface, options, error);
  return make_mmsg_sender(std::move(packet_socket), interface, options);
}

}  // namespace bpfc::capture
