// A TCP connection of the rpcap client, plain (rpcap://) or under TLS
// (rpcaps://): sending whole buffers, reading exactly N bytes or what is
// there, each with a deadline, whichever it is.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "socket_io.h"

namespace bpfc::capture::rpcap::tls {
class Session;
}

namespace bpfc::capture::rpcap::net {

class Connection {
 public:
  Connection();
  explicit Connection(Socket socket);
  Connection(Socket socket, std::unique_ptr<tls::Session> tls);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  const Socket& socket() const { return socket_; }
  bool valid() const { return socket_.valid(); }
  bool secure() const { return tls_ != nullptr; }
  // Closes it (a TLS session says close_notify first).
  void reset();

  [[nodiscard]] std::optional<Diagnostic> send_all(std::span<const uint8_t> bytes);
  // Fills `out`, waiting at most `timeout` for each piece (nullopt: for
  // ever); `what` names the data in errors.
  [[nodiscard]] std::optional<Diagnostic> read_exact(std::span<uint8_t> out,
                                                     std::optional<std::chrono::milliseconds> timeout,
                                                     const std::string& what);
  // Whether bytes may be read now or come within `timeout`.
  Result<bool> wait_readable(std::optional<std::chrono::milliseconds> timeout) const;
  // What is there without waiting: its size, 0 when the peer closed the
  // connection, nullopt when nothing is (a TLS record not yet whole).
  Result<std::optional<size_t>> read_available(std::span<uint8_t> out);

 private:
  // Declared first: destroyed after the TLS session, which uses it.
  Socket socket_;
  std::unique_ptr<tls::Session> tls_;
};

}  // namespace bpfc::capture::rpcap::net
