#include "remote_tls_options.h"

#include <cstdio>

#include "cli_status.h"

namespace bpfc::cli {

void add_remote_tls_options(CLI::App& command, RemoteTlsFlags& flags) {
  command.add_option("--ca", flags.ca,
                     "rpcaps://: trust the CAs of this PEM file for the daemon's certificate instead of the "
                     "system's")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command.add_option("--pin", flags.pin,
                     "rpcaps://: accept the daemon whose public key has this SHA-256 (of the certificate's "
                     "SubjectPublicKeyInfo; 64 hex digits, colons allowed). Alone it replaces the CA and name "
                     "checks; with --ca it adds to them")
      ->type_name("SHA256");
  command.add_flag("--insecure", flags.insecure,
                   "rpcaps://: check nothing about the daemon's certificate (encrypted, not authenticated)");
  command.add_option("--cert", flags.cert, "rpcaps://: a client certificate (PEM) for daemons that require one")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command.add_option("--key", flags.key, "rpcaps://: the private key (PEM) of --cert")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command.add_option("--tls-name", flags.name,
                     "rpcaps://: the name the daemon's certificate must carry (default: the URL's host; active "
                     "mode: the daemon's address)")
      ->type_name("NAME");
}

capture::rpcap::TlsClientOptions remote_tls_options(const RemoteTlsFlags& flags, bool tls) {
  capture::rpcap::TlsClientOptions options;
  const char* given = !flags.ca.empty()     ? "--ca"
                      : !flags.pin.empty()  ? "--pin"
                      : flags.insecure      ? "--insecure"
                      : !flags.cert.empty() ? "--cert"
                      : !flags.key.empty()  ? "--key"
                      : !flags.name.empty() ? "--tls-name"
                                            : nullptr;
  if (!tls) {
    if (given) {
      throw UsageError(std::string(given) +
                       " applies to TLS: rpcaps://HOST[:PORT]/DEVICE, or --rpcap-listen rpcaps://HOST:PORT");
    }
    return options;
  }
  if (flags.insecure && (!flags.ca.empty() || !flags.pin.empty())) {
    throw UsageError("--insecure checks nothing: it cannot be combined with --ca or --pin");
  }
  if (flags.cert.empty() != flags.key.empty()) throw UsageError("a client certificate needs both --cert and --key");
  if (!flags.pin.empty()) {
    auto pin = capture::rpcap::parse_tls_pin(flags.pin);
    if (!pin) throw UsageError("--pin: " + pin.error().message);
    options.pin = *pin;
  }
  options.ca_file = flags.ca;
  options.insecure = flags.insecure;
  options.cert_file = flags.cert;
  options.key_file = flags.key;
  options.name = flags.name;
  if (flags.insecure) {
    std::fputs("bpfc: warning: --insecure: the daemon's certificate is not checked; anyone on the path can pose as "
               "the daemon and read or alter the capture\n",
               stderr);
  }
  return options;
}

}  // namespace bpfc::cli
