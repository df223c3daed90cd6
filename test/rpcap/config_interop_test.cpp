// Configuration files across the two daemons, in a private network namespace
// on loopback: what libpcap's rpcapd saves (-s) loads into bpfc-rpcapd with
// the same settings and the same effect, and what bpfc-rpcapd saves, libpcap's
// rpcapd reads (-f) with the same effect: its allowed hosts, its active
// client, NullAuthPermit both ways (the file's NO replacing -n).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "../support/process.h"
#include "bpfc/capture/rpcap/config_file.h"
#include "daemon_harness.h"

namespace rpcap = bpfc::capture::rpcap;
using bpfc::rpcaptest::Background;
using bpfc::rpcaptest::Daemon;
using bpfc::rpcaptest::RawClient;
using namespace std::chrono_literals;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Waits until `path` holds `text` (a daemon saving its configuration).
bool wait_file_has(const std::string& path, const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

class ConfigInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!bpfc::rpcaptest::daemon_test_state().bin) GTEST_SKIP() << bpfc::rpcaptest::daemon_test_state().why;
  }
  std::string tool(const std::string& name) const { return *bpfc::rpcaptest::daemon_test_state().bin + "/" + name; }

  // bpfc-rpcapd FLAGS -s PATH: the file it wrote (the daemon is ended).
  void bpfc_saves(const std::vector<std::string>& flags, const std::string& path) {
    std::vector<std::string> argv = {BPFC_RPCAPD_BINARY, "-4", "-b", "127.0.0.1", "-p",
                                     std::to_string(bpfc::rpcaptest::free_port()), "-s", path};
    argv.insert(argv.end(), flags.begin(), flags.end());
    Background daemon(argv);
    ASSERT_TRUE(wait_file_has(path, "NullAuthPermit", 10s)) << daemon.err();
  }

  // libpcap's rpcapd -f PATH (and FLAGS), listening on a free port.
  std::unique_ptr<Background> libpcap_loads(const std::string& path, const std::vector<std::string>& flags,
                                            uint16_t& port) {
    port = bpfc::rpcaptest::free_port();
    std::vector<std::string> argv = {tool("rpcapd"), "-D", "-b", "127.0.0.1", "-p", std::to_string(port), "-4", "-f",
                                     path};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto daemon = std::make_unique<Background>(argv);
    EXPECT_TRUE(bpfc::rpcaptest::wait_listening(port, 10s)) << daemon->err();
    return daemon;
  }

  // Whether libpcap's client lists the interfaces of the daemon on `port`.
  bpfc::testsupport::ProcessResult list(uint16_t port) {
    return bpfc::testsupport::run_process(
        {"timeout", "20", tool("rpcapref"), "list", "rpcap://127.0.0.1:" + std::to_string(port) + "/"});
  }

  bpfc::rpcaptest::ScratchDir dir_;
};

}  // namespace

TEST_F(ConfigInterop, LibpcapsSavedFileLoadsHere) {
  const std::string conf = dir_.file("libpcap.conf");
  const uint16_t active_port = bpfc::rpcaptest::free_port();
  {
    const uint16_t port = bpfc::rpcaptest::free_port();
    Background libpcap({tool("rpcapd"), "-n", "-l", "127.0.0.1,127.0.0.3", "-a",
                        "127.0.0.1," + std::to_string(active_port), "-s", conf, "-b", "127.0.0.1", "-p",
                        std::to_string(port), "-4"});
    ASSERT_TRUE(wait_file_has(conf, "NullAuthPermit", 10s)) << libpcap.err();
    libpcap.terminate();  // SIGTERM: it ends its process group, the active child too
  }
  auto loaded = rpcap::load_config(conf);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message << "\n" << read_text(conf);
  rpcap::RpcapdConfig expected;
  expected.passive_clients = {"127.0.0.1", "127.0.0.3"};
  expected.active_clients = {{"127.0.0.1", active_port}};
  expected.null_auth_permit = true;
  EXPECT_EQ(*loaded, expected) << read_text(conf);
  // bpfc-rpcapd saves the same settings from the same flags.
  const std::string ours = dir_.file("bpfc.conf");
  bpfc_saves({"-n", "-l", "127.0.0.1,127.0.0.3", "-a", "127.0.0.1," + std::to_string(active_port)}, ours);
  auto ours_loaded = rpcap::load_config(ours);
  ASSERT_TRUE(ours_loaded.ok()) << ours_loaded.error().message;
  EXPECT_EQ(*ours_loaded, expected);

  // And the daemon run with libpcap's file applies it.
  bpfc::rpcaptest::StandInListener waiting;
  std::ofstream(conf, std::ios::app) << "ActiveClient = 127.0.0.1, " << waiting.port() << "\n";
  Daemon daemon({"-f", conf});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_TRUE(RawClient(daemon.port(), "127.0.0.1").null_auth());
  EXPECT_TRUE(RawClient(daemon.port(), "127.0.0.3").null_auth());
  RawClient other(daemon.port(), "127.0.0.2");
  auto reply = other.receive(5s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.value, static_cast<uint16_t>(rpcap::ErrorCode::HostNotAuthorized));
  EXPECT_TRUE(waiting.connected_within(10s)) << daemon.process().err();
}

TEST_F(ConfigInterop, ThisDaemonsSavedFileLoadsInLibpcaps) {
  uint16_t port = 0;
  {  // NullAuthPermit = YES and this host: libpcap's client is served without -n.
    const std::string conf = dir_.file("yes.conf");
    bpfc_saves({"-n", "-l", "127.0.0.1"}, conf);
    auto libpcap = libpcap_loads(conf, {}, port);
    auto listed = list(port);
    EXPECT_EQ(listed.exit_code, 0) << listed.err << libpcap->err() << read_text(conf);
    EXPECT_NE(listed.out.find("lo"), std::string::npos) << listed.out;
    libpcap->terminate();
  }
  {  // Another host only: refused.
    const std::string conf = dir_.file("other.conf");
    bpfc_saves({"-n", "-l", "127.0.0.2"}, conf);
    auto libpcap = libpcap_loads(conf, {}, port);
    EXPECT_TRUE(libpcap->wait_for_stderr("New passive host list: 127.0.0.2", 5s)) << libpcap->err();
    auto listed = list(port);
    EXPECT_NE(listed.exit_code, 0) << listed.out;
    libpcap->terminate();
  }
  {  // NullAuthPermit = NO replaces -n; the active client is connected to.
    bpfc::rpcaptest::StandInListener waiting;
    const std::string conf = dir_.file("no.conf");
    // Saved with a port nobody listens on, then pointed at the listener, so
    // that only libpcap's rpcapd connects there.
    bpfc_saves({"-l", "127.0.0.1", "-a", "127.0.0.1,1"}, conf);
    std::string text = read_text(conf);
    const std::string line = "ActiveClient = 127.0.0.1, 1\n";
    ASSERT_NE(text.find(line), std::string::npos) << text;
    text.replace(text.find(line), line.size(), "ActiveClient = 127.0.0.1, " + std::to_string(waiting.port()) + "\n");
    std::ofstream(conf, std::ios::binary | std::ios::trunc) << text;
    auto libpcap = libpcap_loads(conf, {"-n"}, port);
    auto listed = list(port);
    EXPECT_NE(listed.exit_code, 0) << listed.out;
    EXPECT_NE(listed.err.find("NULL authentication not permitted"), std::string::npos) << listed.err;
    EXPECT_TRUE(waiting.connected_within(10s)) << libpcap->err();
    libpcap->terminate();
  }
}
