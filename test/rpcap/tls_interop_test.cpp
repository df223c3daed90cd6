// rpcaps:// against libpcap, both ways, in a private network namespace on
// 127.0.0.1: bpfc's client captures from libpcap's rpcapd -S, libpcap's
// client (rpcapref) from bpfc-rpcapd -S, and active mode under TLS with
// each side as the daemon. Every capture must hold exactly the datagrams
// the test sent, so the TLS data connection is exercised end to end.
#include <gtest/gtest.h>

#include <fstream>

#include <thread>

#include "../support/process.h"
#include "daemon_harness.h"
#include "tls_certificates.h"

using bpfc::rpcaptest::Background;
using bpfc::rpcaptest::Daemon;
using bpfc::rpcaptest::payloads;
using bpfc::rpcaptest::UdpSink;
using namespace std::chrono_literals;

namespace {

class RpcapTlsInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& state = bpfc::rpcaptest::daemon_test_state();
    if (!state.bin) GTEST_SKIP() << state.why;
    std::string why;
    const auto& files = bpfc::rpcaptest::tls_files(why);
    ASSERT_TRUE(files) << why;
    tls_ = *files;
  }
  std::string tool(const std::string& name) const { return *bpfc::rpcaptest::daemon_test_state().bin + "/" + name; }
  std::vector<std::string> daemon_tls() const { return {"-S", "-K", tls_.server_key, "-X", tls_.server_cert}; }

  // libpcap's rpcapd with TLS on 127.0.0.1:port, plus `extra` flags.
  std::unique_ptr<Background> libpcap_daemon(uint16_t port, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {tool("rpcapd"), "-n", "-b", "127.0.0.1", "-p", std::to_string(port), "-4"};
    for (const auto& flag : daemon_tls()) argv.push_back(flag);
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<Background>(argv);
  }

  // The savefile holds exactly `sent`, to `target`, in order.
  static void expect_datagrams(const std::string& path, const std::vector<std::string>& sent, uint16_t target) {
    auto file = bpfc::rpcaptest::read_savefile(path);
    ASSERT_EQ(file.error, "");
    EXPECT_EQ(file.linktype, 1);
    ASSERT_EQ(file.packets.size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
      auto view = bpfc::rpcaptest::udp_of(file.packets[i].data);
      ASSERT_TRUE(view) << "packet " << i;
      EXPECT_EQ(view->destination, target);
      EXPECT_EQ(view->payload, sent[i]);
    }
  }

  bpfc::rpcaptest::TlsFiles tls_;
};

}  // namespace

