// bpfc-rpcapd served to libpcap's own client (rpcapref) and to bpfc's, in a
// private network namespace on 127.0.0.1: the interface list, captures with
// a filter over TCP and UDP data channels whose packets are exactly the
// datagrams sent and what tcpdump captured of them, password logins, a
// filter update mid-capture, sampling, statistics, and active mode over
// both data channels.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <csignal>
#include <thread>

#include "../support/process.h"
#include "bpfc/capture/rpcap/client.h"
#include "bpfc/driver/compile.h"
#include "daemon_harness.h"

using bpfc::rpcaptest::Background;
using bpfc::rpcaptest::Daemon;
using bpfc::rpcaptest::payloads;
using bpfc::rpcaptest::listening_socket;
using bpfc::rpcaptest::udp_of;
using bpfc::rpcaptest::UdpSink;
using namespace std::chrono_literals;

namespace {

bool wait_for_stdout(const Background& process, const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (process.out().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// Packets from bpfc's client library until `want` came or `timeout` passed.
std::vector<std::string> receive_payloads(bpfc::capture::rpcap::RemoteCapture& source, size_t want) {
  std::vector<std::string> got;
  bpfc::capture::Batch batch;
  while (got.size() < want) {
    const bool more = source.next(batch);
    for (const auto& packet : batch.packets) {
      auto view = udp_of(std::vector<uint8_t>(packet.data, packet.data + packet.caplen));
      if (view) got.push_back(view->payload);
    }
    if (!more) break;
  }
  return got;
}

class DaemonInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!bpfc::rpcaptest::daemon_test_state().bin) GTEST_SKIP() << bpfc::rpcaptest::daemon_test_state().why;
  }
  std::string tool(const std::string& name) const { return *bpfc::rpcaptest::daemon_test_state().bin + "/" + name; }

  // rpcapref capture of `count` datagrams to a fresh port, with tcpdump
  // capturing the same on lo: checks that the savefile holds exactly those
  // datagrams, in order, byte for byte what tcpdump captured.
  void capture_sent_datagrams(bool udp, const std::vector<std::string>& daemon_flags = {"-n"},
                              const std::vector<std::string>& client_flags = {}) {
    Daemon daemon(daemon_flags);
    ASSERT_TRUE(daemon.listening()) << daemon.process().err();
    const uint16_t target = bpfc::rpcaptest::free_port(true), other = bpfc::rpcaptest::free_port(true);
    UdpSink sink(target), other_sink(other);
    bpfc::rpcaptest::ScratchDir dir;
    const int count = 5;
    const std::string filter = "udp and dst port " + std::to_string(target);
    Background tcpdump({"tcpdump", "-i", "lo", "-U", "-c", std::to_string(count), "-w", dir.file("tcpdump.pcap"), filter});
    ASSERT_TRUE(tcpdump.wait_for_stderr("listening on", 10s)) << tcpdump.err();
    std::vector<std::string> argv = {tool("rpcapref"), "capture", daemon.url(), "-c", std::to_string(count), "-t",
                                     "20", "-f", filter, "-w", dir.file("a.pcap")};
    if (udp) argv.push_back("--udp");
    argv.insert(argv.end(), client_flags.begin(), client_flags.end());
    Background client(argv);
    ASSERT_TRUE(daemon.process().wait_for_stderr("STARTCAP_REQ", 10s)) << daemon.process().err() << client.err();
    bpfc::rpcaptest::send_udp(other, payloads("noise", 3));
    const auto sent = payloads(udp ? "udp" : "tcp", count);
    bpfc::rpcaptest::send_udp(target, sent);
    ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
    ASSERT_EQ(tcpdump.wait(30s), 0) << tcpdump.err();
    EXPECT_NE(client.out().find("captured 5"), std::string::npos) << client.out();
    EXPECT_NE(client.out().find("stats recv="), std::string::npos) << client.out();
    auto file = bpfc::rpcaptest::read_savefile(dir.file("a.pcap"));
    auto local = bpfc::rpcaptest::read_savefile(dir.file("tcpdump.pcap"));
    ASSERT_EQ(file.error, "");
    ASSERT_EQ(local.error, "");
    EXPECT_EQ(file.linktype, 1);
    EXPECT_EQ(file.linktype, local.linktype);
    ASSERT_EQ(file.packets.size(), sent.size());
    ASSERT_EQ(local.packets.size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
      auto view = udp_of(file.packets[i].data);
      ASSERT_TRUE(view) << "packet " << i;
      EXPECT_EQ(view->destination, target);
      EXPECT_EQ(view->payload, sent[i]);
      EXPECT_EQ(file.packets[i].wirelen, file.packets[i].data.size());
      EXPECT_EQ(file.packets[i].data, local.packets[i].data) << "packet " << i << " differs from tcpdump's";
      EXPECT_EQ(file.packets[i].wirelen, local.packets[i].wirelen) << "packet " << i;
    }
    // The server's own count in the statistics: at least what was sent.
    const auto stats = client.out().find("stats recv=");
    ASSERT_NE(stats, std::string::npos);
    EXPECT_GE(std::stoul(client.out().substr(stats + 11)), 5u) << client.out();
    EXPECT_TRUE(daemon.alive());
  }
};

}  // namespace

