// bpfc-rpcapd with a configuration file (-f), in a private network namespace
// on loopback: SIGHUP rereads it and the new allow-list holds for new
// clients while a capture that started before goes on; a broken or missing
// file on SIGHUP keeps the previous configuration and says why; active
// clients added by a reload start connecting and dropped ones stop once their
// session ends; a broken file at start is an error naming its line, and -s
// refuses what -f could not read back.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include "../support/process.h"
#include "daemon_harness.h"

namespace rpcap = bpfc::capture::rpcap;
using bpfc::rpcaptest::Background;
using bpfc::rpcaptest::Daemon;
using bpfc::rpcaptest::RawClient;
using namespace std::chrono_literals;

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Waits until the daemon's standard error holds `part` `times` times.
bool wait_count(const Background& process, const std::string& part, size_t times, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_of(process.err(), part) >= times) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// SIGHUP, then wait for the daemon to say it applied the file (the
// `reloads`-th time).
bool reload(Daemon& daemon, size_t reloads) {
  daemon.process().send_signal(SIGHUP);
  return wait_count(daemon.process(), "configuration reloaded", reloads, 10s);
}

bool refused(uint16_t port, const std::string& source) {
  RawClient client(port, source);
  if (!client.connected()) return false;
  auto reply = client.receive(5s);
  return reply && reply->header.type == static_cast<uint8_t>(rpcap::MessageType::Error) &&
         reply->header.value == static_cast<uint16_t>(rpcap::ErrorCode::HostNotAuthorized);
}

bool served(uint16_t port, const std::string& source) {
  RawClient client(port, source);
  return client.connected() && client.null_auth();
}

class ConfigReload : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!bpfc::rpcaptest::daemon_test_state().bin) GTEST_SKIP() << bpfc::rpcaptest::daemon_test_state().why;
  }
  std::string tool(const std::string& name) const { return *bpfc::rpcaptest::daemon_test_state().bin + "/" + name; }
  bpfc::rpcaptest::ScratchDir dir_;
  const std::string conf_ = dir_.file("rpcapd.conf");
};

}  // namespace

TEST_F(ConfigReload, SighupChangesWhoMayConnectWhileACaptureGoesOn) {
  write_file(conf_, "PassiveClient = 127.0.0.1\nPassiveClient = 127.0.0.2\nNullAuthPermit = YES\n");
  Daemon daemon({"-f", conf_});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  ASSERT_TRUE(served(daemon.port(), "127.0.0.1"));
  ASSERT_TRUE(refused(daemon.port(), "127.0.0.3"));

  // libpcap's client captures from 127.0.0.1 across the reload.
  const uint16_t target = bpfc::rpcaptest::free_port(true);
  bpfc::rpcaptest::UdpSink sink(target);
  Background client({tool("rpcapref"), "capture", daemon.url(), "-c", "6", "-t", "30", "-f",
                     "udp and dst port " + std::to_string(target), "-w", dir_.file("a.pcap")});
  ASSERT_TRUE(daemon.process().wait_for_stderr("STARTCAP_REQ", 10s)) << daemon.process().err() << client.err();
  auto sent = bpfc::rpcaptest::payloads("before", 3);
  bpfc::rpcaptest::send_udp(target, sent);

  write_file(conf_, "# 127.0.0.1 no longer\nPassiveClient = 127.0.0.2\nNullAuthPermit = YES\n");
  ASSERT_TRUE(reload(daemon, 1)) << daemon.process().err();
  EXPECT_TRUE(refused(daemon.port(), "127.0.0.1")) << daemon.process().err();
  EXPECT_TRUE(served(daemon.port(), "127.0.0.2")) << daemon.process().err();

  const auto after = bpfc::rpcaptest::payloads("after", 3);
  bpfc::rpcaptest::send_udp(target, after);
  sent.insert(sent.end(), after.begin(), after.end());
  ASSERT_EQ(client.wait(30s), 0) << client.err() << daemon.process().err();
  EXPECT_NE(client.out().find("captured 6"), std::string::npos) << client.out();
  const auto file = bpfc::rpcaptest::read_savefile(dir_.file("a.pcap"));
  ASSERT_EQ(file.packets.size(), sent.size()) << file.error;
  for (size_t i = 0; i < sent.size(); ++i) {
    const auto& data = file.packets[i].data;
    ASSERT_GE(data.size(), sent[i].size());
    EXPECT_EQ(std::string(data.end() - static_cast<long>(sent[i].size()), data.end()), sent[i]) << "packet " << i;
  }

  // NullAuthPermit follows the file too.
  write_file(conf_, "PassiveClient = 127.0.0.2\nNullAuthPermit = NO\n");
  ASSERT_TRUE(reload(daemon, 2)) << daemon.process().err();
  EXPECT_FALSE(served(daemon.port(), "127.0.0.2"));
  EXPECT_TRUE(daemon.alive());
}

