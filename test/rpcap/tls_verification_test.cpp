// How bpfc's client checks an rpcaps:// daemon and how bpfc-rpcapd -S treats
// its clients, on 127.0.0.1 in a private network namespace: refusals name
// their reason (untrusted issuer, name mismatch, pin mismatch, a missing or
// untrusted client certificate, clear text), --insecure warns, and a client
// that never completes its handshake loses its slot at the auth timeout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "../support/process.h"
#include "bpfc/capture/rpcap/tls.h"
#include "daemon_harness.h"
#include "tls_certificates.h"
#include "tls_session.h"

using bpfc::rpcaptest::Daemon;
using bpfc::rpcaptest::RawClient;
using bpfc::testsupport::ProcessResult;
using bpfc::testsupport::run_process;
using namespace std::chrono_literals;

namespace {

// The private loopback alone: these tests need no libpcap oracle.
const std::optional<std::string>& loopback_problem() {
  static const std::optional<std::string> problem = bpfc::rpcaptest::enter_private_loopback();
  return problem;
}

class RpcapTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (loopback_problem()) GTEST_SKIP() << *loopback_problem();
    std::string why;
    const auto& files = bpfc::rpcaptest::tls_files(why);
    ASSERT_TRUE(files) << why;
    tls_ = *files;
  }
  // bpfc-rpcapd -n -S with the test CA's server certificate, and `extra`.
  std::vector<std::string> flags(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> all = {"-n", "-S", "-K", tls_.server_key, "-X", tls_.server_cert};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }
  static std::string url(const Daemon& daemon) { return "rpcaps://127.0.0.1:" + std::to_string(daemon.port()) + "/"; }
  // bpfc rpcap list URL OPTIONS...
  static ProcessResult list(const std::string& where, const std::vector<std::string>& options) {
    std::vector<std::string> argv = {BPFC_BINARY, "rpcap", "list", where};
    argv.insert(argv.end(), options.begin(), options.end());
    return run_process(argv);
  }

  bpfc::rpcaptest::TlsFiles tls_;
};

// Macros for the line numbers; each runs its command once.
#define EXPECT_LISTED(command)                                              \
  do {                                                                      \
    const ProcessResult listed_ = (command);                                \
    EXPECT_EQ(listed_.exit_code, 0) << listed_.err;                         \
    EXPECT_NE(listed_.out.find("lo\t"), std::string::npos) << listed_.out; \
  } while (0)

#define EXPECT_REFUSED(command, reason)                                         \
  do {                                                                          \
    const ProcessResult refused_ = (command);                                   \
    EXPECT_EQ(refused_.exit_code, 1) << refused_.out;                           \
    EXPECT_NE(refused_.err.find(reason), std::string::npos) << refused_.err;    \
  } while (0)

}  // namespace

TEST_F(RpcapTls, DaemonCertificateIsCheckedAgainstTheGivenCa) {
  Daemon daemon(flags());
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_LISTED(list(url(daemon), {"--ca", tls_.ca}));
  // Another CA, and the system's store (which knows nothing of the test CA).
  EXPECT_REFUSED(list(url(daemon), {"--ca", tls_.other_ca}), "untrusted issuer");
  EXPECT_REFUSED(list(url(daemon), {}), "untrusted issuer");
  // The right CA, the wrong name.
  EXPECT_REFUSED(list(url(daemon), {"--ca", tls_.ca, "--tls-name", "daemon.example"}), "name mismatch");
  EXPECT_LISTED(list(url(daemon), {"--ca", tls_.ca, "--tls-name", "localhost"}));
  EXPECT_TRUE(daemon.alive());
}