TEST_F(DaemonInterop, LibpcapsClientListsTheInterfaces) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  auto listed = bpfc::testsupport::run_process({tool("rpcapref"), "list", daemon.url("")});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("rpcap://127.0.0.1:" + std::to_string(daemon.port()) + "/lo\t"), std::string::npos)
      << listed.out;
}

TEST_F(DaemonInterop, LibpcapsClientCapturesOverTcp) { capture_sent_datagrams(false); }

TEST_F(DaemonInterop, LibpcapsClientCapturesOverUdp) { capture_sent_datagrams(true); }

// libpcap's client logs in with a password (--passwd-file here; system
// accounts in session_user_test.cpp), over both data channels; a wrong
// password is refused with libpcap's words.
TEST_F(DaemonInterop, LibpcapsClientLogsInWithAPassword) {
  bpfc::rpcaptest::ScratchDir dir;
  std::ofstream(dir.file("passwd")) << "analyst:" << bpfc::rpcaptest::crypt_hash("rpcap-Test-3") << "\n";
  const std::vector<std::string> daemon_flags = {"--passwd-file", dir.file("passwd"), "--auth-failure-delay-ms", "0"};
  capture_sent_datagrams(false, daemon_flags, {"--auth", "analyst:rpcap-Test-3"});
  capture_sent_datagrams(true, daemon_flags, {"--auth", "analyst:rpcap-Test-3"});
  Daemon daemon(daemon_flags);
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  auto wrong = bpfc::testsupport::run_process({tool("rpcapref"), "list", daemon.url(""), "--auth", "analyst:not-it"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out;
  EXPECT_NE(wrong.err.find("Authentication failed"), std::string::npos) << wrong.err;
  auto anonymous = bpfc::testsupport::run_process({tool("rpcapref"), "list", daemon.url("")});
  EXPECT_EQ(anonymous.exit_code, 1) << anonymous.out;
  EXPECT_NE(anonymous.err.find("NULL authentication not permitted"), std::string::npos) << anonymous.err;
}

TEST_F(DaemonInterop, FilterUpdateTakesEffectMidCapture) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const uint16_t first = bpfc::rpcaptest::free_port(true), second = bpfc::rpcaptest::free_port(true);
  UdpSink a(first), b(second);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({tool("rpcapref"), "capture", daemon.url(), "-c", "6", "-t", "20", "-f",
                     "udp and dst port " + std::to_string(first), "--update-filter",
                     "udp and dst port " + std::to_string(second), "--after", "2", "-w", dir.file("u.pcap")});
  ASSERT_TRUE(daemon.process().wait_for_stderr("STARTCAP_REQ", 10s)) << daemon.process().err();
  bpfc::rpcaptest::send_udp(first, payloads("first", 2));
  ASSERT_TRUE(wait_for_stdout(client, "filter updated after 2", 10s)) << client.out() << client.err();
  bpfc::rpcaptest::send_udp(first, payloads("late", 2));  // the old filter's: no longer captured
  bpfc::rpcaptest::send_udp(second, payloads("second", 4));
  ASSERT_EQ(client.wait(30s), 0) << client.err();
  auto file = bpfc::rpcaptest::read_savefile(dir.file("u.pcap"));
  ASSERT_EQ(file.packets.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    auto view = udp_of(file.packets[i].data);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->destination, i < 2 ? first : second) << "packet " << i;
  }
  EXPECT_NE(daemon.process().err().find("UPDATEFILTER_REQ"), std::string::npos);
}

