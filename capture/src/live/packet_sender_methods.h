// The two ways of handing frames to the kernel behind open_packet_sender(),
// over a socket packet_sender.cpp has opened and bound.
#pragma once

#include <memory>
#include <string>

#include "bpfc/capture/packet_sender.h"

namespace bpfc::capture {

// An AF_PACKET socket descriptor, closed with its owner.
class PacketSocket {
 public:
  explicit PacketSocket(int fd) : fd_(fd) {}
  ~PacketSocket();
  PacketSocket(const PacketSocket&) = delete;
  PacketSocket& operator=(const PacketSocket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// "interface 'veth0': what: strerror(errno)".
SenderError system_error(const SendInterface& interface, const std::string& what, int error_number);

std::unique_ptr<PacketSender> make_ring_sender(std::unique_ptr<PacketSocket> socket, const SendInterface& interface,
                                               const SenderOptions& options, SenderError& error);
std::unique_ptr<PacketSender> make_mmsg_sender(std::unique_ptr<PacketSocket> socket, const SendInterface& interface,
                                               const SenderOptions& options);

}  // namespace bpfc::capture