TEST_F(RpcapTls, PinMatchesTheDaemonsPublicKey) {
  Daemon daemon(flags());
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  auto pin = bpfc::capture::rpcap::certificate_file_pin(tls_.server_cert);
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  const std::string with_colons = bpfc::capture::rpcap::format_tls_pin(*pin);
  std::string bare;
  for (char c : with_colons) {
    if (c != ':') bare += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  // A pin alone: neither the issuer nor the name is checked.
  EXPECT_LISTED(list(url(daemon), {"--pin", with_colons}));
  EXPECT_LISTED(list(url(daemon), {"--pin", bare, "--tls-name", "daemon.example"}));
  // With --ca, both are checked.
  EXPECT_LISTED(list(url(daemon), {"--pin", bare, "--ca", tls_.ca}));
  EXPECT_REFUSED(list(url(daemon), {"--pin", bare, "--ca", tls_.other_ca}), "untrusted issuer");

  auto other = bpfc::capture::rpcap::certificate_file_pin(tls_.client_cert);
  ASSERT_TRUE(other.ok());
  const auto wrong = list(url(daemon), {"--pin", bpfc::capture::rpcap::format_tls_pin(*other)});
  EXPECT_REFUSED(wrong, "pin mismatch");
  EXPECT_NE(wrong.err.find(with_colons), std::string::npos) << "the error shows the daemon's pin: " << wrong.err;
}

TEST_F(RpcapTls, InsecureChecksNothingAndWarns) {
  Daemon daemon(flags());
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const auto result = list(url(daemon), {"--insecure"});
  EXPECT_LISTED(result);
  EXPECT_NE(result.err.find("warning: --insecure"), std::string::npos) << result.err;
  const auto clash = list(url(daemon), {"--insecure", "--ca", tls_.ca});
  EXPECT_EQ(clash.exit_code, 2) << clash.err;
}

TEST_F(RpcapTls, ClientCertificateIsRequiredWithClientCa) {
  Daemon daemon(flags({"--client-ca", tls_.ca}));
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_REFUSED(list(url(daemon), {"--ca", tls_.ca}), "requires a client certificate");
  EXPECT_REFUSED(list(url(daemon), {"--ca", tls_.ca, "--cert", tls_.stranger_cert, "--key", tls_.stranger_key}),
                 "refused the client certificate");
  EXPECT_LISTED(list(url(daemon), {"--ca", tls_.ca, "--cert", tls_.client_cert, "--key", tls_.client_key}));
  EXPECT_NE(daemon.process().err().find("no certificate"), std::string::npos) << daemon.process().err();
  EXPECT_TRUE(daemon.alive());
}

TEST_F(RpcapTls, ClearTextClientIsRefusedAndTheDaemonKeepsServing) {
  Daemon daemon(flags());
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_REFUSED(list("rpcap://127.0.0.1:" + std::to_string(daemon.port()) + "/", {}), "TLS required");
  // A raw clear-text AUTH gets TLS_REQUIRED, then the close.
  RawClient raw(daemon.port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.send(bpfc::capture::rpcap::Message{0, bpfc::capture::rpcap::MessageType::AuthRequest, 0,
                                                      bpfc::capture::rpcap::AuthRequestPayload{}}));
  auto reply = raw.receive(5s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.type, static_cast<uint8_t>(bpfc::capture::rpcap::MessageType::Error));
  EXPECT_TRUE(raw.closed_by_peer(5s));
  EXPECT_LISTED(list(url(daemon), {"--ca", tls_.ca}));
  EXPECT_TRUE(daemon.alive());
}

TEST_F(RpcapTls, TlsClientAgainstAClearTextDaemonSaysSo) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_REFUSED(list(url(daemon), {"--insecure"}), "does not speak TLS");
}

