// One client connection: the control messages read with bounds and
// deadlines, handed to a ServerSession, and its replies written back.
//
// Deadlines: the whole time until AUTH succeeds (auth_timeout), the time
// between messages while no capture runs (idle_timeout), and the time one
// message may take to arrive once its first byte came (kMessageTimeout): a
// client that stops halfway through a message is dropped, not waited for.
//
// Under TLS (-S) the client's handshake comes first, within auth_timeout
// too: a client that connects and never completes it does not keep its slot.
// A client that speaks RPCAP in clear is answered in clear that TLS is
// required (libpcap's rpcapd tells the two apart by the first byte: 22
// starts a TLS handshake, an RPCAP request starts with its version, 0).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "bpfc/capture/rpcap/server.h"
#include "admission.h"
#include "dead_peer.h"
#include "live_backend.h"
#include "tls_session.h"

namespace bpfc::capture::rpcap {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kMessageTimeout{30};

enum class ReadStatus { Complete, Closed, TimedOut, Failed };

// The control connection: its socket, and its TLS session under -S.
struct Link {
  int fd;
  std::unique_ptr<tls::Session> tls;
};

// One read of what is there, waiting at most `wait_ms`: Complete (with
// `got` bytes), or TimedOut when nothing came.
ReadStatus read_some(Link& link, uint8_t* out, size_t size, size_t& got, int wait_ms) {
  got = 0;
  if (link.tls) {
    switch (link.tls->read_some(std::span<uint8_t>(out, size), got, Clock::now() + std::chrono::milliseconds(wait_ms))) {
      case tls::Session::Status::Data: return ReadStatus::Complete;
      case tls::Session::Status::Idle: return ReadStatus::TimedOut;
      case tls::Session::Status::Closed: return ReadStatus::Closed;
      case tls::Session::Status::Failed: return ReadStatus::Failed;
    }
  }
  pollfd p{link.fd, POLLIN, 0};
  const int ready = poll(&p, 1, wait_ms);
  if (ready < 0 && errno != EINTR) return ReadStatus::Failed;
  if (ready <= 0) return ReadStatus::TimedOut;
  const ssize_t n = read(link.fd, out, size);
  if (n == 0) return ReadStatus::Closed;
  if (n < 0) return errno == EINTR || errno == EAGAIN ? ReadStatus::TimedOut : ReadStatus::Failed;
  got = static_cast<size_t>(n);
  return ReadStatus::Complete;
}

// Reads exactly `size` bytes by `deadline` (none: wait for ever, but a
// started message must still finish within kMessageTimeout).
ReadStatus read_exact(Link& link, uint8_t* out, size_t size, std::optional<Clock::time_point> deadline) {
  size_t got = 0;
  std::optional<Clock::time_point> message_deadline;
  while (got < size) {
    std::optional<Clock::time_point> limit = deadline;
    if (message_deadline && (!limit || *message_deadline < *limit)) limit = message_deadline;
    int wait_ms = 1000;
    if (limit) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*limit - Clock::now()).count();
      if (left <= 0) return ReadStatus::TimedOut;
      wait_ms = static_cast<int>(std::min<int64_t>(left, 1000));
    }
    size_t n = 0;
    const ReadStatus status = read_some(link, out + got, size - got, n, wait_ms);
    if (status == ReadStatus::TimedOut) continue;
    if (status != ReadStatus::Complete) return status;
    if (got == 0) message_deadline = Clock::now() + kMessageTimeout;
    got += n;
  }
  return ReadStatus::Complete;
}

