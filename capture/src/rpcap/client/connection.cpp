// Plain connections use the socket calls of socket_io.h; TLS ones go
// through their session, which also holds bytes poll() cannot see.
#include "connection.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "tls_session.h"

namespace bpfc::capture::rpcap::net {

Connection::Connection() = default;

Connection::Connection(Socket socket) : socket_(std::move(socket)) {}

Connection::Connection(Socket socket, std::unique_ptr<tls::Session> tls)
    : socket_(std::move(socket)), tls_(std::move(tls)) {}

Connection::Connection(Connection&& other) noexcept
    : socket_(std::move(other.socket_)), tls_(std::move(other.tls_)) {}

Connection::~Connection() { reset(); }

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    reset();
    socket_ = std::move(other.socket_);
    tls_ = std::move(other.tls_);
  }
  return *this;
}

void Connection::reset() {
  if (tls_) {
    tls_->close_notify();
    tls_.reset();
  }
  socket_.reset();
}

std::optional<Diagnostic> Connection::send_all(std::span<const uint8_t> bytes) {
  if (!tls_) return net::send_all(socket_, bytes);
  if (auto problem = tls_->write_all(bytes, std::nullopt)) return error(*problem);
  return std::nullopt;
}

std::optional<Diagnostic> Connection::read_exact(std::span<uint8_t> out,
                                                 std::optional<std::chrono::milliseconds> timeout,
                                                 const std::string& what) {
  if (!tls_) return net::read_exact(socket_, out, timeout, what);
  while (!out.empty()) {
    size_t got = 0;
    const tls::Deadline deadline = timeout ? tls::Deadline(tls::Clock::now() + *timeout) : std::nullopt;
    switch (tls_->read_some(out, got, deadline)) {
      case tls::Session::Status::Data: out = out.subspan(got); break;
      case tls::Session::Status::Idle: return error("timed out waiting for " + what);
      case tls::Session::Status::Closed: return error("the daemon closed the connection while sending " + what);
      case tls::Session::Status::Failed: return error("reading " + what + ": " + tls_->failure());
    }
  }
  return std::nullopt;
}

Result<bool> Connection::wait_readable(std::optional<std::chrono::milliseconds> timeout) const {
  if (tls_ && tls_->pending()) return true;
  return net::wait_readable(socket_, timeout);
}

Result<std::optional<size_t>> Connection::read_available(std::span<uint8_t> out) {
  if (tls_) {
    size_t got = 0;
    switch (tls_->read_some(out, got, tls::Clock::now())) {
      case tls::Session::Status::Data: return std::optional<size_t>(got);
      case tls::Session::Status::Idle: return std::optional<size_t>();
      case tls::Session::Status::Closed: return std::optional<size_t>(0);
      case tls::Session::Status::Failed: return error(tls_->failure());
    }
  }
  for (;;) {
    const ssize_t got = ::recv(socket_.fd(), out.data(), out.size(), MSG_DONTWAIT);
    if (got >= 0) return std::optional<size_t>(static_cast<size_t>(got));
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<size_t>();
    return error(std::strerror(errno));
  }
}

}  // namespace bpfc::capture::rpcap::net