TEST_F(RpcapTlsInterop, BpfcClientCapturesFromLibpcapRpcapd) {
  const uint16_t port = bpfc::rpcaptest::free_port();
  auto daemon = libpcap_daemon(port);
  ASSERT_TRUE(bpfc::rpcaptest::wait_listening(port, 10s)) << daemon->err();
  const std::string url = "rpcaps://127.0.0.1:" + std::to_string(port) + "/";
  auto listed = bpfc::testsupport::run_process({BPFC_BINARY, "rpcap", "list", url, "--ca", tls_.ca});
  EXPECT_EQ(listed.exit_code, 0) << listed.err << daemon->err();
  EXPECT_NE(listed.out.find("lo\t"), std::string::npos) << listed.out;

  const uint16_t target = bpfc::rpcaptest::free_port(true), other = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target), other_sink(other);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({BPFC_BINARY, "rpcap", "capture", url + "lo", "--ca", tls_.ca, "-c", "4", "--timeout", "20",
                     "-w", dir.file("a.pcap"), "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(client.wait_for_stderr("listening on", 15s)) << client.err() << daemon->err();
  bpfc::rpcaptest::send_udp(other, payloads("noise", 3));
  const auto sent = payloads("tls", 4);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon->err();
  expect_datagrams(dir.file("a.pcap"), sent, target);
}

// libpcap refuses UDP data with TLS on both sides; bpfc's client refuses it
// before connecting.
TEST_F(RpcapTlsInterop, UdpDataIsRefusedWithTls) {
  const uint16_t port = bpfc::rpcaptest::free_port();
  auto daemon = libpcap_daemon(port);
  ASSERT_TRUE(bpfc::rpcaptest::wait_listening(port, 10s)) << daemon->err();
  const std::string url = "rpcaps://127.0.0.1:" + std::to_string(port) + "/lo";
  auto bpfc = bpfc::testsupport::run_process({BPFC_BINARY, "rpcap", "capture", url, "--ca", tls_.ca, "--udp", "-c", "1"});
  EXPECT_EQ(bpfc.exit_code, 2) << bpfc.err;
  EXPECT_NE(bpfc.err.find("UDP data channels have no TLS"), std::string::npos) << bpfc.err;
  auto libpcap = bpfc::testsupport::run_process({tool("rpcapref"), "capture", url, "--udp", "-c", "1", "-t", "5"});
  EXPECT_EQ(libpcap.exit_code, 1) << libpcap.err;
}

TEST_F(RpcapTlsInterop, LibpcapClientCapturesFromBpfcRpcapd) {
  auto flags = daemon_tls();
  flags.push_back("-n");
  Daemon daemon(flags);
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const std::string url = "rpcaps://127.0.0.1:" + std::to_string(daemon.port()) + "/";
  auto listed = bpfc::testsupport::run_process({tool("rpcapref"), "list", url});
  EXPECT_EQ(listed.exit_code, 0) << listed.err << daemon.process().err();
  EXPECT_NE(listed.out.find(url + "lo\t"), std::string::npos) << listed.out;

  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({tool("rpcapref"), "capture", url + "lo", "-c", "5", "-t", "20", "-f",
                     "udp and dst port " + std::to_string(target), "-w", dir.file("b.pcap")});
  ASSERT_TRUE(daemon.process().wait_for_stderr("STARTCAP_REQ", 15s)) << daemon.process().err() << client.err();
  const auto sent = payloads("tls-libpcap", 5);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
  EXPECT_NE(client.out().find("captured 5"), std::string::npos) << client.out();
  expect_datagrams(dir.file("b.pcap"), sent, target);
  EXPECT_NE(daemon.process().err().find("TLS established"), std::string::npos) << daemon.process().err();
  EXPECT_TRUE(daemon.alive());
}

// A password login inside TLS: libpcap's client against bpfc-rpcapd -S
// --passwd-file; a wrong password is refused there too.
TEST_F(RpcapTlsInterop, LibpcapClientLogsInWithAPasswordOverTls) {
  bpfc::rpcaptest::ScratchDir dir;
  std::ofstream(dir.file("passwd")) << "analyst:" << bpfc::rpcaptest::crypt_hash("rpcap-Test-5") << "\n";
  auto flags = daemon_tls();
  flags.insert(flags.end(), {"--passwd-file", dir.file("passwd"), "--auth-failure-delay-ms", "0"});
  Daemon daemon(flags);
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const std::string url = "rpcaps://127.0.0.1:" + std::to_string(daemon.port()) + "/";
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  Background client({tool("rpcapref"), "capture", url + "lo", "--auth", "analyst:rpcap-Test-5", "-c", "3", "-t", "20",
                     "-f", "udp and dst port " + std::to_string(target), "-w", dir.file("p.pcap")});
  ASSERT_TRUE(daemon.process().wait_for_stderr("STARTCAP_REQ", 15s)) << daemon.process().err() << client.err();
  const auto sent = payloads("tls-password", 3);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
  expect_datagrams(dir.file("p.pcap"), sent, target);
  auto wrong = bpfc::testsupport::run_process({tool("rpcapref"), "list", url, "--auth", "analyst:not-it"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out;
  EXPECT_NE(wrong.err.find("Authentication failed"), std::string::npos) << wrong.err;
}

// bpfc's client against bpfc's daemon, through bpfc capture -i rpcaps://.
TEST_F(RpcapTlsInterop, BpfcCaptureCommandFromBpfcRpcapd) {
  auto flags = daemon_tls();
  flags.push_back("-n");
  Daemon daemon(flags);
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({BPFC_BINARY, "capture", "-i", "rpcaps://127.0.0.1:" + std::to_string(daemon.port()) + "/lo",
                     "--ca", tls_.ca, "-c", "3", "-w", dir.file("c.pcap"), "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(client.wait_for_stderr("listening on", 15s)) << client.err() << daemon.process().err();
  const auto sent = payloads("tls-bpfc", 3);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
  expect_datagrams(dir.file("c.pcap"), sent, target);
}

// Active mode: libpcap's client waits with --tls, bpfc-rpcapd -S -a connects
// and is the TLS server on the control and the data connection.
TEST_F(RpcapTlsInterop, ActiveModeLibpcapClientBpfcDaemon) {
  const uint16_t client_port = bpfc::rpcaptest::free_port();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({tool("rpcapref"), "active", "127.0.0.1", std::to_string(client_port), "--tls", "--dev", "lo",
                     "-c", "3", "-t", "20", "-f", "udp and dst port " + std::to_string(target), "-w",
                     dir.file("act.pcap")});
  ASSERT_TRUE(bpfc::rpcaptest::listening_socket(client_port, 10s)) << client.err();
  std::vector<std::string> argv = {BPFC_RPCAPD_BINARY, "-n", "-4", "-D", "-v", "-a", "127.0.0.1," + std::to_string(client_port)};
  for (const auto& flag : daemon_tls()) argv.push_back(flag);
  Background daemon(argv);
  ASSERT_TRUE(daemon.wait_for_stderr("STARTCAP_REQ", 15s)) << daemon.err() << client.err();
  const auto sent = payloads("active-tls", 3);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.err();
  EXPECT_NE(client.out().find("captured 3"), std::string::npos) << client.out();
  expect_datagrams(dir.file("act.pcap"), sent, target);
}

// Active mode the other way: bpfc waits on --rpcap-listen rpcaps://, and
// libpcap's rpcapd -S -a connects.
TEST_F(RpcapTlsInterop, ActiveModeBpfcClientLibpcapDaemon) {
  const uint16_t client_port = bpfc::rpcaptest::free_port();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({BPFC_BINARY, "rpcap", "capture", "--rpcap-listen",
                     "rpcaps://127.0.0.1:" + std::to_string(client_port), "lo", "--ca", tls_.ca, "-c", "3",
                     "--timeout", "20", "-w", dir.file("act.pcap"), "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(client.wait_for_stderr("waiting for a daemon", 10s)) << client.err();
  const uint16_t port = bpfc::rpcaptest::free_port();
  auto daemon = libpcap_daemon(port, {"-a", "127.0.0.1," + std::to_string(client_port)});
  ASSERT_TRUE(client.wait_for_stderr("listening on", 15s)) << client.err() << daemon->err();
  const auto sent = payloads("active-bpfc", 3);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon->err();
  expect_datagrams(dir.file("act.pcap"), sent, target);
}

// A clear-text libpcap client gets libpcap's own "TLS required" treatment
// from bpfc-rpcapd -S, and the daemon goes on serving TLS clients.
TEST_F(RpcapTlsInterop, ClearTextLibpcapClientIsRefused) {
  auto flags = daemon_tls();
  flags.push_back("-n");
  Daemon daemon(flags);
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  auto plain = bpfc::testsupport::run_process({tool("rpcapref"), "list", daemon.url("")});
  EXPECT_EQ(plain.exit_code, 1) << plain.out;
  EXPECT_NE(plain.err.find("TLS"), std::string::npos) << plain.err;
  auto secure = bpfc::testsupport::run_process(
      {tool("rpcapref"), "list", "rpcaps://127.0.0.1:" + std::to_string(daemon.port()) + "/"});
  EXPECT_EQ(secure.exit_code, 0) << secure.err << daemon.process().err();
  EXPECT_TRUE(daemon.alive());
}
