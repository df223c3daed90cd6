// Sockets for the rpcap client: connecting with a timeout, sending whole
// buffers, reading exactly N bytes or what is there, each with a deadline.
// Errors are values naming the peer and the system's reason.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "bpfc/support/diagnostic.h"

namespace bpfc::capture::rpcap::net {

// An owned file descriptor, closed on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();

 private:
  int fd_ = -1;
};

// A TCP connection to host:port (names resolved by the system), trying each
// address in turn, each within `timeout`.
Result<Socket> connect_tcp(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

// The numeric address of the socket's peer, its family and its port.
struct Endpoint {
  std::string host;
  int family = 0;
  uint16_t port = 0;
  std::string address_bytes;  // the raw IPv4 (4) or IPv6 (16) address
};
// The raw address of a sockaddr (IPv4: 4 bytes, IPv6: 16), empty for others.
std::string address_bytes(const sockaddr_storage& address);
Result<Endpoint> peer_of(const Socket& socket);

// A UDP socket on an ephemeral port of the address `control` (a connected
// TCP socket) uses locally: only the interface that reaches the daemon
// listens, not every address of the host.
Result<Socket> bind_udp_beside(const Socket& control);
Result<uint16_t> local_port(const Socket& socket);

// A TCP socket listening on host:port (the first address the name resolves
// to; a numeric address is not looked up), with SO_REUSEADDR.
Result<Socket> listen_tcp(const std::string& host, uint16_t port);
// A TCP socket listening on an ephemeral port of the address `control` (a
// connected socket) uses locally.
Result<Socket> listen_tcp_beside(const Socket& control);
// Accepts one connection on `listener`, waiting at most `timeout` (nullopt:
// for ever) and ending early, with an error, when `stop` becomes true. With
// `from` (a raw address, as address_bytes() gives) only a connection from
// that address is taken: others are closed and the wait goes on.
Result<Socket> accept_one(const Socket& listener, std::optional<std::chrono::milliseconds> timeout,
                          const std::atomic<bool>* stop, const std::string& from = {});

[[nodiscard]] std::optional<Diagnostic> send_all(const Socket& socket, std::span<const uint8_t> bytes);

// Fills `out` completely, waiting at most `timeout` for each piece (nullopt:
// for ever). `what` names the data in errors ("the reply header").
[[nodiscard]] std::optional<Diagnostic> read_exact(const Socket& socket, std::span<uint8_t> out,
                                                   std::optional<std::chrono::milliseconds> timeout,
                                                   const std::string& what);

// Waits until the socket is readable or `timeout` passes: true when readable.
Result<bool> wait_readable(const Socket& socket, std::optional<std::chrono::milliseconds> timeout);

}  // namespace bpfc::capture::rpcap::net
