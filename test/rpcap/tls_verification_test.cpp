// How bpfc's client checks an rpcaps:// daemon and how bpfc-rpcapd -S treats
// its clients, on 127.0.0.1 in a private network namespace: refusals name
// their reason (untrusted issuer, name mismatch, pin mismatch, a missing or
// untrusted client certificate, clear text, a host not in -l, a full
// client limit), --insecure warns, a client
// that never completes its handshake loses its slot at the auth timeout,
// and under TLS the daemon keeps its length bounds, idle timeout and its
// refusal of UDP data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
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

// A raw RPCAP client under TLS (the library's own TLS layer), for what
// bpfc's client never sends.
class TlsRawClient {
 public:
  TlsRawClient(uint16_t port, const std::string& ca) : raw_(port) {
    bpfc::capture::rpcap::TlsClientOptions options;
    options.ca_file = ca;
    auto context = bpfc::capture::rpcap::make_tls_client_context(options);
    if (!context || !raw_.connected()) return;
    context_ = *context;
    auto session = bpfc::capture::rpcap::tls::Session::connect(
        *context_, raw_.fd(), "127.0.0.1", bpfc::capture::rpcap::tls::Clock::now() + std::chrono::seconds(10));
    if (session) session_ = std::move(*session);
  }
  bool connected() const { return session_ != nullptr; }
  bool send(const std::vector<uint8_t>& bytes) { return !session_->write_all(bytes, std::nullopt); }
  bool send(const bpfc::capture::rpcap::Message& message) { return send(bpfc::rpcaptest::encoded(message)); }
  // The next message; nullopt on close, failure or timeout.
  std::optional<bpfc::capture::rpcap::Message> receive(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    namespace rpcap = bpfc::capture::rpcap;
    std::vector<uint8_t> header_bytes(rpcap::kHeaderSize);
    if (!read(header_bytes, timeout)) return std::nullopt;
    header_ = rpcap::decode_header(std::span<const uint8_t, rpcap::kHeaderSize>(header_bytes.data(), rpcap::kHeaderSize));
    payload_.resize(header_.length);
    if (!read(payload_, timeout)) return std::nullopt;
    auto message = rpcap::decode_message(header_, payload_);
    if (!message) return std::nullopt;
    return *message;
  }
  // Whether the daemon ended the session (close_notify or EOF) in time.
  bool closed_by_peer(std::chrono::milliseconds timeout) {
    uint8_t byte;
    size_t got = 0;
    const auto status =
        session_->read_some(std::span<uint8_t>(&byte, 1), got, bpfc::capture::rpcap::tls::Clock::now() + timeout);
    return status == bpfc::capture::rpcap::tls::Session::Status::Closed;
  }

 private:
  bool read(std::vector<uint8_t>& into, std::chrono::milliseconds timeout) {
    const auto deadline = bpfc::capture::rpcap::tls::Clock::now() + timeout;
    for (size_t done = 0; done < into.size();) {
      size_t got = 0;
      if (session_->read_some(std::span<uint8_t>(into).subspan(done), got, deadline) !=
          bpfc::capture::rpcap::tls::Session::Status::Data) {
        return false;
      }
      done += got;
    }
    return true;
  }

  RawClient raw_;
  std::shared_ptr<bpfc::capture::rpcap::TlsContext> context_;
  std::unique_ptr<bpfc::capture::rpcap::tls::Session> session_;
  bpfc::capture::rpcap::Header header_{};
  std::vector<uint8_t> payload_;
};

uint16_t error_code(const bpfc::capture::rpcap::Message& message) {
  if (message.type != bpfc::capture::rpcap::MessageType::Error) return 0;
  return std::get<bpfc::capture::rpcap::ErrorPayload>(message.payload).code;
}

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

// Clients the daemon does not serve (a host not in -l, one over
// --max-clients) are told why under TLS too: after their handshake, as
// libpcap's rpcapd does, since a TLS client cannot read a clear-text error.
TEST_F(RpcapTls, RefusedClientsAreToldWhyAfterTheirHandshake) {
  {
    Daemon daemon(flags({"-l", "10.9.8.7"}));
    ASSERT_TRUE(daemon.listening()) << daemon.process().err();
    EXPECT_REFUSED(list(url(daemon), {"--ca", tls_.ca}), "The host 127.0.0.1 is not in the allowed host list");
    EXPECT_TRUE(daemon.alive());
  }
  Daemon daemon(flags({"--max-clients", "1"}));
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  RawClient holder(daemon.port());  // connected, silent: holds the one slot
  ASSERT_TRUE(holder.connected());
  std::this_thread::sleep_for(300ms);
  EXPECT_REFUSED(list(url(daemon), {"--ca", tls_.ca}), "Too many clients are connected");
  holder.close();
  bool served = false;
  for (int attempt = 0; attempt < 30 && !served; ++attempt) {
    served = list(url(daemon), {"--ca", tls_.ca}).exit_code == 0;
    if (!served) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(served);
}

// -C (libpcap's TLS compression) is accepted, says why nothing is
// compressed, and the daemon serves as without it; without -S it is refused.
TEST_F(RpcapTls, CompressionIsAcceptedAndExplained) {
  Daemon daemon(flags({"-C"}));
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_LISTED(list(url(daemon), {"--ca", tls_.ca}));
  EXPECT_NE(daemon.process().err().find("warning: -C: TLS compression"), std::string::npos) << daemon.process().err();
  EXPECT_NE(daemon.process().err().find("connections are not compressed"), std::string::npos) << daemon.process().err();
  auto clear = run_process({BPFC_RPCAPD_BINARY, "-n", "-C", "-p", "1"});
  EXPECT_EQ(clear.exit_code, 1);
  EXPECT_NE(clear.err.find("-C (TLS compression) applies to TLS: add -S"), std::string::npos) << clear.err;
}

// -S alone reads key.pem and cert.pem in the working directory, as
// libpcap's rpcapd does.
TEST_F(RpcapTls, DaemonReadsLibpcapsDefaultFilesWithoutKAndX) {
  bpfc::rpcaptest::ScratchDir dir;
  std::filesystem::copy_file(tls_.server_key, dir.file("key.pem"));
  std::filesystem::copy_file(tls_.server_cert, dir.file("cert.pem"));
  const std::filesystem::path here = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());  // the daemon starts in it
  Daemon daemon({"-n", "-S"});
  std::filesystem::current_path(here);
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_LISTED(list(url(daemon), {"--ca", tls_.ca}));
}