// The handshake counts against --auth-timeout: a client that starts one
// and stalls, or sends nothing at all, is closed, and its slot (of one)
// serves the next client.
TEST_F(RpcapTls, StalledHandshakeLosesItsSlotAtTheAuthTimeout) {
  Daemon daemon(flags({"--auth-timeout", "2", "--max-clients", "1"}));
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  std::this_thread::sleep_for(300ms);  // the listening probe's slot is free again
  {
    RawClient stalled(daemon.port());
    ASSERT_TRUE(stalled.connected());
    ASSERT_TRUE(stalled.send(std::vector<uint8_t>{0x16, 0x03, 0x01, 0x00, 0x80}));  // a ClientHello's record header
    std::this_thread::sleep_for(300ms);
    // The only slot is taken: the next client is closed at once.
    EXPECT_EQ(list(url(daemon), {"--ca", tls_.ca}).exit_code, 1);
    EXPECT_TRUE(stalled.closed_by_peer(6s));
  }
  std::this_thread::sleep_for(300ms);
  {
    RawClient silent(daemon.port());
    ASSERT_TRUE(silent.connected());
    EXPECT_TRUE(silent.closed_by_peer(6s));
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_LISTED(list(url(daemon), {"--ca", tls_.ca}));
  EXPECT_NE(daemon.process().err().find("did not complete it in time"), std::string::npos) << daemon.process().err();
}

TEST_F(RpcapTls, DaemonRefusesIncompleteTlsOptions) {
  auto missing = run_process({BPFC_RPCAPD_BINARY, "-n", "-S", "-X", tls_.server_cert, "-p", "1"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("-K"), std::string::npos) << missing.err;
  auto mismatched = run_process({BPFC_RPCAPD_BINARY, "-n", "-S", "-K", tls_.client_key, "-X", tls_.server_cert, "-p", "1"});
  EXPECT_EQ(mismatched.exit_code, 1);
  EXPECT_NE(mismatched.err.find("does not belong"), std::string::npos) << mismatched.err;
  auto without_s = run_process({BPFC_RPCAPD_BINARY, "-n", "-K", tls_.server_key, "-X", tls_.server_cert, "-p", "1"});
  EXPECT_EQ(without_s.exit_code, 1);
  EXPECT_NE(without_s.err.find("add -S"), std::string::npos) << without_s.err;
}

// The daemon's own refusal of UDP data under TLS (bpfc's client refuses
// before asking, so a TLS session is driven here by hand).
TEST_F(RpcapTls, DaemonRefusesUdpDataUnderTls) {
  namespace rpcap = bpfc::capture::rpcap;
  Daemon daemon(flags());
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  rpcap::TlsClientOptions options;
  options.ca_file = tls_.ca;
  auto context = rpcap::make_tls_client_context(options);
  ASSERT_TRUE(context.ok()) << context.error().message;
  RawClient raw(daemon.port());
  ASSERT_TRUE(raw.connected());
  auto session = rpcap::tls::Session::connect(**context, raw.fd(), "127.0.0.1",
                                              rpcap::tls::Clock::now() + std::chrono::seconds(10));
  ASSERT_TRUE(session.ok()) << session.error().message;
  auto exchange = [&](const rpcap::Message& request) -> rpcap::Message {
    const auto bytes = bpfc::rpcaptest::encoded(request);
    EXPECT_EQ((*session)->write_all(bytes, std::nullopt), std::nullopt);
    std::vector<uint8_t> header_bytes(rpcap::kHeaderSize), payload;
    auto read = [&](std::vector<uint8_t>& into) {
      for (size_t done = 0; done < into.size();) {
        size_t got = 0;
        const auto status = (*session)->read_some(std::span<uint8_t>(into).subspan(done), got,
                                                  rpcap::tls::Clock::now() + std::chrono::seconds(10));
        if (status != rpcap::tls::Session::Status::Data) return false;
        done += got;
      }
      return true;
    };
    if (!read(header_bytes)) return {};
    const auto header = rpcap::decode_header(std::span<const uint8_t, rpcap::kHeaderSize>(header_bytes.data(), rpcap::kHeaderSize));
    payload.resize(header.length);
    if (!read(payload)) return {};
    auto message = rpcap::decode_message(header, payload);
    return message ? *message : rpcap::Message{};
  };
  EXPECT_EQ(exchange({0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{}}).type,
            rpcap::MessageType::AuthReply);
  EXPECT_EQ(exchange({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}}).type,
            rpcap::MessageType::OpenReply);
  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 100;
  start.read_timeout_ms = 100;
  start.flags = rpcap::kStartDatagram;
  start.data_port = bpfc::rpcaptest::free_port(true);
  start.filter.program = {bpfc::cbpf::stmt(bpfc::cbpf::RET | bpfc::cbpf::K, 100)};
  const auto refused = exchange({0, rpcap::MessageType::StartCaptureRequest, 0, start});
  ASSERT_EQ(refused.type, rpcap::MessageType::Error);
  const auto& error = std::get<rpcap::ErrorPayload>(refused.payload);
  EXPECT_EQ(error.code, static_cast<uint16_t>(rpcap::ErrorCode::StartCapture));
  EXPECT_NE(error.text.find("TLS"), std::string::npos) << error.text;
}
