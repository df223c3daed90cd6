#include "tls_certificates.h"

#include "../support/process.h"

namespace bpfc::rpcaptest {
namespace {

// openssl req ... with a fresh P-256 key, valid for a day.
bool make(const std::vector<std::string>& extra, std::string& why) {
  std::vector<std::string> argv = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                   "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto result = testsupport::run_process(argv);
  if (result.exit_code != 0) why = "openssl req failed: " + result.err;
  return result.exit_code == 0;
}

bool make_ca(const std::string& dir, const std::string& name, std::string& why) {
  return make({"-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem", "-subj", "/CN=bpfc-test-" + name,
               "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
              why);
}

bool make_leaf(const std::string& dir, const std::string& ca, const std::string& name, const std::string& subject,
               const std::string& san, std::string& why) {
  std::vector<std::string> extra = {"-CA", dir + "/" + ca + ".pem", "-CAkey", dir + "/" + ca + ".key", "-keyout",
                                    dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem", "-subj", subject,
                                    "-addext", "basicConstraints=CA:FALSE"};
  if (!san.empty()) {
    extra.push_back("-addext");
    extra.push_back("subjectAltName=" + san);
  }
  return make(extra, why);
}

}  // namespace

const std::optional<TlsFiles>& tls_files(std::string& why) {
  static ScratchDir dir;
  static std::string reason;
  static const std::optional<TlsFiles> files = [&]() -> std::optional<TlsFiles> {
    const std::string d = dir.path();
    if (!make_ca(d, "ca", reason) || !make_ca(d, "other-ca", reason) ||
        !make_leaf(d, "ca", "server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", reason) ||
        !make_leaf(d, "ca", "client", "/CN=bpfc-test-client", "", reason) ||
        !make_leaf(d, "other-ca", "stranger", "/CN=bpfc-test-stranger", "", reason)) {
      return std::nullopt;
    }
    return TlsFiles{d + "/ca.pem",       d + "/server.pem", d + "/server.key", d + "/client.pem", d + "/client.key",
                    d + "/other-ca.pem", d + "/stranger.pem", d + "/stranger.key"};
  }();
  why = reason;
  return files;
}

}  // namespace bpfc::rpcaptest