TEST_F(ConfigReload, ABrokenOrMissingFileKeepsThePreviousConfiguration) {
  write_file(conf_, "PassiveClient = 127.0.0.2\nNullAuthPermit = YES\n");
  Daemon daemon({"-f", conf_});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  ASSERT_TRUE(refused(daemon.port(), "127.0.0.1"));

  write_file(conf_, "NullAuthPermit = YES\nPassiveClient 127.0.0.1\n");
  daemon.process().send_signal(SIGHUP);
  ASSERT_TRUE(wait_count(daemon.process(), "keeping the previous configuration", 1, 10s)) << daemon.process().err();
  EXPECT_NE(daemon.process().err().find(conf_ + ":2: 'PassiveClient' has no '='"), std::string::npos)
      << daemon.process().err();
  EXPECT_TRUE(refused(daemon.port(), "127.0.0.1"));
  EXPECT_TRUE(served(daemon.port(), "127.0.0.2"));

  std::remove(conf_.c_str());
  daemon.process().send_signal(SIGHUP);
  ASSERT_TRUE(wait_count(daemon.process(), "keeping the previous configuration", 2, 10s)) << daemon.process().err();
  EXPECT_NE(daemon.process().err().find(conf_ + ": cannot open"), std::string::npos) << daemon.process().err();
  EXPECT_TRUE(refused(daemon.port(), "127.0.0.1"));
  EXPECT_TRUE(served(daemon.port(), "127.0.0.2"));

  // Fixed, the file is taken again.
  write_file(conf_, "PassiveClient = 127.0.0.1\nNullAuthPermit = YES\n");
  ASSERT_TRUE(reload(daemon, 1)) << daemon.process().err();
  EXPECT_TRUE(served(daemon.port(), "127.0.0.1"));
  EXPECT_TRUE(refused(daemon.port(), "127.0.0.2"));
}

TEST_F(ConfigReload, ActiveClientsStartAndStopWithTheFile) {
  bpfc::rpcaptest::StandInListener waiting;
  ASSERT_GT(waiting.port(), 0);
  write_file(conf_, "NullAuthPermit = YES\n");
  Daemon daemon({"-f", conf_});
  ASSERT_TRUE(daemon.listening()) << daemon.process().err();
  EXPECT_EQ(waiting.accept_within(1500ms), -1);  // not listed yet

  write_file(conf_, "NullAuthPermit = YES\nActiveClient = 127.0.0.1, " + std::to_string(waiting.port()) + "\n");
  ASSERT_TRUE(reload(daemon, 1)) << daemon.process().err();
  int session = waiting.accept_within(10s);
  ASSERT_GE(session, 0) << daemon.process().err();
  ::close(session);  // the session ends; the daemon connects again
  session = waiting.accept_within(10s);
  ASSERT_GE(session, 0) << daemon.process().err();

  // Dropped from the file: the session under way goes on, then no more.
  write_file(conf_, "NullAuthPermit = YES\n");
  ASSERT_TRUE(reload(daemon, 2)) << daemon.process().err();
  ASSERT_TRUE(daemon.process().wait_for_stderr("no longer connecting to 127.0.0.1", 5s)) << daemon.process().err();
  pollfd p{session, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 1000), 0) << "the active session was closed by the reload";
  ::close(session);
  const int again = waiting.accept_within(4s);
  EXPECT_EQ(again, -1) << daemon.process().err();
  if (again >= 0) ::close(again);
  EXPECT_TRUE(daemon.alive());
}

// At start a file that cannot be used is an error, before anything listens
// (`timeout`: were it accepted, the daemon would run on).
TEST(ConfigStartup, ABrokenFileIsRefusedWithItsLine) {
  bpfc::rpcaptest::ScratchDir dir;
  const std::string conf = dir.file("bad.conf");
  write_file(conf, "# fine\nPassiveClient = 127.0.0.1\nNullAuthPermit = maybe\n");
  auto run = bpfc::testsupport::run_process(
      {"timeout", "10", BPFC_RPCAPD_BINARY, "-f", conf, "-b", "127.0.0.1", "-p", "1", "-4"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(conf + ":3: NullAuthPermit is YES or NO"), std::string::npos) << run.err;
  run = bpfc::testsupport::run_process(
      {"timeout", "10", BPFC_RPCAPD_BINARY, "-f", dir.file("absent.conf"), "-p", "1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("absent.conf: cannot open"), std::string::npos) << run.err;
  // -s must write a file that -f reads: an unwritable path or a host name is an error.
  run = bpfc::testsupport::run_process(
      {"timeout", "10", BPFC_RPCAPD_BINARY, "-s", dir.file("no/dir/a.conf"), "-p", "1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("no/dir/a.conf: cannot write"), std::string::npos) << run.err;
  run = bpfc::testsupport::run_process(
      {"timeout", "10", BPFC_RPCAPD_BINARY, "-a", "probe.example,2003", "-s", dir.file("a.conf")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("'probe.example' is not a numeric address"), std::string::npos) << run.err;
}
