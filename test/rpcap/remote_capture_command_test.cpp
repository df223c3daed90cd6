// `bpfc capture` on a remote device, against libpcap's rpcapd in the test's
// private network namespace (libpcap_interop_test.cpp's environment moves
// the process there): -i rpcap://127.0.0.1:P/lo writes what the daemon
// captured, with the remote link type, over TCP or UDP; -D rpcap:// lists
// the daemon's interfaces; `any` captures with its cooked link type and a
// filter compiled for it; --update-filter changes the daemon's filter
// mid-capture; --auth logs in with a password (a user the test
// creates) and a wrong one fails cleanly; --rpcap-listen waits for an
// active-mode daemon (rpcapd -a). Traffic: ICMP echo requests to 127.0.0.1,
// each answered by the kernel, so N pings make 2N ICMP packets on lo.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../support/process.h"
#include "rpcap_harness.h"

using bpfc::rpcaptest::Background;
using namespace std::chrono_literals;

namespace {

// ICMP echo requests to 127.0.0.1 from a raw socket (root), `gap` apart.
void send_pings(int count, std::chrono::milliseconds gap = 50ms) {
  int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  ASSERT_GE(fd, 0) << "raw ICMP socket";
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; ++i) {
    uint8_t packet[16] = {ICMP_ECHO, 0, 0, 0, 0x12, 0x34, 0, static_cast<uint8_t>(i + 1), 'b', 'p', 'f', 'c'};
    uint32_t sum = 0;
    for (size_t j = 0; j < sizeof packet; j += 2) sum += static_cast<uint32_t>(packet[j] << 8 | packet[j + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    uint16_t checksum = static_cast<uint16_t>(~sum);
    packet[2] = static_cast<uint8_t>(checksum >> 8);
    packet[3] = static_cast<uint8_t>(checksum);
    ASSERT_EQ(::sendto(fd, packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(sizeof packet));
    std::this_thread::sleep_for(gap);
  }
  ::close(fd);
}

// Whether an Ethernet frame carries IPv4 ICMP.
bool is_icmp(const std::vector<uint8_t>& frame) {
  return frame.size() >= 34 && frame[12] == 0x08 && frame[13] == 0x00 && frame[14 + 9] == IPPROTO_ICMP;
}

class RemoteCaptureCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    // The interop environment has entered the private namespace (root) and
    // built the oracle; this is then only a check that it is there.
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a private network namespace for libpcap's rpcapd)";
    std::string why;
    bin_ = bpfc::rpcaptest::oracle_bin_dir(why);
    if (!bin_) GTEST_SKIP() << why;
  }
  void TearDown() override {
    if (daemon_) daemon_->terminate();
  }

  std::string tool(const std::string& name) const { return *bin_ + "/" + name; }

  // libpcap's rpcapd on 127.0.0.1:port_, `prefix` (setpriv...) before it.
  void start_daemon(const std::vector<std::string>& flags, const std::vector<std::string>& prefix = {}) {
    port_ = bpfc::rpcaptest::free_port();
    std::vector<std::string> argv = prefix;
    argv.push_back(tool("rpcapd"));
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (const char* flag : {"-b", "127.0.0.1", "-4", "-p"}) argv.push_back(flag);
    argv.push_back(std::to_string(port_));
    daemon_ = std::make_unique<Background>(argv);
    ASSERT_TRUE(daemon_->started());
    ASSERT_TRUE(bpfc::rpcaptest::wait_listening(port_, 10s)) << daemon_->err();
  }

  std::string url(const std::string& device = "lo") const {
    return "rpcap://127.0.0.1:" + std::to_string(port_) + "/" + device;
  }

  // bpfc `argv` until it says it listens, then `pings` pings; its exit status.
  std::optional<int> run_with_pings(Background& bpfc, int pings) {
    EXPECT_TRUE(bpfc.wait_for_stderr("listening on", 20s)) << bpfc.err();
    send_pings(pings);
    return bpfc.wait(30s);
  }

  // The ICMP capture of `pings` pings into a pcap file, through `extra` flags.
  void expect_icmp_written(const std::vector<std::string>& extra) {
    start_daemon({"-n"});
    bpfc::rpcaptest::ScratchDir dir;
    const std::string out = dir.file("out.pcap");
    std::vector<std::string> argv = {BPFC_BINARY, "capture", "-i", url(), "-c", "6", "-w", out};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("icmp");
    Background bpfc(argv);
    ASSERT_EQ(run_with_pings(bpfc, 3), 0) << bpfc.err();
    EXPECT_NE(bpfc.err().find("link-type EN10MB"), std::string::npos) << bpfc.err();
    EXPECT_NE(bpfc.err().find("6 packets captured"), std::string::npos) << bpfc.err();
    EXPECT_NE(bpfc.err().find("received by filter"), std::string::npos) << bpfc.err();
    auto file = bpfc::rpcaptest::read_savefile(out);
    ASSERT_EQ(file.error, "");
    EXPECT_EQ(file.linktype, 1);  // EN10MB, as lo is
    ASSERT_EQ(file.packets.size(), 6u);
    for (const auto& packet : file.packets) EXPECT_TRUE(is_icmp(packet.data));
  }

  std::optional<std::string> bin_;
  uint16_t port_ = 0;
  std::unique_ptr<Background> daemon_;
};

TEST_F(RemoteCaptureCommand, WritesTheIcmpPacketsOfLoOverTcp) { expect_icmp_written({}); }

TEST_F(RemoteCaptureCommand, WritesTheIcmpPacketsOfLoOverUdp) { expect_icmp_written({"--udp"}); }

// The `any` device captures with a cooked header (LINUX_SLL or SLL2), not
// Ethernet: the filter is compiled for the link type the daemon announced.
// Compiled for Ethernet, `icmp` would test bytes 12-13 of the cooked header
// and match nothing.
TEST_F(RemoteCaptureCommand, TheFilterIsCompiledForTheRemoteLinkType) {
  start_daemon({"-n"});
  bpfc::rpcaptest::ScratchDir dir;
  const std::string out = dir.file("any.pcap");
  Background bpfc({BPFC_BINARY, "capture", "-i", url("any"), "-c", "4", "-w", out, "icmp"});
  ASSERT_EQ(run_with_pings(bpfc, 2), 0) << bpfc.err();
  EXPECT_NE(bpfc.err().find("link-type LINUX_SLL"), std::string::npos) << bpfc.err();
  auto file = bpfc::rpcaptest::read_savefile(out);
  ASSERT_EQ(file.error, "");
  EXPECT_TRUE(file.linktype == 113 || file.linktype == 276) << file.linktype;  // LINUX_SLL or LINUX_SLL2
  ASSERT_EQ(file.packets.size(), 4u);
  for (const auto& packet : file.packets) {
    // The IPv4 protocol byte behind the cooked header (16 or 20 bytes).
    const size_t ip = file.linktype == 113 ? 16 : 20;
    ASSERT_GT(packet.data.size(), ip + 9);
    EXPECT_EQ(packet.data[ip + 9], IPPROTO_ICMP);
  }
}

// --update-filter replaces the filter in the daemon mid-capture
// (UPDATEFILTER): echo requests first, then only the replies.
TEST_F(RemoteCaptureCommand, UpdateFilterChangesWhatTheDaemonSends) {
  start_daemon({"-n"});
  bpfc::rpcaptest::ScratchDir dir;
  const std::string out = dir.file("updated.pcap");
  Background bpfc({BPFC_BINARY, "rpcap", "capture", url(), "-c", "4", "--timeout", "20", "-w", out,
                   "--update-filter", "icmp[icmptype] = icmp-echoreply", "--after", "2",
                   "icmp[icmptype] = icmp-echo"});
  ASSERT_TRUE(bpfc.wait_for_stderr("listening on", 20s)) << bpfc.err();
  send_pings(2);
  ASSERT_TRUE(bpfc.wait_for_stderr("filter updated after 2 packets", 10s)) << bpfc.err();
  std::this_thread::sleep_for(200ms);  // the daemon has the new filter
  send_pings(2);
  ASSERT_EQ(bpfc.wait(30s), 0) << bpfc.err();
  auto file = bpfc::rpcaptest::read_savefile(out);
  ASSERT_EQ(file.error, "");
  ASSERT_EQ(file.packets.size(), 4u);
  const uint8_t expected_types[] = {ICMP_ECHO, ICMP_ECHO, ICMP_ECHOREPLY, ICMP_ECHOREPLY};
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(is_icmp(file.packets[i].data)) << i;
    EXPECT_EQ(file.packets[i].data[14 + 20], expected_types[i]) << "packet " << i;
  }
}

