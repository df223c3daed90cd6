// One TLS session over a connected TCP socket, for both sides of RPCAP.
// The socket is made non-blocking and waited for with poll(), so that every
// step (the handshake too) ends by a deadline; the socket stays the
// caller's. Errors are sentences that name the reason (an untrusted issuer,
// a name mismatch, a pin mismatch, the peer's alert).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "bpfc/capture/rpcap/tls.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct x509_st X509;

namespace bpfc::capture::rpcap {

class TlsContext {
 public:
  TlsContext(SSL_CTX* context, bool server, TlsClientOptions client)
      : context_(context), server_(server), client_(std::move(client)) {}
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() const { return context_; }
  bool server() const { return server_; }
  const TlsClientOptions& client_options() const { return client_; }

 private:
  SSL_CTX* context_;
  bool server_;
  TlsClientOptions client_;
};

namespace tls {

// The first reason in OpenSSL's error queue, which is emptied; empty when
// the queue was.
std::string openssl_reason();

// SHA-256 of the certificate's DER SubjectPublicKeyInfo.
std::optional<TlsPin> public_key_pin(X509* certificate);

using Clock = std::chrono::steady_clock;
using Deadline = std::optional<Clock::time_point>;  // nullopt: no limit

class Session {
 public:
  // The client's handshake: the peer's certificate checked against
  // `name` as the context's options say.
  static Result<std::unique_ptr<Session>> connect(const TlsContext& context, int fd, const std::string& name,
                                                  Deadline deadline, const std::atomic<bool>* stop = nullptr);
  // The daemon's handshake (and the client's certificate when required).
  static Result<std::unique_ptr<Session>> accept(const TlsContext& context, int fd, Deadline deadline,
                                                 const std::atomic<bool>* stop = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  enum class Status { Data, Idle, Closed, Failed };
  // Reads what is there (at most out.size() bytes into `got`): Data; Idle
  // when nothing came by `deadline` (a deadline already passed tries once);
  // Closed at the peer's end; Failed with failure() set.
  Status read_some(std::span<uint8_t> out, size_t& got, Deadline deadline);
  // Everything by `deadline`, or until `stop` becomes true; the reason on
  // failure.
  std::optional<std::string> write_all(std::span<const uint8_t> bytes, Deadline deadline,
                                       const std::atomic<bool>* stop = nullptr);
  // Whether decrypted bytes wait in OpenSSL's buffer (poll() cannot see
  // them).
  bool pending() const;
  // Says goodbye (close_notify), without waiting for the peer's.
  void close_notify();
  const std::string& failure() const { return error_; }
  int fd() const { return fd_; }

 private:
  Session(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {}
  SSL* ssl_;
  int fd_;
  std::string error_;
};

}  // namespace tls
}  // namespace bpfc::capture::rpcap
