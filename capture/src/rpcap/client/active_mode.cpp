// Active mode: waiting for a daemon that connects to the client (libpcap's
// rpcapd -a HOST,PORT), and the address the client waits on.
#include <unistd.h>

#include <charconv>

#include "bpfc/capture/rpcap/client.h"
#include "socket_io.h"

namespace bpfc::capture::rpcap {

DaemonConnection& DaemonConnection::operator=(DaemonConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
    host_ = std::move(other.host_);
    port_ = other.port_;
    tls_ = other.tls_;
  }
  return *this;
}

DaemonConnection::~DaemonConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress where;
  std::string_view port_text;
  const std::string quoted = "'" + std::string(text) + "'";
  // rpcap://HOST:PORT (plain, as without a scheme) or rpcaps://HOST:PORT.
  if (is_rpcap_url(text)) {
    const size_t scheme = text.find("://");
    where.tls = scheme == 6;
    text = text.substr(scheme + 3);
    if (!text.empty() && text.back() == '/') text.remove_suffix(1);
    if (text.find('/') != std::string_view::npos) {
      return error(quoted + ": the daemon names its device itself; give only rpcaps://HOST:PORT");
    }
  }
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return error(quoted + ": unclosed '[' in the host");
    where.host = std::string(text.substr(1, close - 1));
    std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return error(quoted + ": unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return error(quoted + ": empty port");
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return error(quoted + ": an IPv6 address must be written in brackets, [::1]:2003");
    }
    where.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      if (port_text.empty()) return error(quoted + ": empty port");
    }
  }
  if (where.host.empty()) return error(quoted + " names no address to listen on (HOST:PORT)");
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return error(quoted + ": invalid port '" + std::string(port_text) + "'");
    }
    where.port = static_cast<uint16_t>(port);
  }
  return where;
}

Result<DaemonConnection> accept_daemon(const ListenAddress& where, std::optional<std::chrono::milliseconds> timeout,
                                       const std::atomic<bool>* stop, const std::function<void()>& listening) {
  auto listener = net::listen_tcp(where.host, where.port);
  if (!listener) return listener.errors();
  if (listening) listening();
  auto socket = net::accept_one(*listener, timeout, stop);
  if (!socket) return error("waiting for a daemon on " + where.host + " port " + std::to_string(where.port) + ": " +
                            socket.error().message);
  auto peer = net::peer_of(*socket);
  if (!peer) return peer.errors();
  return DaemonConnection(socket->release(), peer->host, peer->port, where.tls);
}

}  // namespace bpfc::capture::rpcap
