// bpfc-rpcapd's ways of running besides the foreground listener: inetd mode
// (-i: one connection on standard input, here a TCP connection the test
// accepted), daemonizing (-d: the parent returns at once, the daemon
// listens on), a fixed data port (-t), and active mode with (-a) and
// without (-v) listening.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "../support/process.h"
#include "daemon_harness.h"

using bpfc::rpcaptest::Background;
using namespace std::chrono_literals;

namespace {

class DaemonModes : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!bpfc::rpcaptest::daemon_test_state().bin) GTEST_SKIP() << bpfc::rpcaptest::daemon_test_state().why;
  }
  std::string tool(const std::string& name) const { return *bpfc::rpcaptest::daemon_test_state().bin + "/" + name; }
};

// Waits for `pid` for up to `timeout`: its exit status, or nullopt.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

}  // namespace

TEST_F(DaemonModes, InetdModeServesTheConnectionOnStandardInput) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t size = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size);
  const uint16_t port = ntohs(address.sin_port);

  Background client({tool("rpcapref"), "list", "rpcap://127.0.0.1:" + std::to_string(port) + "/"});
  const int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(connection, 0);
  const pid_t daemon = ::fork();
  if (daemon == 0) {
    ::dup2(connection, 0);
    ::dup2(connection, 1);
    ::execl(BPFC_RPCAPD_BINARY, BPFC_RPCAPD_BINARY, "-i", "-n", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(connection);
  ::close(listener);
  ASSERT_EQ(client.wait(10s), 0) << client.err();
  EXPECT_NE(client.out().find("/lo\t"), std::string::npos) << client.out();
  EXPECT_EQ(wait_exit(daemon, 10s), 0);  // the session over, the daemon ends
}

TEST_F(DaemonModes, DaemonizedDaemonKeepsListening) {
  const uint16_t port = bpfc::rpcaptest::free_port();
  auto started = bpfc::testsupport::run_process(
      {BPFC_RPCAPD_BINARY, "-d", "-n", "-b", "127.0.0.1", "-4", "-p", std::to_string(port)});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  ASSERT_TRUE(bpfc::rpcaptest::wait_listening(port, 10s));
  auto listed = bpfc::testsupport::run_process({tool("rpcapref"), "list", "rpcap://127.0.0.1:" + std::to_string(port) + "/"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  // Found by its command line, ended by its own pid.
  pid_t pid = -1;
  for (int attempt = 0; attempt < 50 && pid <= 0; ++attempt) {
    pid = bpfc::rpcaptest::daemon_pid(port);
    if (pid <= 0) std::this_thread::sleep_for(20ms);
  }
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGTERM);
  bool gone = false;
  for (int attempt = 0; attempt < 100 && !gone; ++attempt) {
    gone = bpfc::rpcaptest::daemon_pid(port) <= 0;
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(gone);
}

// -t: the TCP data channel on a fixed port, again for the next capture.
TEST_F(DaemonModes, FixedDataPortIsUsed) {
  namespace rpcap = bpfc::capture::rpcap;
  const uint16_t data_port = bpfc::rpcaptest::free_port();
  bpfc::rpcaptest::Daemon daemon({"-n", "-t", std::to_string(data_port)});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  for (int round = 0; round < 2; ++round) {
    bpfc::rpcaptest::RawClient client(daemon.port());
    ASSERT_TRUE(client.null_auth());
    client.send({0, rpcap::MessageType::OpenRequest, 0, rpcap::OpenRequestPayload{"lo"}});
    ASSERT_TRUE(client.receive());
    rpcap::StartCaptureRequestPayload start;
    start.snaplen = 128;
    start.read_timeout_ms = 100;
    start.filter.program = {bpfc::cbpf::stmt(bpfc::cbpf::RET | bpfc::cbpf::K, 0)};
    client.send({0, rpcap::MessageType::StartCaptureRequest, 0, start});
    auto reply = client.receive();
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->header.type, static_cast<uint8_t>(rpcap::MessageType::StartCaptureReply)) << round;
    auto decoded = rpcap::decode_message(reply->header, reply->payload);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(std::get<rpcap::StartCaptureReplyPayload>(decoded->payload).data_port, data_port);
    bpfc::rpcaptest::RawClient data(data_port);
    EXPECT_TRUE(data.connected());
    client.send(rpcap::empty_message(0, rpcap::MessageType::EndCaptureRequest));
    auto ended = client.receive();
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->header.type, static_cast<uint8_t>(rpcap::MessageType::EndCaptureReply));
  }
}

// -a connects out to the client and, as libpcap's rpcapd, still listens on
// -b/-p; -v makes it active only; -v with no client to connect to is an
// error.
TEST_F(DaemonModes, ActiveModeListensTooUnlessActiveOnly) {
  bpfc::rpcaptest::StandInListener waiting;
  bpfc::rpcaptest::Daemon both({"-n", "-a", "127.0.0.1," + std::to_string(waiting.port())});
  ASSERT_TRUE(both.listening()) << both.process().err();
  EXPECT_TRUE(waiting.connected_within(10s)) << both.process().err();
  bpfc::rpcaptest::RawClient passive(both.port());
  EXPECT_TRUE(passive.null_auth());

  bpfc::rpcaptest::StandInListener waiting_alone;
  const uint16_t port = bpfc::rpcaptest::free_port();
  Background only({BPFC_RPCAPD_BINARY, "-n", "-b", "127.0.0.1", "-4", "-p", std::to_string(port), "-v", "-a",
                   "127.0.0.1," + std::to_string(waiting_alone.port())});
  EXPECT_TRUE(waiting_alone.connected_within(10s)) << only.err();
  EXPECT_FALSE(bpfc::rpcaptest::listening_socket(port, 500ms));

  auto refused = bpfc::testsupport::run_process({BPFC_RPCAPD_BINARY, "-v", "-n", "-p", "1"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("-v (active mode only) needs clients to connect to"), std::string::npos) << refused.err;
}
