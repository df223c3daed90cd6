// Control requests and replies, and the AUTH exchange that starts a session.
#include "control_session.h"

#include <algorithm>

#include "tls_session.h"

namespace bpfc::capture::rpcap {
namespace {

// A daemon's error text as it may be shown: at most this many bytes.
constexpr size_t kShownErrorBytes = 1024;

Diagnostic remote_error(MessageType request_type, const ErrorPayload& payload) {
  std::string text = payload.text.substr(0, kShownErrorBytes);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  if (payload.code == static_cast<uint16_t>(ErrorCode::TlsRequired)) text += " (connect with rpcaps://)";
  return error("the daemon refused " + message_type_name(static_cast<uint8_t>(request_type)) + " (" +
               error_code_name(payload.code) + "): " + text);
}

}  // namespace

Result<ControlSession> ControlSession::secure(net::Socket socket, const std::string& name,
                                             const ConnectOptions& options) {
  auto context = make_tls_client_context(options.tls);
  if (!context) return context.errors();
  auto session = tls::Session::connect(**context, socket.fd(), name,
                                       tls::Clock::now() + options.control_timeout);
  if (!session) return session.errors();
  ControlSession control(net::Connection(std::move(socket), std::move(*session)), options.control_timeout);
  control.tls_ = std::move(*context);
  control.tls_name_ = name;
  return control;
}

Result<ControlSession> ControlSession::open(const RemoteAddress& address, const ConnectOptions& options) {
  auto socket = net::connect_tcp(address.host, address.port, options.control_timeout);
  if (!socket) return socket.errors();
  if (!address.tls) {
    ControlSession session(net::Connection(std::move(*socket)), options.control_timeout);
    if (auto problem = session.authenticate(options.credentials)) return *problem;
    return session;
  }
  auto session = secure(std::move(*socket), address.host, options);
  if (!session) {
    return error(address.host + " port " + std::to_string(address.port) + ": " + session.error().message);
  }
  if (auto problem = session->authenticate(options.credentials)) return *problem;
  return session;
}

Result<ControlSession> ControlSession::open(DaemonConnection connection, const ConnectOptions& options) {
  std::string peer = connection.peer();
  const bool tls = connection.tls();
  const std::string host = connection.host();
  net::Socket socket(connection.release());
  if (!socket.valid()) return error("no connection from a daemon");
  auto session = tls ? secure(std::move(socket), host, options)
                     : Result<ControlSession>(ControlSession(net::Connection(std::move(socket)), options.control_timeout));
  if (!session) return error("the daemon at " + peer + ": " + session.error().message);
  if (auto problem = session->authenticate(options.credentials)) {
    return error("the daemon at " + peer + ": " + problem->message);
  }
  return session;
}

Result<net::Connection> ControlSession::data_connection(net::Socket socket, const std::atomic<bool>* stop) const {
  if (!tls_) return net::Connection(std::move(socket));
  auto session = tls::Session::connect(*tls_, socket.fd(), tls_name_, tls::Clock::now() + timeout_, stop);
  if (!session) return session.errors();
  return net::Connection(std::move(socket), std::move(*session));
}

std::optional<Diagnostic> ControlSession::send(Message message) {
  message.version = version_;
  auto bytes = encode_message(message);
  if (!bytes) return bytes.error();
  return connection_.send_all(*bytes);
}

Result<Message> ControlSession::request(Message request, MessageType expected) {
  MessageType type = request.type;
  if (auto problem = send(std::move(request))) return *problem;
  return read_reply(type, expected, version_);
}

Result<Message> ControlSession::read_reply(MessageType request_type, MessageType expected, uint8_t version) {
  uint8_t header_bytes[kHeaderSize];
  std::string what = "the reply to " + message_type_name(static_cast<uint8_t>(request_type));
  if (auto problem = connection_.read_exact(header_bytes, timeout_, what)) return *problem;
  Header header = decode_header(header_bytes);
  if (auto problem = check_header(header)) return error(what + ": " + problem->message);
  // The header is checked: its length is within the type's bound.
  payload_.resize(header.length);
  if (auto problem = connection_.read_exact(payload_, timeout_, what)) return *problem;
  auto message = decode_message(header, payload_);
  if (!message) return error(what + ": " + message.error().message);
  if (message->type == MessageType::Error) return remote_error(request_type, std::get<ErrorPayload>(message->payload));
  if (message->type != expected) {
    return error(what + " is a " + message_type_name(header.type) + " message, not " +
                 message_type_name(static_cast<uint8_t>(expected)));
  }
  if (header.version != version) {
    return error(what + " has protocol version " + std::to_string(header.version) + ", the session uses " +
                 std::to_string(version));
  }
  return message;
}

std::optional<Diagnostic> ControlSession::authenticate(const std::optional<Credentials>& credentials) {
  AuthRequestPayload auth;
  if (credentials) {
    if (credentials->username.size() > 65535 || credentials->password.size() > 65535) {
      return error("the user name and the password must be at most 65535 bytes each");
    }
    auth.type = static_cast<uint16_t>(AuthType::Password);
    auth.username = credentials->username;
    auth.password = credentials->password;
  }
  // The AUTH request always says version 0: every daemon accepts it.
  version_ = 0;
  auto reply = request(Message{0, MessageType::AuthRequest, 0, auth}, MessageType::AuthReply);
  if (!reply) return reply.error();
  const auto& versions = std::get<AuthReplyPayload>(reply->payload);
  uint8_t their_min = versions.has_versions ? versions.min_version : 0;
  uint8_t their_max = versions.has_versions ? versions.max_version : 0;
  if (their_min > their_max) {
    return error("the daemon's minimum protocol version " + std::to_string(their_min) + " is above its maximum " +
                 std::to_string(their_max));
  }
  uint8_t chosen = std::min(their_max, kMaxVersion);
  if (chosen < their_min || chosen < kMinVersion) {
    return error("no common protocol version: the daemon speaks " + std::to_string(their_min) + " to " +
                 std::to_string(their_max) + ", this client " + std::to_string(kMinVersion) + " to " +
                 std::to_string(kMaxVersion));
  }
  if (versions.byte_order_magic && *versions.byte_order_magic != kByteOrderMagic &&
      *versions.byte_order_magic != kByteOrderMagicSwapped) {
    return error("the daemon sent an invalid byte order value in its AUTH reply");
  }
  version_ = chosen;
  bpfc_capabilities_ = versions.bpfc_capabilities.value_or(0);
  return std::nullopt;
}

}  // namespace bpfc::capture::rpcap
