// TLS sessions on non-blocking sockets: each OpenSSL call that wants more
// bytes (or room) is followed by a poll() bounded by the caller's deadline.
#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "tls_session.h"

namespace bpfc::capture::rpcap::tls {
namespace {

constexpr std::chrono::milliseconds kStopSlice{100};

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// What a failed TLS exchange means, from the reason OpenSSL gives; the
// peer's alerts named in the words of the command lines that fix them.
std::string explain(const std::string& reason, bool client) {
  if (reason.empty()) return "the connection was closed during the TLS exchange";
  if (client) {
    if (contains(reason, "alert certificate required")) {
      return "the daemon requires a client certificate (" + reason + "): give --cert FILE --key FILE";
    }
    if (contains(reason, "alert unknown ca") || contains(reason, "alert bad certificate") ||
        contains(reason, "alert certificate unknown")) {
      return "the daemon refused the client certificate (" + reason + ")";
    }
    if (contains(reason, "alert handshake failure")) {
      return "the daemon refused the TLS handshake (" + reason + "): does it serve TLS (rpcapd -S)?";
    }
    if (contains(reason, "wrong version number") || contains(reason, "packet length too long") ||
        contains(reason, "record layer failure")) {
      return "the daemon does not speak TLS on this port (" + reason + "): use rpcap:// or a daemon with -S";
    }
  } else {
    if (contains(reason, "peer did not return a certificate")) return "the client presented no certificate";
    if (contains(reason, "wrong version number") || contains(reason, "http request") ||
        contains(reason, "unsupported protocol")) {
      return "the client does not speak TLS (" + reason + ")";
    }
  }
  return "TLS: " + reason;
}

// A verification failure of the peer's certificate, named.
std::string verify_failure(long code, const std::string& name, bool client) {
  const std::string detail = X509_verify_cert_error_string(code);
  const std::string whose = client ? "the daemon's certificate" : "the client's certificate";
  switch (code) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "name mismatch: " + whose + " is not for '" + name + "' (" + detail + ")";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "untrusted issuer: " + whose + " is not signed by a trusted CA (" + detail + ")" +
             (client ? ": give its CA with --ca FILE, or its key's --pin" : "");
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return whose + " is out of its validity period (" + detail + ")";
    default:
      return whose + " was refused: " + detail;
  }
}

enum class Wait { Ready, TimedOut, Stopped };

// Waits until the socket can do what OpenSSL asked for (`ssl_error`).
Wait wait_for(int fd, int ssl_error, Deadline deadline, const std::atomic<bool>* stop) {
  const short events = ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
  for (;;) {
    if (stop && stop->load()) return Wait::Stopped;
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      if (left <= 0) return Wait::TimedOut;
      wait_ms = static_cast<int>(std::min<int64_t>(left, INT_MAX));
    }
    if (stop) wait_ms = wait_ms < 0 ? static_cast<int>(kStopSlice.count()) : std::min<int>(wait_ms, kStopSlice.count());
    pollfd p{fd, events, 0};
    const int ready = poll(&p, 1, wait_ms);
    if (ready > 0 || (ready < 0 && errno != EINTR)) return Wait::Ready;  // errors: OpenSSL's next call reports them
  }
}

bool make_nonblocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool is_numeric_address(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 || inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

struct SslOwner {
  SSL* ssl;
  ~SslOwner() {
    if (ssl) SSL_free(ssl);
  }
};

}  // namespace

std::string openssl_reason() {
  std::string reason;
  while (unsigned long code = ERR_get_error()) {
    if (!reason.empty()) continue;
    if (ERR_SYSTEM_ERROR(code)) {
      // A failed system call (fopen of a missing file...): its errno.
      reason = std::strerror(static_cast<int>(ERR_GET_REASON(code)));
      continue;
    }
    const char* text = ERR_reason_error_string(code);
    reason = text ? text : "error " + std::to_string(code);
  }
  return reason;
}

Session::~Session() { SSL_free(ssl_); }