TEST_F(RemoteCaptureCommand, CountsAndPrintsJsonStatistics) {
  start_daemon({"-n"});
  Background bpfc({BPFC_BINARY, "capture", "-i", url(), "-c", "4", "--count-only", "--stats-format=json", "icmp"});
  ASSERT_EQ(run_with_pings(bpfc, 2), 0) << bpfc.err();
  EXPECT_EQ(bpfc.out(), "4 packets\n");
  EXPECT_NE(bpfc.err().find("{\"captured\":4,"), std::string::npos) << bpfc.err();
}

TEST_F(RemoteCaptureCommand, PrintsOneSummaryLinePerPacket) {
  start_daemon({"-n"});
  Background bpfc({BPFC_BINARY, "capture", "-i", url(), "-c", "2", "icmp"});
  ASSERT_EQ(run_with_pings(bpfc, 1), 0) << bpfc.err();
  const std::string out = bpfc.out();
  EXPECT_NE(out.find("127.0.0.1 > 127.0.0.1: ICMP echo request"), std::string::npos) << out;
  EXPECT_NE(out.find("127.0.0.1 > 127.0.0.1: ICMP echo reply"), std::string::npos) << out;
}

TEST_F(RemoteCaptureCommand, InterruptEndsTheCaptureWithACompleteFile) {
  start_daemon({"-n"});
  bpfc::rpcaptest::ScratchDir dir;
  Background bpfc({BPFC_BINARY, "capture", "-i", url(), "-w", dir.file("out.pcap"), "icmp"});
  ASSERT_TRUE(bpfc.wait_for_stderr("listening on", 20s)) << bpfc.err();
  send_pings(1);
  // The daemon holds packets for up to its read timeout (100 ms) first.
  std::this_thread::sleep_for(1s);
  bpfc.send_signal(SIGINT);
  EXPECT_EQ(bpfc.wait(10s), 0) << bpfc.err();
  EXPECT_NE(bpfc.err().find("2 packets captured"), std::string::npos) << bpfc.err();
  auto file = bpfc::rpcaptest::read_savefile(dir.file("out.pcap"));
  EXPECT_EQ(file.error, "");
  EXPECT_EQ(file.packets.size(), 2u);
}

