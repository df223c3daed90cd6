// Certificates for the rpcaps:// tests, made with the openssl command line
// in a temporary directory (never committed keys): a test CA, the daemon's
// certificate for localhost and 127.0.0.1 signed by it, a client
// certificate signed by it, and a second CA with a client certificate of
// its own (trusted by nobody).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "rpcap_harness.h"

namespace bpfc::rpcaptest {

struct TlsFiles {
  std::string ca;                       // the test CA (PEM)
  std::string server_cert, server_key;  // CN=localhost, SAN localhost, 127.0.0.1
  std::string client_cert, client_key;  // signed by `ca`
  std::string other_ca;                 // another CA
  std::string stranger_cert, stranger_key;  // a client certificate `other_ca` signed
};

// Made once per process; nullopt with the reason when openssl fails.
const std::optional<TlsFiles>& tls_files(std::string& why);

}  // namespace bpfc::rpcaptest