Result<std::unique_ptr<Session>> Session::connect(const TlsContext& context, int fd, const std::string& name,
                                                  Deadline deadline, const std::atomic<bool>* stop) {
  const TlsClientOptions& options = context.client_options();
  const std::string expected = options.name.empty() ? name : options.name;
  ERR_clear_error();
  if (!make_nonblocking(fd)) return error(std::string("TLS: fcntl: ") + std::strerror(errno));
  SslOwner owner{SSL_new(context.get())};
  if (!owner.ssl || SSL_set_fd(owner.ssl, fd) != 1) return error("TLS: cannot create a session: " + openssl_reason());
  const bool numeric = is_numeric_address(expected);
  if (!numeric && !expected.empty()) SSL_set_tlsext_host_name(owner.ssl, expected.c_str());
  // A pin alone is the whole check: the chain and the names are not.
  const bool verify = !options.insecure && !(options.pin && options.ca_file.empty());
  if (verify) {
    X509_VERIFY_PARAM* parameters = SSL_get0_param(owner.ssl);
    if (numeric) {
      X509_VERIFY_PARAM_set1_ip_asc(parameters, expected.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(parameters, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      SSL_set1_host(owner.ssl, expected.c_str());
    }
    SSL_set_verify(owner.ssl, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_set_verify(owner.ssl, SSL_VERIFY_NONE, nullptr);
  }
  for (;;) {
    const int result = SSL_connect(owner.ssl);
    if (result == 1) break;
    const int code = SSL_get_error(owner.ssl, result);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
      const Wait waited = wait_for(fd, code, deadline, stop);
      if (waited == Wait::TimedOut) return error("TLS handshake: the daemon did not complete it in time");
      if (waited == Wait::Stopped) return error("TLS handshake: stopped");
      continue;
    }
    const long verified = SSL_get_verify_result(owner.ssl);
    const std::string reason = openssl_reason();
    if (verify && verified != X509_V_OK) return error("TLS: " + verify_failure(verified, expected, true));
    if (code == SSL_ERROR_SYSCALL && reason.empty() && errno != 0) {
      return error(std::string("TLS handshake: ") + std::strerror(errno));
    }
    return error("TLS handshake: " + explain(reason, true));
  }
  if (options.pin) {
    X509* certificate = SSL_get1_peer_certificate(owner.ssl);
    if (!certificate) return error("TLS: pin mismatch: the daemon presented no certificate");
    auto pin = public_key_pin(certificate);
    X509_free(certificate);
    if (!pin) return error("TLS: cannot hash the daemon's public key");
    if (*pin != *options.pin) {
      return error("TLS: pin mismatch: the daemon's public key has the SHA-256 pin " + format_tls_pin(*pin) +
                   ", not " + format_tls_pin(*options.pin));
    }
  }
  std::unique_ptr<Session> session(new Session(owner.ssl, fd));
  owner.ssl = nullptr;
  return session;
}

Result<std::unique_ptr<Session>> Session::accept(const TlsContext& context, int fd, Deadline deadline,
                                                 const std::atomic<bool>* stop) {
  ERR_clear_error();
  if (!make_nonblocking(fd)) return error(std::string("TLS: fcntl: ") + std::strerror(errno));
  SslOwner owner{SSL_new(context.get())};
  if (!owner.ssl || SSL_set_fd(owner.ssl, fd) != 1) return error("TLS: cannot create a session: " + openssl_reason());
  for (;;) {
    const int result = SSL_accept(owner.ssl);
    if (result == 1) break;
    const int code = SSL_get_error(owner.ssl, result);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
      const Wait waited = wait_for(fd, code, deadline, stop);
      if (waited == Wait::TimedOut) return error("TLS handshake: the client did not complete it in time");
      if (waited == Wait::Stopped) return error("TLS handshake: stopped");
      continue;
    }
    const long verified = SSL_get_verify_result(owner.ssl);
    const std::string reason = openssl_reason();
    if (verified != X509_V_OK) return error("TLS: " + verify_failure(verified, "", false));
    return error("TLS handshake: " + explain(reason, false));
  }
  std::unique_ptr<Session> session(new Session(owner.ssl, fd));
  owner.ssl = nullptr;
  return session;
}

Session::Status Session::read_some(std::span<uint8_t> out, size_t& got, Deadline deadline) {
  got = 0;
  const int size = static_cast<int>(std::min<size_t>(out.size(), INT_MAX));
  for (;;) {
    ERR_clear_error();
    const int result = SSL_read(ssl_, out.data(), size);
    if (result > 0) {
      got = static_cast<size_t>(result);
      return Status::Data;
    }
    const int code = SSL_get_error(ssl_, result);
    if (code == SSL_ERROR_ZERO_RETURN) return Status::Closed;
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
      if (wait_for(fd_, code, deadline, nullptr) != Wait::Ready) return Status::Idle;
      continue;
    }
    const std::string reason = openssl_reason();
    if (code == SSL_ERROR_SYSCALL && reason.empty()) {
      if (result == 0 || errno == 0) return Status::Closed;
      error_ = std::string("TLS: ") + std::strerror(errno);
      return Status::Failed;
    }
    error_ = explain(reason, !SSL_is_server(ssl_));
    return Status::Failed;
  }
}

std::optional<std::string> Session::write_all(std::span<const uint8_t> bytes, Deadline deadline,
                                              const std::atomic<bool>* stop) {
  while (!bytes.empty()) {
    ERR_clear_error();
    const int size = static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX));
    const int result = SSL_write(ssl_, bytes.data(), size);
    if (result > 0) {
      bytes = bytes.subspan(static_cast<size_t>(result));
      continue;
    }
    const int code = SSL_get_error(ssl_, result);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
      const Wait waited = wait_for(fd_, code, deadline, stop);
      if (waited == Wait::TimedOut) return error_ = "TLS: timed out sending";
      if (waited == Wait::Stopped) return error_ = "TLS: stopped while sending";
      continue;
    }
    const std::string reason = openssl_reason();
    if (code == SSL_ERROR_SYSCALL && reason.empty()) return error_ = std::string("TLS: ") + std::strerror(errno);
    return error_ = explain(reason, !SSL_is_server(ssl_));
  }
  return std::nullopt;
}

bool Session::pending() const { return SSL_pending(ssl_) > 0; }

void Session::close_notify() {
  ERR_clear_error();
  SSL_shutdown(ssl_);  // one attempt: a non-blocking socket may not take it all
  ERR_clear_error();
}

}  // namespace bpfc::capture::rpcap::tls
