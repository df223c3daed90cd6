#include "remote_tls_options.h"

#include <cstdio>

#include "cli_status.h"
#include "text_input.h"

namespace bpfc::cli {

void add_remote_tls_options(CLI::App& command, RemoteTlsFlags& flags) {
  command.add_option("--ca", flags.ca,
                     "rpcaps://: trust the CAs of this PEM file for the daemon's certificate instead of the "
                     "system's")
      ->type_name("FILE");
  command.add_option("--pin", flags.pin,
                     "rpcaps://: accept the daemon whose public key has this SHA-256 (of the certificate's "
                     "SubjectPublicKeyInfo; 64 hex digits, colons allowed). Alone it replaces the CA and name "
                     "checks; with --ca it adds to them")
      ->type_name("SHA256");
  command.add_flag("--insecure", flags.insecure,
                   "rpcaps://: check nothing about the daemon's certificate (encrypted, not authenticated)");
  command.add_option("--cert", flags.cert, "rpcaps://: a client certificate (PEM) for daemons that require one")
      ->type_name("FILE");
  command.add_option("--key", flags.key, "rpcaps://: the private key (PEM) of --cert")
      ->type_name("FILE");
  command.add_option("--tls-name", flags.name,
                     "rpcaps://: the name the daemon's certificate must carry (default: the URL's host; active "
                     "mode: the daemon's address)")
      ->type_name("NAME");
}

namespace {

// A file option's file, read as every file argument is (text_input.h), and
// holding at least one PEM block of its kind ("-----BEGIN ... CERTIFICATE",
// "-----BEGIN ... PRIVATE KEY"); OpenSSL checks the rest when the context
// is loaded. Standard input is refused: OpenSSL reads the files by name.
void check_pem_file(const char* option, const std::string& path, const char* kind) {
  if (path.empty()) return;
  if (path == "-") throw UsageError(std::string(option) + " takes a PEM file's name, not standard input");
  std::string error;
  auto text = read_text_input(path, error);
  if (!text) throw InputError(error);
  bool found = false;
  for (size_t begin = text->find("-----BEGIN "); begin != std::string::npos && !found;
       begin = text->find("-----BEGIN ", begin + 11)) {
    const size_t end = text->find("-----", begin + 11);
    found = end != std::string::npos && text->substr(begin, end - begin).find(kind) != std::string::npos;
  }
  if (!found) {
    throw InputError(input_display_name(path) + ": no PEM " + kind + " in it (" + option + " needs \"-----BEGIN " +
                     kind + "-----\")");
  }
}

}  // namespace

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
  check_pem_file("--ca", flags.ca, "CERTIFICATE");
  check_pem_file("--cert", flags.cert, "CERTIFICATE");
  check_pem_file("--key", flags.key, "PRIVATE KEY");
  // Loaded once here, so that a CA file OpenSSL cannot use or a key that
  // does not belong to its certificate is reported before connecting.
  if (auto context = capture::rpcap::make_tls_client_context(options); !context) {
    throw InputError(context.error().message);
  }
  if (flags.insecure) {
    std::fputs("bpfc: warning: --insecure: the daemon's certificate is not checked; anyone on the path can pose as "
               "the daemon and read or alter the capture\n",
               stderr);
  }
  return options;
}

}  // namespace bpfc::cli
