// TLS for RPCAP (rpcaps://), as libpcap's rpcapd -S and its client use it:
// the client starts a TLS handshake as soon as the TCP control connection
// is up, before any RPCAP message (in active mode too: the daemon that
// connects out is still the TLS server), and again on the TCP data
// connection, where the daemon is the server as well. UDP data channels
// have no TLS and are refused with it.
//
// The daemon's certificate is checked by default (the system's CAs or
// --ca, and the name the client connected to); a pin is the SHA-256 of the
// certificate's SubjectPublicKeyInfo, so that it survives a renewal with
// the same key.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bpfc/support/diagnostic.h"

namespace bpfc::capture::rpcap {

inline constexpr size_t kPinBytes = 32;
using TlsPin = std::array<uint8_t, kPinBytes>;

// 64 hex digits, upper or lower case, with or without ':' between bytes.
Result<TlsPin> parse_tls_pin(std::string_view text);
// "AB:CD:..." (what errors show and what parse_tls_pin takes).
std::string format_tls_pin(const TlsPin& pin);
// The pin of the first certificate of a PEM file.
Result<TlsPin> certificate_file_pin(const std::string& pem_file);

struct TlsClientOptions {
  // The CAs that may sign the daemon's certificate (PEM); empty: the
  // system's store.
  std::string ca_file;
  // The daemon's key. Alone, it is all that is checked (neither the issuer
  // nor the names); with ca_file, checked as well as those.
  std::optional<TlsPin> pin;
  // Checks nothing about the daemon (the caller warns).
  bool insecure = false;
  // A client certificate and its key (PEM), for daemons that require one.
  std::string cert_file;
  std::string key_file;
  // The name the certificate must carry; empty: the host of the URL, or
  // in active mode the daemon's numeric address.
  std::string name;
};

struct TlsServerOptions {
  std::string cert_file;  // the daemon's certificate chain (PEM)
  std::string key_file;   // its private key (PEM)
  // Non-empty: every client must present a certificate these CAs signed,
  // or the handshake fails.
  std::string client_ca_file;
};

// Why TLS connections are never compressed (rpcapd -C asks for it): the
// system's OpenSSL has no compression method (Debian builds it without
// zlib), and TLS 1.3 has none at all; with a method present, compression
// stays off all the same, since it lets an observer learn secrets from
// the sizes of records that mix them with chosen data (CRIME).
std::string tls_compression_refusal();

// An OpenSSL context loaded once (certificates, keys, CAs) and shared by
// the connections that use it. Opaque outside the rpcap libraries.
class TlsContext;
Result<std::shared_ptr<TlsContext>> make_tls_server_context(const TlsServerOptions& options);
Result<std::shared_ptr<TlsContext>> make_tls_client_context(const TlsClientOptions& options);

}  // namespace bpfc::capture::rpcap
