// The control connection of an rpcap session: connected (under TLS for
// rpcaps://, the handshake first), authenticated (with version
// negotiation), then requests and their replies one at a time. An ERROR
// reply becomes a Diagnostic with the daemon's text.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "bpfc/capture/rpcap/client.h"
#include "bpfc/capture/rpcap/protocol.h"
#include "connection.h"

namespace bpfc::capture::rpcap {

class ControlSession {
 public:
  static Result<ControlSession> open(const RemoteAddress& address, const ConnectOptions& options);
  // Authenticates on a connection the daemon opened (active mode).
  static Result<ControlSession> open(DaemonConnection connection, const ConnectOptions& options);

  uint8_t version() const { return version_; }
  // The daemon's bpfc capabilities (kCapability*): 0 for libpcap's.
  uint32_t bpfc_capabilities() const { return bpfc_capabilities_; }
  const net::Socket& socket() const { return connection_.socket(); }
  bool secure() const { return tls_ != nullptr; }
  // A TCP data connection of this session, under TLS when the session is
  // (the client starts the handshake, and checks the daemon as on the
  // control connection).
  Result<net::Connection> data_connection(net::Socket socket, const std::atomic<bool>* stop) const;

  // Sends `request` (its version replaced by the session's) and reads the
  // reply, which must be `expected` (or ERROR, returned as a Diagnostic).
  // Views in the reply stay valid until the next request.
  Result<Message> request(Message request, MessageType expected);
  // Sends without waiting for a reply (CLOSE has none).
  [[nodiscard]] std::optional<Diagnostic> send(Message message);

 private:
  ControlSession(net::Connection connection, std::chrono::milliseconds timeout)
      : connection_(std::move(connection)), timeout_(timeout) {}
  // The TLS handshake on `socket` with the daemon named `name`.
  static Result<ControlSession> secure(net::Socket socket, const std::string& name, const ConnectOptions& options);
  [[nodiscard]] std::optional<Diagnostic> authenticate(const std::optional<Credentials>& credentials);
  Result<Message> read_reply(MessageType request_type, MessageType expected, uint8_t version);

  net::Connection connection_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<TlsContext> tls_;  // rpcaps://
  std::string tls_name_;             // the name the daemon's certificate carries
  uint8_t version_ = 0;
  uint32_t bpfc_capabilities_ = 0;
  std::vector<uint8_t> payload_;
};

}  // namespace bpfc::capture::rpcap
