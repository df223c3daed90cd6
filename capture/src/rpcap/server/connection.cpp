// One client connection: the control messages read with bounds and
// deadlines, handed to a ServerSession, and its replies written back.
//
// Deadlines: the whole time until AUTH succeeds (auth_timeout), the time
// between messages while no capture runs (idle_timeout), and the time one
// message may take to arrive once its first byte came (kMessageTimeout): a
// client that stops halfway through a message is dropped, not waited for.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "bpfc/capture/rpcap/server.h"
#include "live_backend.h"

namespace bpfc::capture::rpcap {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kMessageTimeout{30};

enum class ReadStatus { Complete, Closed, TimedOut, Failed };

// Reads exactly `size` bytes by `deadline` (none: wait for ever, but a
// started message must still finish within kMessageTimeout).
ReadStatus read_exact(int fd, uint8_t* out, size_t size, std::optional<Clock::time_point> deadline) {
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
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, wait_ms);
    if (ready < 0 && errno != EINTR) return ReadStatus::Failed;
    if (ready <= 0) continue;
    const ssize_t n = read(fd, out + got, size - got);
    if (n == 0) return ReadStatus::Closed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return ReadStatus::Failed;
    }
    if (got == 0) message_deadline = Clock::now() + kMessageTimeout;
    got += static_cast<size_t>(n);
  }
  return ReadStatus::Complete;
}

bool write_all(int fd, const std::vector<uint8_t>& bytes) {
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

std::string describe(const sockaddr_storage& a) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(a).sin_addr, text, sizeof text);
  } else if (a.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(a).sin6_addr, text, sizeof text);
  }
  return text;
}

}  // namespace

void serve_connection(int fd, const DaemonOptions& options, const LogFunction& log) {
  server::ConnectionAddresses addresses;
  socklen_t local_size = sizeof addresses.local, peer_size = sizeof addresses.peer;
  addresses.known = getsockname(fd, reinterpret_cast<sockaddr*>(&addresses.local), &local_size) == 0 &&
                    getpeername(fd, reinterpret_cast<sockaddr*>(&addresses.peer), &peer_size) == 0 &&
                    (addresses.peer.ss_family == AF_INET || addresses.peer.ss_family == AF_INET6);
  const std::string who = addresses.known ? describe(addresses.peer) : "standard input";
  auto backend = server::live_backend(addresses, options.data_port, log);
  ServerSession session(options.policy, *backend);
  if (addresses.known && !options.allowed_hosts.allows(addresses.peer)) {
    log(who + ": not in the allowed host list");
    write_all(fd, session.error_message(ErrorCode::HostNotAuthorized,
                                        "The host " + who + " is not in the allowed host list"));
    return;
  }
  log(who + ": connected");
  const auto started = Clock::now();
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
    ReadStatus status = read_exact(fd, header_bytes.data(), header_bytes.size(), deadline);
    if (status == ReadStatus::TimedOut) {
      log(who + ": timed out");
      write_all(fd, session.error_message(timeout_code, timeout_code == ErrorCode::InitTimeout
                                                            ? "The client did not authenticate in time"
                                                            : "The client sent nothing for too long"));
      break;
    }
    if (status != ReadStatus::Complete) {
      if (status == ReadStatus::Failed || status == ReadStatus::Closed) log(who + ": connection closed");
      break;
    }
    const Header header = decode_header(std::span<const uint8_t, kHeaderSize>(header_bytes));
    if (auto refused = session.check(header)) {
      log(who + ": " + message_type_name(header.type) + " refused before its payload was read");
      write_all(fd, refused->reply);
      break;
    }
    payload.resize(header.length);  // at most ServerSession::payload_limit() bytes
    status = read_exact(fd, payload.data(), payload.size(), Clock::now() + kMessageTimeout);
    if (status != ReadStatus::Complete) {
      log(who + ": message cut short");
      break;
    }
    last_message = Clock::now();
    ServerSession::Outcome outcome = session.handle(header, payload);
    log(who + ": " + message_type_name(header.type) + (outcome.close ? " (closing)" : ""));
    if (outcome.delay.count() > 0) std::this_thread::sleep_for(outcome.delay);
    if (!outcome.reply.empty() && !write_all(fd, outcome.reply)) break;
    if (outcome.close) break;
  }
  backend->end_capture();
  log(who + ": session ended");
}

}  // namespace bpfc::capture::rpcap
