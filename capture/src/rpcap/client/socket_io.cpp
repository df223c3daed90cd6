// POSIX sockets behind the rpcap client.
#include "socket_io.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bpfc::capture::rpcap::net {
namespace {

Diagnostic system_error(const std::string& what) { return error(what + ": " + std::strerror(errno)); }

int poll_timeout(std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) return -1;
  return static_cast<int>(std::min<int64_t>(timeout->count(), 1 << 30));
}

// One connect attempt that gives up after `timeout`.
Result<Socket> connect_one(const addrinfo& ai, std::chrono::milliseconds timeout) {
  Socket socket(::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol));
  if (!socket.valid()) return system_error("socket");
  if (::connect(socket.fd(), ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return system_error("connect");
    pollfd pfd{socket.fd(), POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&pfd, 1, poll_timeout(timeout));
    } while (ready < 0 && errno == EINTR);
    if (ready < 0) return system_error("poll");
    if (ready == 0) return error("connect: timed out after " + std::to_string(timeout.count()) + " ms");
    int status = 0;
    socklen_t length = sizeof status;
    if (::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &status, &length) != 0) return system_error("getsockopt");
    if (status != 0) {
      errno = status;
      return system_error("connect");
    }
  }
  int flags = ::fcntl(socket.fd(), F_GETFL);
  if (flags < 0 || ::fcntl(socket.fd(), F_SETFL, flags & ~O_NONBLOCK) != 0) return system_error("fcntl");
  int one = 1;
  ::setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return socket;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

Socket::~Socket() { reset(); }

void Socket::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<Socket> connect_tcp(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (status != 0) return error("cannot resolve '" + host + "': " + ::gai_strerror(status));
  std::string last_error = "no address";
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    auto socket = connect_one(*ai, timeout);
    if (socket) {
      ::freeaddrinfo(list);
      return std::move(*socket);
    }
    last_error = socket.error().message;
  }
  ::freeaddrinfo(list);
  return error("cannot connect to " + host + " port " + std::to_string(port) + ": " + last_error);
}

Result<Endpoint> peer_of(const Socket& socket) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return system_error("getpeername");
  }
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  int status = ::getnameinfo(reinterpret_cast<sockaddr*>(&address), length, host, sizeof host, service,
                             sizeof service, NI_NUMERICHOST | NI_NUMERICSERV);
  if (status != 0) return error(std::string("getnameinfo: ") + ::gai_strerror(status));
  return Endpoint{host, address.ss_family, static_cast<uint16_t>(std::atoi(service)), address_bytes(address)};
}

std::string address_bytes(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    const auto& in4 = reinterpret_cast<const sockaddr_in&>(address);
    return std::string(reinterpret_cast<const char*>(&in4.sin_addr), sizeof in4.sin_addr);
  }
  if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    return std::string(reinterpret_cast<const char*>(&in6.sin6_addr), sizeof in6.sin6_addr);
  }
  return {};
}

namespace {

// The local address of `control` with port 0: where a data socket beside
// it binds, on the address the daemon already reaches.
struct LocalAddress {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
};
Result<LocalAddress> any_port_beside(const Socket& control) {
  LocalAddress local;
  if (::getsockname(control.fd(), reinterpret_cast<sockaddr*>(&local.address), &local.length) != 0) {
    return system_error("getsockname");
  }
  if (local.address.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&local.address)->sin6_port = 0;
  } else {
    reinterpret_cast<sockaddr_in*>(&local.address)->sin_port = 0;
  }
  return local;
}

}  // namespace

Result<Socket> bind_udp_beside(const Socket& control) {
  auto local = any_port_beside(control);
  if (!local) return local.errors();
  auto& [address, length] = *local;
  Socket socket(::socket(address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) return system_error("socket");
  if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), length) != 0) return system_error("bind");
  // Room for bursts: the daemon does not wait for a UDP reader.
  int buffer = 4 * 1024 * 1024;
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  return socket;
}

Result<uint16_t> local_port(const Socket& socket) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return system_error("getsockname");
  }
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

namespace {

Result<Socket> listen_on(const sockaddr* address, socklen_t length, int family) {
  Socket socket(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) return system_error("socket");
  int one = 1;
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(socket.fd(), address, length) != 0) return system_error("bind");
  if (::listen(socket.fd(), 4) != 0) return system_error("listen");
  return socket;
}

}  // namespace

Result<Socket> listen_tcp(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int status = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list);
  if (status != 0) return error("cannot resolve '" + host + "': " + ::gai_strerror(status));
  auto socket = listen_on(list->ai_addr, list->ai_addrlen, list->ai_family);
  ::freeaddrinfo(list);
  if (!socket) return error("cannot listen on " + host + " port " + std::to_string(port) + ": " + socket.error().message);
  return socket;
}

Result<Socket> listen_tcp_beside(const Socket& control) {
  auto local = any_port_beside(control);
  if (!local) return local.errors();
  auto& [address, length] = *local;
  return listen_on(reinterpret_cast<sockaddr*>(&address), length, address.ss_family);
}

Result<Socket> accept_one(const Socket& listener, std::optional<std::chrono::milliseconds> timeout,
                          const std::atomic<bool>* stop, const std::string& from) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = timeout ? std::optional(Clock::now() + *timeout) : std::nullopt;
  constexpr std::chrono::milliseconds kStopPoll{100};
  for (;;) {
    if (stop && stop->load()) return error("stopped while waiting for a connection");
    std::optional<std::chrono::milliseconds> wait;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) return error("timed out waiting for a connection");
      wait = left;
    }
    if (stop) wait = wait ? std::min(*wait, kStopPoll) : kStopPoll;
    auto readable = wait_readable(listener, wait);
    if (!readable) return readable.errors();
    if (!*readable) continue;
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    Socket socket(::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC));
    if (!socket.valid()) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) continue;
      return system_error("accept");
    }
    if (!from.empty() && address_bytes(peer) != from) continue;  // not the daemon: closed
    int one = 1;
    ::setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return socket;
  }
}

std::optional<Diagnostic> send_all(const Socket& socket, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(socket.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return system_error("send");
    }
    bytes = bytes.subspan(static_cast<size_t>(sent));
  }
  return std::nullopt;
}

Result<bool> wait_readable(const Socket& socket, std::optional<std::chrono::milliseconds> timeout) {
  pollfd pfd{socket.fd(), POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&pfd, 1, poll_timeout(timeout));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return system_error("poll");
  return ready > 0;
}

std::optional<Diagnostic> read_exact(const Socket& socket, std::span<uint8_t> out,
                                     std::optional<std::chrono::milliseconds> timeout, const std::string& what) {
  while (!out.empty()) {
    auto readable = wait_readable(socket, timeout);
    if (!readable) return readable.error();
    if (!*readable) return error("timed out waiting for " + what);
    ssize_t got = ::recv(socket.fd(), out.data(), out.size(), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return system_error("reading " + what);
    }
    if (got == 0) return error("the daemon closed the connection while sending " + what);
    out = out.subspan(static_cast<size_t>(got));
  }
  return std::nullopt;
}

}  // namespace bpfc::capture::rpcap::net
