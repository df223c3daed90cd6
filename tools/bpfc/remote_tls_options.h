// The TLS options of the rpcap clients (bpfc capture -i rpcaps://, bpfc
// rpcap, --rpcap-listen rpcaps://HOST:PORT): how the daemon's certificate is
// checked, and the client's own certificate.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "bpfc/capture/rpcap/tls.h"

namespace bpfc::cli {

struct RemoteTlsFlags {
  std::string ca;    // --ca FILE
  std::string pin;   // --pin SHA256
  bool insecure = false;
  std::string cert;  // --cert FILE
  std::string key;   // --key FILE
  std::string name;  // --tls-name NAME
};

void add_remote_tls_options(CLI::App& command, RemoteTlsFlags& flags);

// The client's TLS options; `tls`: whether the capture uses TLS at all (an
// rpcaps:// URL or listen address). Throws UsageError for TLS flags without
// TLS, a malformed pin, or flags that contradict each other; prints the
// --insecure warning on stderr.
capture::rpcap::TlsClientOptions remote_tls_options(const RemoteTlsFlags& flags, bool tls);

}  // namespace bpfc::cli