bool write_plain(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) {
      const ssize_t w = write(fd, bytes.data() + done, bytes.size() - done);  // inetd: a pipe in tests
      if (w < 0) return false;
      done += static_cast<size_t>(w);
      continue;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool write_all(Link& link, const std::vector<uint8_t>& bytes) {
  if (!link.tls) return write_plain(link.fd, bytes);
  return !link.tls->write_all(bytes, Clock::now() + kMessageTimeout);
}

constexpr uint8_t kTlsHandshakeRecord = 22;

// The first byte the client sends, left in the socket; nullopt when it
// closed the connection or sent nothing by `deadline`.
std::optional<uint8_t> peek_first_byte(int fd, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (ready < 0 && errno != EINTR) return std::nullopt;
    if (ready <= 0) continue;
    uint8_t byte = 0;
    const ssize_t n = recv(fd, &byte, 1, MSG_PEEK);
    if (n == 1) return byte;
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) return std::nullopt;
  }
}

// Closes gently: our side first, then what the client still sends is read
// (for at most a second) until it closes too. Closing with its bytes unread
// would reset the connection, and the client could lose the reply or TLS
// alert it has not read yet.
void linger_close(int fd) {
  shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + std::chrono::seconds(1);
  uint8_t sink[4096];
  for (size_t drained = 0; drained < 64 * 1024;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return;
    const ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    if (n <= 0) return;
    drained += static_cast<size_t>(n);
  }
}

// An ERROR message before any version was negotiated (version 0, which
// every client reads).
std::vector<uint8_t> early_error(ErrorCode code, const std::string& text) {
  Message message{0, MessageType::Error, 0, ErrorPayload{static_cast<uint16_t>(code), text}};
  auto bytes = encode_message(message);
  return bytes ? std::move(*bytes) : std::vector<uint8_t>{};
}

// A client that sent RPCAP in clear to a TLS daemon: its request read (so
// that closing does not reset the connection before the reply is read)
// and answered in clear with `reply`.
void answer_clear_text(int fd, const std::vector<uint8_t>& reply, Clock::time_point deadline) {
  Link link{fd, nullptr};
  std::array<uint8_t, kHeaderSize> header_bytes;
  if (read_exact(link, header_bytes.data(), header_bytes.size(), deadline) != ReadStatus::Complete) return;
  const Header header = decode_header(std::span<const uint8_t, kHeaderSize>(header_bytes));
  std::vector<uint8_t> payload(std::min<uint32_t>(header.length, 64 * 1024));
  const auto soon = std::min(deadline, Clock::now() + std::chrono::seconds(1));
  if (!payload.empty()) (void)read_exact(link, payload.data(), payload.size(), soon);
  write_plain(fd, reply);
  linger_close(fd);
}

}  // namespace

std::string server::address_text(const sockaddr_storage& a) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(a).sin_addr, text, sizeof text);
  } else if (a.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(a).sin6_addr, text, sizeof text);
  }
  return text;
}

void server::refuse_connection(int fd, const DaemonOptions& options, ErrorCode code, const std::string& text,
                               std::chrono::milliseconds limit, const LogFunction& log) {
  const std::vector<uint8_t> reply = early_error(code, text);
  if (!options.tls) {
    write_plain(fd, reply);
    linger_close(fd);
    return;
  }
  const auto deadline = Clock::now() + limit;
  const auto first = peek_first_byte(fd, deadline);
  if (!first) return;
  if (*first != kTlsHandshakeRecord) {
    answer_clear_text(fd, reply, deadline);
    return;
  }
  auto secured = tls::Session::accept(*options.tls, fd, deadline);
  if (!secured) {
    log("refused client: " + secured.error().message);
    return;
  }
  (void)(*secured)->write_all(reply, deadline);
  (*secured)->close_notify();
  secured->reset();
  linger_close(fd);
}