TEST_F(RemoteCaptureCommand, ListsTheDaemonsInterfacesAsDashDDoes) {
  start_daemon({"-n"});
  auto listed = bpfc::testsupport::run_process({BPFC_BINARY, "capture", "-D", url("")});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  // "N.rpcap://127.0.0.1:P/lo [Up, Running, Loopback] 127.0.0.1 ..."
  const std::string lo = "." + url("lo") + " [Up, Running, Loopback]";
  EXPECT_NE(listed.out.find(lo), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find(lo + " 127.0.0.1"), std::string::npos) << listed.out;
  // The URL in the listing is what -i takes.
  EXPECT_EQ(bpfc::testsupport::run_process({BPFC_BINARY, "capture", "-D", "-i", url("")}).out, listed.out);
}

TEST_F(RemoteCaptureCommand, LocalOnlyFlagsAndMissingPasswordsAreUsageErrors) {
  auto ring = bpfc::testsupport::run_process({BPFC_BINARY, "capture", "-i", "rpcap://127.0.0.1:1/lo", "-B", "1024"});
  EXPECT_EQ(ring.exit_code, 2);
  EXPECT_NE(ring.err.find("-B shapes a local capture"), std::string::npos) << ring.err;
  auto threads =
      bpfc::testsupport::run_process({BPFC_BINARY, "capture", "-i", "rpcap://127.0.0.1:1/lo", "--threads", "2"});
  EXPECT_EQ(threads.exit_code, 2);
  EXPECT_NE(threads.err.find("--threads shapes a local capture"), std::string::npos) << threads.err;
  auto udp = bpfc::testsupport::run_process({BPFC_BINARY, "capture", "-i", "lo", "--udp"});
  EXPECT_EQ(udp.exit_code, 2);
  EXPECT_NE(udp.err.find("--udp applies to remote captures"), std::string::npos) << udp.err;
  // No terminal (a new session) and no BPFC_RPCAP_PASSWORD: nothing is sent.
  ::unsetenv("BPFC_RPCAP_PASSWORD");
  Background asked({BPFC_BINARY, "capture", "-i", "rpcap://127.0.0.1:1/lo", "--auth", "alice"});
  EXPECT_EQ(asked.wait(10s), 2);
  EXPECT_NE(asked.err().find("set BPFC_RPCAP_PASSWORD or run on a terminal"), std::string::npos) << asked.err();
}

// A user the test creates for rpcapd's password check, removed afterwards.
class TestUser {
 public:
  TestUser() : name_("bpfcrc" + std::to_string(::getpid())) {
    auto added = bpfc::testsupport::run_process({"useradd", "-M", "-s", "/usr/sbin/nologin", name_});
    if (added.exit_code != 0) {
      problem_ = "useradd failed: " + added.err;
      return;
    }
    created_ = true;
    auto set = bpfc::testsupport::run_process({"sh", "-c", "echo '" + name_ + ":" + password() + "' | chpasswd"});
    if (set.exit_code != 0) problem_ = "chpasswd failed: " + set.err;
  }
  ~TestUser() {
    if (created_) bpfc::testsupport::run_process({"userdel", name_});
  }
  const std::string& name() const { return name_; }
  static std::string password() { return "bpfc-Rc-7q"; }
  const std::string& problem() const { return problem_; }

 private:
  std::string name_;
  std::string problem_;
  bool created_ = false;
};