// SETSAMPLING through bpfc's client library (libpcap's client sends the
// value cast to 16 bits after htonl(), 0 on little-endian machines, so its
// sampling never reaches a daemon intact).
TEST_F(DaemonInterop, SamplingIsAppliedAsLibpcapDefinesIt) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  namespace rpcap = bpfc::capture::rpcap;
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  rpcap::CaptureOptions options;
  options.idle_timeout = 3s;
  const std::string expression = "udp and dst port " + std::to_string(target);
  auto compiler = [&](const rpcap::RemoteFilterTarget& target) -> bpfc::Result<bpfc::cbpf::Program> {
    EXPECT_TRUE(target.linux_socket_filter);  // bpfc-rpcapd says so in its AUTH reply
    bpfc::CompileOptions compile;
    return bpfc::compile_cbpf(expression, compile);
  };
  auto capture = rpcap::RemoteCapture::start({"127.0.0.1", daemon.port(), "lo", false}, options, compiler);
  ASSERT_TRUE(capture.ok()) << capture.error().message;
  ASSERT_EQ((*capture)->set_sampling(rpcap::SamplingMethod::OneEveryN, 3), std::nullopt);
  const auto sent = payloads("s", 9);
  bpfc::rpcaptest::send_udp(target, sent);
  EXPECT_EQ(receive_payloads(**capture, 3), (std::vector<std::string>{sent[2], sent[5], sent[8]}));

  ASSERT_EQ((*capture)->set_sampling(rpcap::SamplingMethod::FirstAfterNMilliseconds, 400), std::nullopt);
  bpfc::rpcaptest::send_udp(target, {"t-0", "t-1"});  // the second within 400 ms of the first
  std::this_thread::sleep_for(600ms);
  bpfc::rpcaptest::send_udp(target, {"t-2"});
  EXPECT_EQ(receive_payloads(**capture, 2), (std::vector<std::string>{"t-0", "t-2"}));
  auto stats = (*capture)->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->daemon.server_captured, 5u);
  EXPECT_EQ((*capture)->close(), std::nullopt);
}

TEST_F(DaemonInterop, BpfcsClientListsAndCaptures) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  auto listed = bpfc::testsupport::run_process({BPFC_BINARY, "rpcap", "list", daemon.url("")});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("lo"), std::string::npos) << listed.out;

  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({BPFC_BINARY, "rpcap", "capture", daemon.url(), "-c", "4", "--timeout", "20", "-w",
                     dir.file("b.pcap"), "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(client.wait_for_stderr("listening on", 10s)) << client.err() << daemon.process().err();
  const auto sent = payloads("bpfc", 4);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
  EXPECT_NE(client.err().find("4 packets captured"), std::string::npos) << client.err();
  auto file = bpfc::rpcaptest::read_savefile(dir.file("b.pcap"));
  ASSERT_EQ(file.packets.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    auto view = udp_of(file.packets[i].data);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->payload, sent[i]);
  }
}

// `any` on bpfc-rpcapd is LINUX_SLL2; bpfc's client compiles the filter for
// it (for Ethernet, `udp and dst port N` would match nothing).
TEST_F(DaemonInterop, BpfcsClientCompilesForTheRemoteLinkType) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({BPFC_BINARY, "rpcap", "capture", daemon.url("any"), "-c", "3", "--timeout", "20", "-w",
                     dir.file("any.pcap"), "udp and dst port " + std::to_string(target)});
  ASSERT_TRUE(client.wait_for_stderr("listening on", 10s)) << client.err() << daemon.process().err();
  EXPECT_NE(client.err().find("link-type LINUX_SLL2"), std::string::npos) << client.err();
  const auto sent = payloads("any", 3);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
  auto file = bpfc::rpcaptest::read_savefile(dir.file("any.pcap"));
  ASSERT_EQ(file.error, "");
  EXPECT_EQ(file.linktype, 276);
  ASSERT_EQ(file.packets.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // The UDP payload after the 20-byte SLL2 header, 20 bytes of IPv4 and 8 of UDP.
    const auto& data = file.packets[i].data;
    ASSERT_GE(data.size(), 48u + sent[i].size());
    EXPECT_EQ(std::string(data.begin() + 48, data.begin() + 48 + static_cast<long>(sent[i].size())), sent[i]);
  }
}

