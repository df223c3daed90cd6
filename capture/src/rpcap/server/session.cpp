// One client's control conversation, as libpcap's rpcapd holds it
// (daemon.c): AUTH first (with the version negotiation), then FINDALLIF,
// OPEN, STARTCAP, UPDATEFILTER, SETSAMPLING, STATS, ENDCAP until CLOSE.
//
// Every payload length is judged from the header before a byte of the
// payload is read (check), then the codec decodes strictly (handle). A
// malformed message is answered with an ERROR and ends the connection; a
// well-formed request in the wrong state is answered with an ERROR and the
// session goes on, as libpcap's does.
#include <algorithm>

#include "bpfc/capture/rpcap/server.h"

namespace bpfc::capture::rpcap {
namespace {

constexpr uint32_t kFilterBytes = 8 + 8 * kServerMaxFilterInstructions;

bool client_request(uint8_t type) {
  switch (static_cast<MessageType>(type)) {
    case MessageType::FindAllInterfacesRequest:
    case MessageType::OpenRequest:
    case MessageType::StartCaptureRequest:
    case MessageType::UpdateFilterRequest:
    case MessageType::Close:
    case MessageType::AuthRequest:
    case MessageType::StatsRequest:
    case MessageType::EndCaptureRequest:
    case MessageType::SetSamplingRequest:
    case MessageType::Error:
      return true;
    default:
      return false;
  }
}

}  // namespace

ServerSession::ServerSession(const SessionPolicy& policy, CaptureBackend& backend)
    : policy_(policy), backend_(backend) {}

uint32_t ServerSession::payload_limit(uint8_t type) {
  switch (static_cast<MessageType>(type)) {
    case MessageType::AuthRequest: return kServerMaxAuthBytes;
    case MessageType::OpenRequest: return 256;  // interface names have 15 bytes; room for a clear refusal
    case MessageType::StartCaptureRequest: return 12 + kFilterBytes;
    case MessageType::UpdateFilterRequest: return kFilterBytes;
    case MessageType::SetSamplingRequest: return 8;
    case MessageType::Error: return 4096;  // a client's error text, read and dropped
    default: return 0;
  }
}

std::vector<uint8_t> ServerSession::error_message(ErrorCode code, const std::string& text) const {
  Message message{version_, MessageType::Error, 0, ErrorPayload{static_cast<uint16_t>(code), text}};
  auto bytes = encode_message(message);
  return bytes ? std::move(*bytes) : std::vector<uint8_t>{};
}

ServerSession::Outcome ServerSession::error(ErrorCode code, const std::string& text, bool close) const {
  return Outcome{error_message(code, text), close, {}};
}

ServerSession::Outcome ServerSession::reply(Message message, bool close) const {
  message.version = version_;
  auto bytes = encode_message(message);
  if (!bytes) return error(ErrorCode::Network, "cannot encode the reply: " + bytes.error().message, true);
  return Outcome{std::move(*bytes), close, {}};
}

std::optional<ServerSession::Outcome> ServerSession::check(const Header& header) const {
  if (!is_known_message_type(header.type)) {
    return error(ErrorCode::WrongMessage, message_type_name(header.type) + " is not an RPCAP message", true);
  }
  if (!client_request(header.type)) {
    return error(ErrorCode::WrongMessage, message_type_name(header.type) + " is a message only a server sends", true);
  }
  const uint32_t limit = payload_limit(header.type);
  if (header.length > limit) {
    return error(ErrorCode::WrongMessage,
                 message_type_name(header.type) + " with a payload of " + std::to_string(header.length) +
                     " bytes, at most " + std::to_string(limit) + " are accepted",
                 true);
  }
  return std::nullopt;
}

ServerSession::Outcome ServerSession::handle(const Header& header, std::span<const uint8_t> payload) {
  if (auto refused = check(header)) return *refused;
  if (payload.size() != header.length) return error(ErrorCode::Network, "truncated message", true);
  const auto type = static_cast<MessageType>(header.type);
  if (type == MessageType::Close) return Outcome{{}, true, {}};
  if (type == MessageType::Error) return Outcome{};  // the client's complaint: nothing to answer
  if (type == MessageType::AuthRequest) {
    if (authenticated_) return error(ErrorCode::WrongMessage, "the session is already authenticated");
    return authenticate(header, payload);
  }
  if (!authenticated_) {
    return error(ErrorCode::WrongMessage,
                 message_type_name(header.type) + " sent before authentication was completed", true);
  }
  if (header.version != version_) {
    return error(ErrorCode::WrongVersion, "RPCAP version in the message is not the negotiated version");
  }
  auto message = decode_message(header, payload);
  if (!message) return error(ErrorCode::WrongMessage, message.error().message, true);
  return dispatch(header, *message);
}

ServerSession::Outcome ServerSession::authenticate(const Header& header, std::span<const uint8_t> payload) {
  if (header.version < kMinVersion || header.version > kMaxVersion) {
    return error(ErrorCode::WrongVersion, "RPCAP version number mismatch");
  }
  auto message = decode_message(header, payload);
  if (!message) return error(ErrorCode::WrongMessage, message.error().message, true);
  const auto& request = std::get<AuthRequestPayload>(message->payload);
  bool granted = false;
  if (request.type == static_cast<uint16_t>(AuthType::Null)) {
    if (!policy_.allow_null_auth) {
      ++auth_failures_;
      Outcome out = error(ErrorCode::AuthFailed, "Authentication failed; NULL authentication not permitted.",
                          auth_failures_ >= policy_.max_auth_failures);
      out.delay = policy_.auth_failure_delay;
      return out;
    }
    granted = true;
  } else if (request.type == static_cast<uint16_t>(AuthType::Password)) {
    granted = policy_.authenticator != nullptr && request.username.size() + request.password.size() > 0 &&
              policy_.authenticator->check(request.username, request.password);
  } else {
    return error(ErrorCode::AuthTypeNotSupported, "Authentication type not recognized.");
  }
  if (!granted) {
    // One text for every cause: unknown user, wrong password, crypt failure.
    ++auth_failures_;
    Outcome out = error(ErrorCode::AuthFailed, "Authentication failed", auth_failures_ >= policy_.max_auth_failures);
    out.delay = policy_.auth_failure_delay;
    return out;
  }
  if (request.type == static_cast<uint16_t>(AuthType::Password) && policy_.after_password_login) {
    // The password was right: saying why the session cannot run tells the
    // client nothing it did not prove (libpcap's rpcapd reports its
    // setuid() failure the same way).
    if (auto why = policy_.after_password_login(request.username)) {
      return error(ErrorCode::AuthFailed, "Authentication failed: " + *why, true);
    }
  }
  authenticated_ = true;
  version_ = kMaxVersion;
  AuthReplyPayload answer;
  answer.min_version = kMinVersion;
  answer.max_version = kMaxVersion;
  answer.has_versions = true;
  answer.byte_order_magic = kByteOrderMagic;
  if (const uint32_t capabilities = backend_.bpfc_capabilities()) answer.bpfc_capabilities = capabilities;
  Message m{0, MessageType::AuthReply, 0, answer};
  auto bytes = encode_message(m);
  if (!bytes) return error(ErrorCode::Network, bytes.error().message, true);
  return Outcome{std::move(*bytes), false, {}};
}

ServerSession::Outcome ServerSession::dispatch(const Header& header, const Message& message) {
  switch (message.type) {
    case MessageType::FindAllInterfacesRequest: {
      auto interfaces = backend_.list_interfaces();
      if (!interfaces) return error(ErrorCode::FindAllInterfaces, interfaces.error().message);
      if (interfaces->empty()) return error(ErrorCode::NoRemoteInterface, "No interfaces found");
      return reply(Message{version_, MessageType::FindAllInterfacesReply, 0,
                           InterfaceListPayload{std::move(*interfaces)}});
    }
    case MessageType::OpenRequest: {
      const auto& device = std::get<OpenRequestPayload>(message.payload).device;
      if (auto why = check_device_name(device)) return error(ErrorCode::Open, *why);
      if (capturing_) {
        backend_.end_capture();
        capturing_ = false;
      }
      auto linktype = backend_.open(device);
      if (!linktype) return error(ErrorCode::Open, linktype.error().message);
      device_ = device;
      return reply(Message{version_, MessageType::OpenReply, 0, OpenReplyPayload{*linktype, 0}});
    }
    case MessageType::StartCaptureRequest: {
      const auto& request = std::get<StartCaptureRequestPayload>(message.payload);
      if (!device_) return error(ErrorCode::StartCapture, "No capture device was specified");
      if (capturing_ && backend_.capturing()) return error(ErrorCode::StartCapture, "A capture is already running");
      if (capturing_) backend_.end_capture();
      capturing_ = false;
      if (auto why = check_client_filter(request.filter.program)) return error(ErrorCode::StartCapture, *why);
      if ((request.flags & (kStartDatagram | kStartServerOpen)) && request.data_port == 0) {
        return error(ErrorCode::StartCapture, "a data channel the daemon opens needs the client's data port");
      }
      StartParameters parameters;
      parameters.device = *device_;
      parameters.snaplen = request.snaplen == 0 ? kMaxSnaplen : std::min(request.snaplen, kMaxSnaplen);
      parameters.read_timeout_ms = request.read_timeout_ms;
      parameters.promiscuous = (request.flags & kStartPromiscuous) != 0;
      parameters.udp = (request.flags & kStartDatagram) != 0;
      parameters.server_connects = (request.flags & kStartServerOpen) != 0;
      parameters.inbound_only = (request.flags & kStartInbound) && !(request.flags & kStartOutbound);
      parameters.outbound_only = (request.flags & kStartOutbound) && !(request.flags & kStartInbound);
      parameters.client_data_port = request.data_port;
      parameters.filter = request.filter.program;
      parameters.sampling = sampling_;
      auto port = backend_.start(parameters);
      if (!port) return error(ErrorCode::StartCapture, port.error().message);
      capturing_ = true;
      // libpcap's client sizes its receive buffer from this (pcap's default).
      return reply(
          Message{version_, MessageType::StartCaptureReply, 0, StartCaptureReplyPayload{2 * 1024 * 1024, *port}});
    }
    case MessageType::UpdateFilterRequest: {
      const auto& filter = std::get<FilterPayload>(message.payload);
      if (!capturing_) return error(ErrorCode::UpdateFilter, "No capture is running");
      if (auto why = check_client_filter(filter.program)) return error(ErrorCode::UpdateFilter, *why);
      if (auto why = backend_.update_filter(filter.program)) return error(ErrorCode::UpdateFilter, *why);
      return reply(empty_message(version_, MessageType::UpdateFilterReply));
    }
    case MessageType::SetSamplingRequest: {
      sampling_ = std::get<SamplingPayload>(message.payload);
      if (sampling_.method > static_cast<uint8_t>(SamplingMethod::FirstAfterNMilliseconds)) {
        return error(ErrorCode::SetSampling, "unknown sampling method " + std::to_string(sampling_.method));
      }
      if (capturing_) backend_.set_sampling(sampling_);
      return reply(empty_message(version_, MessageType::SetSamplingReply));
    }
    case MessageType::StatsRequest:
      return reply(Message{version_, MessageType::StatsReply, 0, backend_.statistics()});
    case MessageType::EndCaptureRequest:
      if (!capturing_) return error(ErrorCode::EndCapture, "No capture is running");
      backend_.end_capture();
      capturing_ = false;
      return reply(empty_message(version_, MessageType::EndCaptureReply));
    default:
      return error(ErrorCode::WrongMessage, message_type_name(header.type) + " is not a request", true);
  }
}

}  // namespace bpfc::capture::rpcap
