// OpenSSL contexts for the daemon and the client, loaded once, and the
// public-key pins the client may check instead of (or besides) a CA.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>
#include <cstdio>

#include "tls_session.h"

namespace bpfc::capture::rpcap {
namespace {

// The reason OpenSSL gives for the last failure (its queue emptied).
std::string openssl_reason() {
  std::string reason = tls::openssl_reason();
  return reason.empty() ? "unknown error" : reason;
}

Diagnostic file_error(const std::string& what, const std::string& path) {
  return error("cannot load " + what + " from '" + path + "': " + openssl_reason());
}

// A context with the settings both sides share: TLS 1.2 or later (libpcap's
// client negotiates the same), a peer that closes without close_notify
// read as a close, and no session resumption (every connection is new).
SSL_CTX* new_context(bool server) {
  SSL_CTX* context = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (!context) return nullptr;
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  if (server) SSL_CTX_set_num_tickets(context, 0);
  return context;
}

struct ContextOwner {
  SSL_CTX* context;
  ~ContextOwner() {
    if (context) SSL_CTX_free(context);
  }
  SSL_CTX* release() {
    SSL_CTX* c = context;
    context = nullptr;
    return c;
  }
};

// The certificate chain and key of one side, checked to belong together.
std::optional<Diagnostic> load_identity(SSL_CTX* context, const std::string& cert_file, const std::string& key_file) {
  if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1) return file_error("the certificate", cert_file);
  if (SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string reason = openssl_reason();
    if (reason.find("mismatch") != std::string::npos) {
      return error("the private key '" + key_file + "' does not belong to the certificate '" + cert_file + "'");
    }
    return error("cannot load the private key from '" + key_file + "': " + reason);
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return error("the private key '" + key_file + "' does not belong to the certificate '" + cert_file + "'");
  }
  return std::nullopt;
}

}  // namespace

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

std::string tls_compression_refusal() {
  const STACK_OF(SSL_COMP)* methods = SSL_COMP_get_compression_methods();
  if (methods == nullptr || sk_SSL_COMP_num(methods) == 0) {
    return "TLS compression is not available: this OpenSSL (" + std::string(OpenSSL_version(OPENSSL_VERSION)) +
           ") has no compression method, and TLS 1.3 has none; connections are not compressed";
  }
  return "TLS compression stays off: it lets an observer recover passwords and other secrets from record sizes "
         "(CRIME); connections are not compressed";
}

Result<std::shared_ptr<TlsContext>> make_tls_server_context(const TlsServerOptions& options) {
  if (options.cert_file.empty() || options.key_file.empty()) {
    return error("TLS needs the daemon's certificate and its key (-X FILE, -K FILE)");
  }
  ContextOwner owner{new_context(true)};
  if (!owner.context) return error("cannot create a TLS context: " + openssl_reason());
  if (auto problem = load_identity(owner.context, options.cert_file, options.key_file)) return *problem;
  if (!options.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(owner.context, options.client_ca_file.c_str(), nullptr) != 1) {
      return file_error("the client CAs", options.client_ca_file);
    }
    // The CAs the daemon names in its request, so that a client with
    // several certificates picks the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str());
    if (!names) return file_error("the client CAs", options.client_ca_file);
    SSL_CTX_set_client_CA_list(owner.context, names);
    SSL_CTX_set_verify(owner.context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return std::make_shared<TlsContext>(owner.release(), true, TlsClientOptions{});
}

Result<std::shared_ptr<TlsContext>> make_tls_client_context(const TlsClientOptions& options) {
  if (options.insecure && (options.pin || !options.ca_file.empty())) {
    return error("--insecure checks nothing: it cannot be combined with --pin or --ca");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return error("a client certificate needs both --cert FILE and --key FILE");
  }
  ContextOwner owner{new_context(false)};
  if (!owner.context) return error("cannot create a TLS context: " + openssl_reason());
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(owner.context, options.ca_file.c_str(), nullptr) != 1) {
      return file_error("the CA certificates", options.ca_file);
    }
  } else if (!options.insecure && !options.pin) {
    if (SSL_CTX_set_default_verify_paths(owner.context) != 1) {
      return error("cannot load the system's CA certificates: " + openssl_reason());
    }
  }
  if (!options.cert_file.empty()) {
    if (auto problem = load_identity(owner.context, options.cert_file, options.key_file)) return *problem;
  }
  return std::make_shared<TlsContext>(owner.release(), false, options);
}

Result<TlsPin> parse_tls_pin(std::string_view text) {
  const std::string shown = "'" + std::string(text) + "'";
  const bool colons = text.find(':') != std::string_view::npos;
  std::string hex;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // With colons, one between every two bytes: AB:CD:...
    if (colons && (i % 3 == 2) != (c == ':')) {
      return error("invalid pin " + shown + ": ':' must separate every two hex digits");
    }
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return error("invalid pin " + shown + ": '" + std::string(1, c) + "' is not a hex digit");
    }
    hex += c;
  }
  if (hex.size() != 2 * kPinBytes) {
    return error("invalid pin " + shown + ": a SHA-256 pin has 64 hex digits, not " + std::to_string(hex.size()));
  }
  TlsPin pin{};
  for (size_t i = 0; i < pin.size(); ++i) pin[i] = static_cast<uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  return pin;
}

std::string format_tls_pin(const TlsPin& pin) {
  std::string text;
  char byte[4];
  for (size_t i = 0; i < pin.size(); ++i) {
    std::snprintf(byte, sizeof byte, i == 0 ? "%02X" : ":%02X", pin[i]);
    text += byte;
  }
  return text;
}

namespace tls {

// SHA-256 of the DER SubjectPublicKeyInfo.
std::optional<TlsPin> public_key_pin(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate), &der);
  if (length <= 0) return std::nullopt;
  TlsPin pin{};
  unsigned int size = 0;
  const bool ok = EVP_Digest(der, static_cast<size_t>(length), pin.data(), &size, EVP_sha256(), nullptr) == 1 &&
                  size == pin.size();
  OPENSSL_free(der);
  if (!ok) return std::nullopt;
  return pin;
}

}  // namespace tls

Result<TlsPin> certificate_file_pin(const std::string& pem_file) {
  FILE* file = std::fopen(pem_file.c_str(), "r");
  if (!file) return error("cannot open '" + pem_file + "'");
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (!certificate) return file_error("a certificate", pem_file);
  auto pin = tls::public_key_pin(certificate);
  X509_free(certificate);
  if (!pin) return error("cannot hash the public key of '" + pem_file + "'");
  return *pin;
}

}  // namespace bpfc::capture::rpcap