// bpfc-rpcapd's AUTH reply says it runs filters as Linux socket filters, so
// bpfc's client compiles in the Linux live context: filters on the packet's
// metadata (libpcap #1549) work remotely as they do locally. On lo the
// outgoing copy of each datagram fails `inbound`, its incoming copy passes.
TEST_F(DaemonInterop, BpfcsClientUsesLinuxExtensionFilters) {
  Daemon daemon({"-n"});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  const std::string port = std::to_string(target);
  bpfc::rpcaptest::ScratchDir dir;
  for (const auto& [filter, expected] : std::vector<std::pair<std::string, int>>{
           {"udp and dst port " + port + " and inbound and ifindex 1", 3},
           {"udp and dst port " + port + " and ifindex 999", 0}}) {
    SCOPED_TRACE(filter);
    const std::string out = dir.file("x" + std::to_string(expected) + ".pcap");
    Background client({BPFC_BINARY, "capture", "-i", daemon.url(), "-c", "3", "-w", out, filter});
    ASSERT_TRUE(client.wait_for_stderr("listening on", 10s)) << client.err() << daemon.process().err();
    bpfc::rpcaptest::send_udp(target, payloads("meta", 3));
    if (expected == 0) {
      std::this_thread::sleep_for(1s);
      client.send_signal(SIGINT);
    }
    ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
    EXPECT_EQ(bpfc::rpcaptest::read_savefile(out).packets.size(), static_cast<size_t>(expected)) << client.err();
  }
}

// Active mode: libpcap's client waits, the daemon connects to it, and the
// data connection is the daemon's too (to the client's address).
TEST_F(DaemonInterop, ActiveModeServesAWaitingClient) {
  const uint16_t client_port = bpfc::rpcaptest::free_port();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  const std::string filter = "udp and dst port " + std::to_string(target);
  Background tcpdump({"tcpdump", "-i", "lo", "-U", "-c", "3", "-w", dir.file("tcpdump.pcap"), filter});
  ASSERT_TRUE(tcpdump.wait_for_stderr("listening on", 10s)) << tcpdump.err();
  Background client({tool("rpcapref"), "active", "127.0.0.1", std::to_string(client_port), "--dev", "lo", "-c", "3",
                     "-t", "20", "-f", filter, "-w", dir.file("act.pcap")});
  // Not by connecting: the client would take the probe for the daemon.
  ASSERT_TRUE(listening_socket(client_port, 10s)) << client.err();
  Background daemon({BPFC_RPCAPD_BINARY, "-n", "-4", "-D", "-v", "-a", "127.0.0.1," + std::to_string(client_port)});
  ASSERT_TRUE(daemon.wait_for_stderr("STARTCAP_REQ", 10s)) << daemon.err() << client.err();
  const auto sent = payloads("active", 3);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.err();
  EXPECT_NE(client.out().find("captured 3"), std::string::npos) << client.out();
  ASSERT_EQ(tcpdump.wait(30s), 0) << tcpdump.err();
  auto file = bpfc::rpcaptest::read_savefile(dir.file("act.pcap"));
  auto local = bpfc::rpcaptest::read_savefile(dir.file("tcpdump.pcap"));
  ASSERT_EQ(file.packets.size(), 3u);
  ASSERT_EQ(local.packets.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    auto view = udp_of(file.packets[i].data);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->payload, sent[i]);
    EXPECT_EQ(file.packets[i].data, local.packets[i].data) << "packet " << i << " differs from tcpdump's";
  }
}

// Active mode over UDP, with the device chosen from the daemon's own list
// (rpcapref lists when no --dev is given, then captures on the first).
TEST_F(DaemonInterop, ActiveModeListsAndCapturesOverUdp) {
  const uint16_t client_port = bpfc::rpcaptest::free_port();
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  UdpSink sink(target);
  bpfc::rpcaptest::ScratchDir dir;
  Background client({tool("rpcapref"), "active", "127.0.0.1", std::to_string(client_port), "--udp", "-c", "3", "-t",
                     "20", "-f", "udp and dst port " + std::to_string(target), "-w", dir.file("act.pcap")});
  ASSERT_TRUE(listening_socket(client_port, 10s)) << client.err();
  Background daemon({BPFC_RPCAPD_BINARY, "-n", "-4", "-D", "-v", "-a", "127.0.0.1," + std::to_string(client_port)});
  ASSERT_TRUE(daemon.wait_for_stderr("STARTCAP_REQ", 10s)) << daemon.err() << client.err();
  EXPECT_NE(daemon.err().find("FINDALLIF_REQ"), std::string::npos) << daemon.err();
  ASSERT_TRUE(wait_for_stdout(client, "source rpcap://127.0.0.1/", 10s)) << client.out();
  const auto sent = payloads("active-udp", 3);
  bpfc::rpcaptest::send_udp(target, sent);
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.err();
  EXPECT_NE(client.out().find("captured 3"), std::string::npos) << client.out();
  auto file = bpfc::rpcaptest::read_savefile(dir.file("act.pcap"));
  ASSERT_EQ(file.error, "");
  std::vector<std::string> got;
  for (const auto& packet : file.packets) {
    if (auto view = udp_of(packet.data)) got.push_back(view->payload);
  }
  EXPECT_EQ(got, sent) << client.out();
}