TEST_F(RpcapTls, DaemonRefusesIncompleteTlsOptions) {
  // Without -K, libpcap's default: key.pem in the working directory (none
  // here).
  auto missing = run_process({BPFC_RPCAPD_BINARY, "-n", "-S", "-X", tls_.server_cert, "-p", "1"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("'key.pem'"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("without -K"), std::string::npos) << missing.err;
  auto mismatched = run_process({BPFC_RPCAPD_BINARY, "-n", "-S", "-K", tls_.client_key, "-X", tls_.server_cert, "-p", "1"});
  EXPECT_EQ(mismatched.exit_code, 1);
  EXPECT_NE(mismatched.err.find("does not belong"), std::string::npos) << mismatched.err;
  auto without_s = run_process({BPFC_RPCAPD_BINARY, "-n", "-K", tls_.server_key, "-X", tls_.server_cert, "-p", "1"});
  EXPECT_EQ(without_s.exit_code, 1);
  EXPECT_NE(without_s.err.find("add -S"), std::string::npos) << without_s.err;
}

// The daemon's own refusal of UDP data under TLS (bpfc's client refuses
// before asking).
TEST_F(RpcapTls, DaemonRefusesUdpDataUnderTls) {
  namespace rpcap = bpfc::capture::rpcap;
  Daemon daemon(flags());
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  TlsRawClient client(daemon.port(), tls_.ca);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(rpcap::Message{0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{}}));
  auto auth = client.receive();
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->type, rpcap::MessageType::AuthReply);
  ASSERT_TRUE(client.send(rpcap::Message{0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}}));
  auto opened = client.receive();
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->type, rpcap::MessageType::OpenReply);
  rpcap::StartCaptureRequestPayload start;
  start.snaplen = 100;
  start.read_timeout_ms = 100;
  start.flags = rpcap::kStartDatagram;
  start.data_port = bpfc::rpcaptest::free_port(true);
  start.filter.program = {bpfc::cbpf::stmt(bpfc::cbpf::RET | bpfc::cbpf::K, 100)};
  ASSERT_TRUE(client.send(rpcap::Message{0, rpcap::MessageType::StartCaptureRequest, 0, start}));
  auto refused = client.receive();
  ASSERT_TRUE(refused);
  ASSERT_EQ(error_code(*refused), static_cast<uint16_t>(rpcap::ErrorCode::StartCapture));
  EXPECT_NE(std::get<rpcap::ErrorPayload>(refused->payload).text.find("TLS"), std::string::npos);
}

// Under TLS the connection loop keeps its bounds: a payload over its
// type's limit is refused from the header alone, and a session idle after
// AUTH is timed out.
TEST_F(RpcapTls, LengthBoundsAndIdleTimeoutApplyUnderTls) {
  namespace rpcap = bpfc::capture::rpcap;
  Daemon daemon(flags({"--idle-timeout", "1"}));
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  {
    TlsRawClient client(daemon.port(), tls_.ca);
    ASSERT_TRUE(client.connected());
    // An AUTH header that announces 1 MiB: nothing of it is sent.
    ASSERT_TRUE(client.send(std::vector<uint8_t>{0, static_cast<uint8_t>(rpcap::MessageType::AuthRequest), 0, 0,
                                                 0x00, 0x10, 0x00, 0x00}));
    auto refused = client.receive(5s);
    ASSERT_TRUE(refused);
    EXPECT_NE(error_code(*refused), 0);
    EXPECT_TRUE(client.closed_by_peer(5s));
  }
  {
    TlsRawClient client(daemon.port(), tls_.ca);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(rpcap::Message{0, rpcap::MessageType::AuthRequest, 0, rpcap::AuthRequestPayload{}}));
    auto auth = client.receive();
    ASSERT_TRUE(auth);
    auto timed_out = client.receive(5s);
    ASSERT_TRUE(timed_out);
    EXPECT_EQ(error_code(*timed_out), static_cast<uint16_t>(rpcap::ErrorCode::RuntimeTimeout));
    EXPECT_TRUE(client.closed_by_peer(5s));
  }
  EXPECT_TRUE(daemon.alive());
}