TEST_F(RemoteCaptureCommand, PasswordFromTheEnvironmentLogsInAndAWrongOneFails) {
  if (!bpfc::testsupport::program_available("useradd") || !bpfc::testsupport::program_available("chpasswd")) {
    GTEST_SKIP() << "useradd and chpasswd are needed to create the test user";
  }
  TestUser user;
  if (!user.problem().empty()) GTEST_SKIP() << user.problem();
  // After login the session setuid()s to the user: setpriv keeps its
  // capabilities so that it can still capture (the kit's README).
  start_daemon({}, {"setpriv", "--securebits", "+no_setuid_fixup"});
  Background bpfc({BPFC_BINARY, "capture", "-i", url(), "--auth", user.name(), "-c", "2", "--count-only", "icmp"},
                  {"BPFC_RPCAP_PASSWORD=" + TestUser::password()});
  ASSERT_EQ(run_with_pings(bpfc, 1), 0) << bpfc.err() << daemon_->err();
  EXPECT_EQ(bpfc.out(), "2 packets\n");

  Background wrong({BPFC_BINARY, "capture", "-i", url(), "--auth", user.name(), "-c", "1", "icmp"},
                   {"BPFC_RPCAP_PASSWORD=not-" + TestUser::password()});
  EXPECT_EQ(wrong.wait(30s), 1) << wrong.err();
  EXPECT_NE(wrong.err().find("the daemon refused AUTH_REQ (authentication failed)"), std::string::npos)
      << wrong.err();
  EXPECT_EQ(wrong.err().find("listening on"), std::string::npos) << wrong.err();
  // bpfc rpcap takes the same credentials.
  Background listed({BPFC_BINARY, "rpcap", "list", url(""), "--auth", user.name()},
                    {"BPFC_RPCAP_PASSWORD=" + TestUser::password()});
  EXPECT_EQ(listed.wait(30s), 0) << listed.err();
  EXPECT_NE(listed.out().find("lo\t"), std::string::npos) << listed.out();
}

// Active mode: bpfc waits, libpcap's rpcapd -a connects to it.
class ActiveMode : public RemoteCaptureCommand {
 protected:
  // rpcapd in active mode towards 127.0.0.1:active_, once bpfc waits.
  void start_active_daemon(Background& bpfc) {
    ASSERT_TRUE(bpfc.wait_for_stderr("waiting for a daemon", 10s)) << bpfc.err();
    start_daemon({"-n", "-a", "127.0.0.1," + std::to_string(active_)});
  }
  uint16_t active_ = bpfc::rpcaptest::free_port();
};

TEST_F(ActiveMode, CaptureWaitsForTheDaemonAndWritesItsPackets) {
  bpfc::rpcaptest::ScratchDir dir;
  const std::string out = dir.file("out.pcap");
  Background bpfc({BPFC_BINARY, "capture", "--rpcap-listen", "127.0.0.1:" + std::to_string(active_), "-i", "lo",
                   "-c", "4", "-w", out, "icmp"});
  start_active_daemon(bpfc);
  ASSERT_EQ(run_with_pings(bpfc, 2), 0) << bpfc.err() << daemon_->err();
  EXPECT_NE(bpfc.err().find("4 packets captured"), std::string::npos) << bpfc.err();
  auto file = bpfc::rpcaptest::read_savefile(out);
  ASSERT_EQ(file.error, "");
  EXPECT_EQ(file.linktype, 1);
  ASSERT_EQ(file.packets.size(), 4u);
  for (const auto& packet : file.packets) EXPECT_TRUE(is_icmp(packet.data));
}

TEST_F(ActiveMode, RpcapCaptureWaitsForTheDaemonOverUdp) {
  Background bpfc({BPFC_BINARY, "rpcap", "capture", "--rpcap-listen", "127.0.0.1:" + std::to_string(active_), "lo",
                   "-c", "2", "--udp", "icmp"});
  start_active_daemon(bpfc);
  ASSERT_EQ(run_with_pings(bpfc, 1), 0) << bpfc.err() << daemon_->err();
  EXPECT_NE(bpfc.err().find("2 packets captured"), std::string::npos) << bpfc.err();
  EXPECT_NE(bpfc.out().find("ICMP echo reply"), std::string::npos) << bpfc.out();
}

TEST_F(ActiveMode, ListingWaitsForTheDaemon) {
  Background bpfc({BPFC_BINARY, "capture", "-D", "--rpcap-listen", "127.0.0.1:" + std::to_string(active_)});
  start_active_daemon(bpfc);
  ASSERT_EQ(bpfc.wait(30s), 0) << bpfc.err() << daemon_->err();
  EXPECT_NE(bpfc.out().find(".lo [Up, Running, Loopback]"), std::string::npos) << bpfc.out();
}

}  // namespace