void serve_connection(int fd, const DaemonOptions& options, const LogFunction& log) {
  server::ConnectionAddresses addresses;
  socklen_t local_size = sizeof addresses.local, peer_size = sizeof addresses.peer;
  addresses.known = getsockname(fd, reinterpret_cast<sockaddr*>(&addresses.local), &local_size) == 0 &&
                    getpeername(fd, reinterpret_cast<sockaddr*>(&addresses.peer), &peer_size) == 0 &&
                    (addresses.peer.ss_family == AF_INET || addresses.peer.ss_family == AF_INET6);
  const std::string who = addresses.known ? server::address_text(addresses.peer) : "standard input";
  if (addresses.known && !options.allowed_hosts.allows(addresses.peer)) {
    log(who + ": not in the allowed host list");
    server::refuse_connection(fd, options, ErrorCode::HostNotAuthorized, server::not_allowed_text(who),
                              server::refusal_limit(options), log);
    return;
  }
  server::detect_dead_peer(fd, options.dead_peer_timeout);
  auto backend = server::live_backend(addresses, options.data_port, options.dead_peer_timeout, options.tls, log);
  ServerSession session(options.policy, *backend);
  Link link{fd, nullptr};
  log(who + ": connected");
  const auto started = Clock::now();
  if (options.tls) {
    const auto deadline = started + options.auth_timeout;
    const auto first = peek_first_byte(fd, deadline);
    if (!first) {
      log(who + ": no TLS handshake (closed or timed out)");
      return;
    }
    if (*first != kTlsHandshakeRecord) {
      log(who + ": RPCAP without TLS: refused (TLS is required)");
      answer_clear_text(fd, early_error(ErrorCode::TlsRequired, "TLS is required by this daemon"), deadline);
      return;
    }
    auto secured = tls::Session::accept(*options.tls, fd, deadline);
    if (!secured) {
      log(who + ": " + secured.error().message);
      linger_close(fd);
      return;
    }
    link.tls = std::move(*secured);
    log(who + ": TLS established");
  }
  auto last_message = started;
  std::vector<uint8_t> payload;
  while (true) {
    std::optional<Clock::time_point> deadline;
    ErrorCode timeout_code = ErrorCode::InitTimeout;
    if (!session.authenticated()) {
      deadline = started + options.auth_timeout;
    } else if (!session.capturing() || !backend->capturing()) {
      deadline = last_message + options.idle_timeout;
      timeout_code = ErrorCode::RuntimeTimeout;
    }
    std::array<uint8_t, kHeaderSize> header_bytes;
    ReadStatus status = read_exact(link, header_bytes.data(), header_bytes.size(), deadline);
    if (status == ReadStatus::TimedOut) {
      log(who + ": timed out");
      write_all(link, session.error_message(timeout_code, timeout_code == ErrorCode::InitTimeout
                                                            ? "The client did not authenticate in time"
                                                            : "The client sent nothing for too long"));
      break;
    }
    if (status != ReadStatus::Complete) {
      if (status == ReadStatus::Failed && link.tls) log(who + ": " + link.tls->failure());
      if (status == ReadStatus::Failed || status == ReadStatus::Closed) log(who + ": connection closed");
      break;
    }
    const Header header = decode_header(std::span<const uint8_t, kHeaderSize>(header_bytes));
    if (auto refused = session.check(header)) {
      log(who + ": " + message_type_name(header.type) + " refused before its payload was read");
      write_all(link, refused->reply);
      break;
    }
    payload.resize(header.length);  // at most ServerSession::payload_limit() bytes
    status = read_exact(link, payload.data(), payload.size(), Clock::now() + kMessageTimeout);
    if (status != ReadStatus::Complete) {
      log(who + ": message cut short");
      break;
    }
    last_message = Clock::now();
    ServerSession::Outcome outcome = session.handle(header, payload);
    log(who + ": " + message_type_name(header.type) + (outcome.close ? " (closing)" : ""));
    if (outcome.delay.count() > 0) std::this_thread::sleep_for(outcome.delay);
    if (!outcome.reply.empty() && !write_all(link, outcome.reply)) break;
    if (outcome.close) break;
  }
  backend->end_capture();
  if (link.tls) {
    // The client answers close_notify with its own (libpcap's does, after
    // CLOSE): read it before closing, or its arrival resets the connection
    // under the client's feet.
    link.tls->close_notify();
    link.tls.reset();
    linger_close(fd);
  }
  log(who + ": session ended");
}

}  // namespace bpfc::capture::rpcap
